"""Find the deal or lead a user referred to (`#12`, `12`, a name fragment; `L7`, an email).

Fragments prefer open records: a name that matches one open deal and three closed ones
means the open one, because that is the one people are working on. Several matches are
never guessed between; the user gets the candidates and picks by number.
"""

from __future__ import annotations

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from assistant.domain.errors import AmbiguousReference, UnknownDeal, UnknownLead
from assistant.domain.references import parse_deal_ref, parse_lead_ref
from assistant.storage.models import Deal, Lead
from assistant.storage.prebuilt import run

_DEAL_ID = select(Deal.id).where(
    Deal.workspace_id == bindparam("workspace_id"), Deal.number == bindparam("number")
)
_DEAL_ROW = select(Deal.__table__).where(
    Deal.workspace_id == bindparam("workspace_id"), Deal.number == bindparam("number")
)
_DEAL_ROW_BY_ID = select(Deal.__table__).where(Deal.id == bindparam("deal_id"))


def find_deal_row(session: Session, workspace_id: int, text: str) -> Row:
    """`find_deal` for reading: the deal's columns as a row (named like the entity's
    attributes), which costs a fraction of loading the entity."""
    ref = parse_deal_ref(text)
    if ref.number is not None:
        row = run(session, _DEAL_ROW, workspace_id=workspace_id, number=ref.number).first()
    else:
        deal_id = _match_fragment(session, Deal, workspace_id, ref.fragment, text, "open")
        row = None if deal_id is None else run(session, _DEAL_ROW_BY_ID, deal_id=deal_id).one()
    if row is None:
        raise UnknownDeal(text.strip())
    return row


def find_deal(session: Session, workspace_id: int, text: str, *, lock: bool = False) -> Deal:
    ref = parse_deal_ref(text)
    if ref.number is not None:
        deal_id = run(session, _DEAL_ID, workspace_id=workspace_id, number=ref.number).scalar()
    else:
        deal_id = _match_fragment(session, Deal, workspace_id, ref.fragment, text, "open")
    if deal_id is None:
        raise UnknownDeal(text.strip())
    # The row lock is what stops two concurrent changes from both reading the old state
    # (PostgreSQL); SQLite's BEGIN IMMEDIATE has already serialised the writers.
    return session.get(Deal, deal_id, with_for_update=lock, populate_existing=lock)


def find_lead(session: Session, workspace_id: int, text: str, *, lock: bool = False) -> Lead:
    ref = parse_lead_ref(text)
    if ref.number is not None:
        lead_id = session.scalar(
            select(Lead.id).where(Lead.workspace_id == workspace_id, Lead.number == ref.number)
        )
    elif ref.email is not None:
        lead_id = session.scalar(
            select(Lead.id)
            .where(Lead.workspace_id == workspace_id, Lead.email == ref.email)
            .order_by(Lead.id.desc())
            .limit(1)
        )
    else:
        lead_id = _match_fragment(session, Lead, workspace_id, ref.fragment, text, "open")
    if lead_id is None:
        raise UnknownLead(text.strip())
    return session.get(Lead, lead_id, with_for_update=lock, populate_existing=lock)


def _match_fragment(session, model, workspace_id, fragment, text, open_status) -> int | None:
    rows = session.execute(
        select(model.id, model.number, model.name, model.status)
        .where(
            model.workspace_id == workspace_id,
            model.name_folded.contains(fragment, autoescape=True),
        )
        .order_by(model.number)
        .limit(500)
    ).all()
    if not rows:
        return None
    exact = [r for r in rows if r.name.casefold() == fragment]
    for pool in (exact, [r for r in rows if r.status == open_status], rows):
        if len(pool) == 1:
            return pool[0].id
        if len(pool) > 1:
            prefix = "L" if model is Lead else "#"
            candidates = [f"{prefix}{r.number} {r.name}" for r in pool]
            raise AmbiguousReference(text.strip(), candidates, example=f"{prefix}{pool[0].number}")
    return None
