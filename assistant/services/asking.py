"""Questions in plain words, the parts that need the database: the workspace's own words for
the parser, the last question of each conversation (for follow-ups), and the one-time tokens
of Confirm buttons.

The vocabulary holds what people name in questions: the active stages, sources, campaigns and
companies, the open deals and those closed in the last `RECENT_CLOSED`, and the people Slack
told us about. It is capped (`MAX_DEALS`, `MAX_NAMES`) so a question in a workspace of a
million records still parses in milliseconds; a deal past the cap is still reachable by
number (`#12`).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, select, union
from sqlalchemy.orm import Session

from assistant.ask import DealName, Person, Stage, Understood, Vocabulary
from assistant.ask.codec import dumps, loads
from assistant.domain.stages import DealStatus, StageKind
from assistant.services.context import Actor, Services
from assistant.services.workspaces import ensure_workspace, load_stages, workspace_for_reading
from assistant.storage.models import AskConfirmation, AskThread, Deal, Lead
from assistant.storage.models import Person as PersonRow
from assistant.storage.upsert import insert_or_ignore

RECENT_CLOSED = timedelta(days=180)  # "what happened with Acme?" after it closed
MAX_DEALS = 5000  # the most recent first
MAX_NAMES = 2000  # sources, campaigns, companies each
KEEP_THREADS = timedelta(days=30)  # a follow-up a month later is a new question
DM = ""  # the thread of a DM's top level


def vocabulary_for(services: Services, actor: Actor, bot_user_id: str = "") -> Vocabulary:
    since = services.now() - RECENT_CLOSED
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        ws = workspace.id
        deals = session.execute(
            select(Deal.number, Deal.name, Deal.status)
            .where(
                Deal.workspace_id == ws,
                or_(Deal.status == DealStatus.OPEN.value, Deal.closed_at >= since),
            )
            .order_by(Deal.id.desc())
            .limit(MAX_DEALS)
        ).all()
        return Vocabulary(
            pipeline=_stages(session, ws, StageKind.PIPELINE),
            funnel=_stages(session, ws, StageKind.FUNNEL),
            sources=_distinct(session, ws, Deal.source, Lead.source),
            campaigns=_distinct(session, ws, Deal.campaign, Lead.campaign),
            companies=_distinct(session, ws, Deal.company, Lead.company),
            deals=tuple(DealName(n, name, status) for n, name, status in deals),
            people=_people(session, ws),
            asker=actor.user_id,
            bot_user_id=bot_user_id,
        )


def _stages(session: Session, workspace_id: int, kind: StageKind) -> tuple[Stage, ...]:
    return tuple(Stage(s.key, s.label) for s in load_stages(session, workspace_id, kind))


def _distinct(session: Session, workspace_id: int, deal_column, lead_column) -> tuple[str, ...]:
    both = union(
        select(deal_column.label("value")).where(
            Deal.workspace_id == workspace_id, deal_column.is_not(None)
        ),
        select(lead_column.label("value")).where(
            Lead.workspace_id == workspace_id, lead_column.is_not(None)
        ),
    ).subquery()
    values = session.scalars(select(both.c.value).order_by(both.c.value).limit(MAX_NAMES))
    return tuple(v for v in values if v and v.strip())


def _people(session: Session, workspace_id: int) -> tuple[Person, ...]:
    rows = session.execute(
        select(PersonRow.slack_user_id, PersonRow.name, PersonRow.real_name).where(
            PersonRow.workspace_id == workspace_id,
            PersonRow.slack_user_id.is_not(None),
            PersonRow.deleted.is_(False),
        )
    )
    return tuple(
        Person(user_id, tuple(dict.fromkeys(n for n in (name, real_name) if n)))
        for user_id, name, real_name in rows
    )


def previous_question(
    services: Services, actor: Actor, channel_id: str, thread_ts: str
) -> Understood | None:
    """The last question understood in this conversation, unless it is too old to follow."""
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        row = session.scalar(
            select(AskThread).where(
                AskThread.workspace_id == workspace.id,
                AskThread.channel_id == channel_id,
                AskThread.thread_ts == thread_ts,
            )
        )
        if row is None or row.updated_at < services.now() - KEEP_THREADS:
            return None
        return loads(row.understood)


def remember_question(
    services: Services, actor: Actor, channel_id: str, thread_ts: str, understood: Understood
) -> None:
    """Keep the question for follow-ups in the same conversation (one row per conversation)."""
    now = services.now()
    with services.db.transaction() as session:
        workspace = ensure_workspace(session, actor.team_id, now, services.default_timezone)
        key = {"workspace_id": workspace.id, "channel_id": channel_id, "thread_ts": thread_ts}
        row = session.scalar(select(AskThread).filter_by(**key))
        if row is None:
            row = AskThread(**key)
            session.add(row)
        row.understood, row.asked_by, row.updated_at = dumps(understood), actor.user_id, now
        # Old conversations are of no use: a few rows go with each new question.
        session.execute(
            delete(AskThread).where(
                AskThread.id.in_(
                    select(AskThread.id)
                    .where(AskThread.updated_at < now - KEEP_THREADS)
                    .limit(20)
                    .scalar_subquery()
                )
            )
        )


def claim_confirmation(services: Services, actor: Actor, token: str) -> bool:
    """True for the first click of a Confirm button, False for every click after it."""
    now = services.now()
    with services.db.transaction() as session:
        workspace = ensure_workspace(session, actor.team_id, now, services.default_timezone)
        values = {
            "workspace_id": workspace.id, "token": token[:32], "claimed_by": actor.user_id,
            "claimed_at": now,
        }  # fmt: skip
        return (
            insert_or_ignore(session, AskConfirmation, values, ("workspace_id", "token"))
            is not None
        )
