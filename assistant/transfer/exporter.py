"""Export deals, leads or the history of one workspace as CSV, streamed in batches.

Deal and lead rows carry their exact stage history (`stage_history`), so importing the file
into an empty database rebuilds the same stays, and with them the same figures. Columns
marked informational (`owner_name`, `stage_label`, `probability`, `days_in_stage`,
`actor_name`) are there for people opening the file in a spreadsheet; they are computed by
the same code as the bot's replies and ignored on import. Cells that a spreadsheet would run
as a formula get a leading `'`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import TextIO

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from assistant.domain.stages import StageKind
from assistant.services.deal_views import deal_view, stage_map
from assistant.services.people import known_names
from assistant.services.workspaces import load_stages
from assistant.storage.database import Database
from assistant.storage.models import Change, Deal, Lead
from assistant.transfer.progress import Progress
from assistant.transfer.rows import DEAL_HISTORY_FIELDS, LEAD_HISTORY_FIELDS
from assistant.transfer.scope import TransferError, pick_team
from assistant.transfer.timeline import Event, format_history
from assistant.transfer.values import escape_formula

BATCH = 1000
KINDS = ("deals", "leads", "history")
DEAL_COLUMNS = (
    "number", "name", "company", "amount", "currency", "owner", "owner_name", "stage",
    "stage_label", "status", "probability", "days_in_stage", "lost_reason", "close_date",
    "created_at", "stage_entered_at", "closed_at", "source", "campaign", "lead", "external_id",
    "stage_history",
)  # fmt: skip
LEAD_COLUMNS = (
    "number", "name", "company", "email", "source", "campaign", "stage", "stage_label",
    "furthest_stage", "status", "drop_reason", "owner", "owner_name", "created_at",
    "action_at", "stage_history",
)  # fmt: skip
HISTORY_COLUMNS = (
    "at", "entity", "record", "action", "field", "old_value", "new_value", "actor",
    "actor_name",
)  # fmt: skip


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    return escape_formula(str(value))


def export_csv(
    db: Database,
    kind: str,
    out: TextIO,
    *,
    team_id: str | None,
    now: datetime,
    progress: Progress | None = None,
) -> int:
    """Write the CSV to `out`; returns the number of data rows."""
    if kind not in KINDS:
        raise TransferError(f"can't export `{kind}`; choose one of {', '.join(KINDS)}")
    progress = progress or Progress(io.StringIO(), enabled=False)
    writer = csv.writer(out, lineterminator="\n")
    # One snapshot: the rows stream in batches, and the count agrees with them.
    with db.snapshot() as session:
        workspace = pick_team(session, team_id, may_create=False)
        rows = {"deals": _deal_rows, "leads": _lead_rows, "history": _history_rows}[kind]
        model = {"deals": Deal, "leads": Lead, "history": Change}[kind]
        total = session.scalar(
            select(func.count()).select_from(model).where(model.workspace_id == workspace.id)
        )
        progress.start("export", total or 0)
        header, body = rows(session, workspace, now)
        writer.writerow(header)
        count = 0
        for row in body:
            writer.writerow([cell(v) for v in row])
            count += 1
            if count % BATCH == 0:
                progress.set(count)
        progress.finish()
    return count


def _histories(
    session: Session, workspace_id: int, entity: str, ids: list[int], fields: tuple[str, ...]
) -> dict[int, str]:
    rows = session.execute(
        select(Change.entity_id, Change.field, Change.new_value, Change.at)
        .where(
            Change.workspace_id == workspace_id,
            Change.entity == entity,
            Change.entity_id.in_(ids),
            Change.field.in_(fields),
        )
        .order_by(Change.entity_id, Change.id)
    )
    events: dict[int, list[Event]] = {}
    for entity_id, field, value, at in rows:
        events.setdefault(entity_id, []).append(Event(field, value or "", at))
    return {entity_id: format_history(items) for entity_id, items in events.items()}


def _batches(session: Session, query) -> Iterator[list]:
    result = session.execute(query.execution_options(yield_per=BATCH))
    for partition in result.partitions():
        yield list(partition)


def _deal_rows(session: Session, workspace, now: datetime):
    stages = stage_map(session, workspace.id)
    names = known_names(session, workspace.id)
    query = (
        select(Deal, Lead.email, Lead.number)
        .outerjoin(Lead, Deal.lead_id == Lead.id)
        .where(Deal.workspace_id == workspace.id)
        .order_by(Deal.id)
    )

    def body() -> Iterable[list]:
        for batch in _batches(session, query):
            history = _histories(
                session, workspace.id, "deal", [d.id for d, _, _ in batch], DEAL_HISTORY_FIELDS
            )
            for deal, lead_email, lead_number in batch:
                view = deal_view(deal, stages, now)
                lead = lead_email or (f"L{lead_number}" if lead_number else None)
                yield [
                    deal.number, deal.name, deal.company, deal.amount, workspace.currency,
                    deal.owner_id, names.get(deal.owner_id, deal.owner_id), deal.stage_key,
                    view.stage_label, deal.status,
                    view.probability, view.days_in_stage, deal.lost_reason, deal.close_date,
                    deal.created_at, deal.stage_entered_at, deal.closed_at, deal.source,
                    deal.campaign, lead, deal.external_id, history.get(deal.id),
                ]  # fmt: skip

    return DEAL_COLUMNS, body()


def _lead_rows(session: Session, workspace, now: datetime):
    funnel = load_stages(session, workspace.id, StageKind.FUNNEL, include_inactive=True)
    labels = {s.key: s.label for s in funnel}
    names = known_names(session, workspace.id)
    query = select(Lead).where(Lead.workspace_id == workspace.id).order_by(Lead.id)

    def body() -> Iterable[list]:
        for batch in _batches(session, query):
            leads = [lead for (lead,) in batch]
            history = _histories(
                session, workspace.id, "lead", [lead.id for lead in leads], LEAD_HISTORY_FIELDS
            )
            for lead in leads:
                yield [
                    lead.number, lead.name, lead.company, lead.email, lead.source,
                    lead.campaign, lead.stage_key, labels.get(lead.stage_key, lead.stage_key),
                    lead.furthest_stage_key, lead.status, lead.drop_reason, lead.owner_id,
                    names.get(lead.owner_id, lead.owner_id), lead.created_at, lead.action_at,
                    history.get(lead.id),
                ]  # fmt: skip

    return LEAD_COLUMNS, body()


def _history_rows(session: Session, workspace, now: datetime):
    names = known_names(session, workspace.id)
    deal, lead = aliased(Deal), aliased(Lead)
    query = (
        select(Change, deal.number, lead.number)
        .outerjoin(deal, and_(Change.entity == "deal", deal.id == Change.entity_id))
        .outerjoin(lead, and_(Change.entity == "lead", lead.id == Change.entity_id))
        .where(Change.workspace_id == workspace.id)
        .order_by(Change.id)
    )

    def body() -> Iterable[list]:
        for batch in _batches(session, query):
            for change, deal_number, lead_number in batch:
                if deal_number is not None:
                    ref = f"#{deal_number}"
                elif lead_number is not None:
                    ref = f"L{lead_number}"
                else:
                    ref = str(change.entity_id)
                yield [
                    change.at, change.entity, ref, change.action, change.field,
                    change.old_value, change.new_value, change.actor_id,
                    names.get(change.actor_id, change.actor_id),
                ]  # fmt: skip

    return HISTORY_COLUMNS, body()
