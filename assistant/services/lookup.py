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

_DEAL_BY_NUMBER = select(Deal).where(
    Deal.workspace_id == bindparam("workspace_id"), Deal.number == bindparam("number")
)
# The row lock is what stops two concurrent changes from both reading the old state
# (PostgreSQL); SQLite's BEGIN IMMEDIATE has already serialised the writers.
_DEAL_BY_NUMBER_LOCKED = _DEAL_BY_NUMBER.with_for_update().execution_options(populate_existing=True)
# The card's row carries its lead's number, joined: the card shows it, and a read of its own
# was one statement in five of a `/deal show` of a deal made from a lead.
_CARD_ROW = select(Deal.__table__, Lead.number.label("lead_number")).outerjoin(
    Lead, Lead.id == Deal.lead_id
)
_DEAL_ROW = _CARD_ROW.where(
    Deal.workspace_id == bindparam("workspace_id"), Deal.number == bindparam("number")
)
_DEAL_ROW_BY_ID = _CARD_ROW.where(Deal.id == bindparam("deal_id"))


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
    if ref.number is not None:  # found and locked in one statement
        query = _DEAL_BY_NUMBER_LOCKED if lock else _DEAL_BY_NUMBER
        params = {"workspace_id": workspace_id, "number": ref.number}
        deal = session.scalars(query, params).first()
        if deal is None:
            raise UnknownDeal(text.strip())
        return deal
    deal_id = _match_fragment(session, Deal, workspace_id, ref.fragment, text, "open")
    if deal_id is None:
        raise UnknownDeal(text.strip())
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
