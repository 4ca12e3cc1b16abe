"""`/nudge stats`: what nudges led to. Each item is settled a day after its nudge (acted on
within 24 hours by a click or any change, or not), so the figures match the recorded clicks
and the history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from assistant.domain import nudging
from assistant.domain.periods import Period
from assistant.domain.roles import require_manager
from assistant.services.context import Actor, Services
from assistant.services.nudging.outcomes import settle
from assistant.services.roles import role_in
from assistant.services.workspaces import ensure_workspace
from assistant.storage.models import NudgeItem, NudgeSend

BY = ("rep", "reason")
TOTAL = "total"  # every listed item; `sent` is the state of those not settled yet
COLUMNS = (TOTAL, nudging.ACTED, nudging.SNOOZED, nudging.IGNORED, nudging.ESCALATED)


@dataclass
class Row:
    key: str
    counts: Counter = field(default_factory=Counter)

    @property
    def rate(self) -> float | None:
        return self.counts[nudging.ACTED] / self.counts[TOTAL] if self.counts[TOTAL] else None


@dataclass(frozen=True)
class NudgeStats:
    period: Period
    by: str | None
    total: Row
    rows: list[Row]
    waiting: int  # sent less than a day ago: not settled yet


def nudge_stats(services: Services, actor: Actor, period: Period, by: str | None) -> NudgeStats:
    now = services.now()
    with services.db.transaction() as session:
        ws = ensure_workspace(session, actor.team_id, now, services.default_timezone)
        require_manager(role_in(session, services, ws, actor), "see nudge stats")
        settle(session, ws.id, now)
        items = session.execute(
            select(NudgeItem.state, NudgeItem.reason, NudgeItem.owner_id, NudgeItem.escalation)
            .join(NudgeSend, NudgeSend.id == NudgeItem.send_id)
            .where(
                NudgeItem.workspace_id == ws.id,
                NudgeItem.sent_at >= period.start,
                NudgeItem.sent_at < period.end,
                NudgeItem.position < NudgeSend.budget,  # listed, not behind "and N more"
            )
        ).all()
    total, rows, waiting = Row("all"), {}, 0
    for state, reason, owner, escalation in items:
        if escalation:  # the manager's copy of an item already counted as escalated
            continue
        key = owner if by == "rep" else reason if by == "reason" else "all"
        row = rows.setdefault(key, Row(key))
        for counted in (row, total) if by else (total,):
            counted.counts[TOTAL] += 1
            counted.counts[state] += 1
        waiting += state == nudging.SENT
    ordered = sorted(rows.values(), key=lambda r: (-r.counts[TOTAL], r.key)) if by else []
    return NudgeStats(period, by, total, ordered, waiting)
