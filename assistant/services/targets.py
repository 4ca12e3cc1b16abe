"""Revenue targets: what the team (or one owner) aims to win in a period, and how it stands.

- **Attainment** = won value in the period so far ÷ target; the **gap** is what is left.
- **Pipeline coverage** = the open value expected to close in the rest of the period (open
  deals whose expected close date falls in it) ÷ the gap. It is shown next to the coverage
  the team needs, 1 ÷ its win rate over the last 365 days: at a 25 % win rate, $4 of
  pipeline make $1 of revenue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.analytics._sql import CURRENT
from assistant.analytics.results import closed_in
from assistant.domain.errors import InvalidInput
from assistant.domain.periods import Period, calendar_label, whole
from assistant.domain.roles import require_manager
from assistant.domain.stages import DealStatus
from assistant.records.history import record
from assistant.services.context import Actor, Services
from assistant.services.roles import role_in
from assistant.services.workspaces import ensure_workspace, workspace_for_reading, workspace_zone
from assistant.storage.models import Deal, Target

TEAM = ""  # the owner key of a team target
MAX_TARGET = Decimal("1000000000000")
WIN_RATE_WINDOW = timedelta(days=365)
LISTED = 50
ZERO = Decimal(0)


@dataclass(frozen=True)
class TargetView:
    owner_id: str | None  # None: the whole team
    label: str
    starts_at: datetime
    ends_at: datetime
    amount: Decimal
    won: Decimal  # won so far in the target's period
    open_expected: Decimal  # open value expected to close in the rest of it
    needed_coverage: float | None  # 1 / the team's win rate of the last 365 days

    @property
    def attainment(self) -> float:
        return float(self.won / self.amount)

    @property
    def gap(self) -> Decimal:
        return max(self.amount - self.won, Decimal(0))

    @property
    def coverage(self) -> float | None:
        """Open value expected to close ÷ the gap; None once the target is met."""
        return float(self.open_expected / self.gap) if self.gap else None


def set_target(
    services: Services, actor: Actor, owner_id: str | None, amount: Decimal, period: Period
) -> TargetView:
    """Set (or change) the target of `owner_id` (None: the team) for `period`, read whole (all
    of `this quarter`) and named so it stays true later (`2026-Q4`)."""
    if amount <= 0:
        raise InvalidInput("A target is an amount above zero, e.g. `120k`.")
    if amount > MAX_TARGET:
        raise InvalidInput("That target is larger than any amount the bot keeps.")
    now = services.now()
    with services.db.transaction() as session:
        workspace = ensure_workspace(session, actor.team_id, now, services.default_timezone)
        require_manager(role_in(session, services, workspace, actor), "set targets")
        period = whole(period, now, workspace_zone(workspace))
        period = Period(period.start, period.end, calendar_label(period))
        key = owner_id or TEAM
        target = session.scalar(
            select(Target).where(
                Target.workspace_id == workspace.id,
                Target.owner_key == key,
                Target.starts_at == period.start,
                Target.ends_at == period.end,
            )
        )
        before = target.amount if target else None
        if target is None:
            target = Target(
                workspace_id=workspace.id, owner_key=key, starts_at=period.start,
                ends_at=period.end, created_by=actor.user_id, created_at=now,
            )  # fmt: skip
            session.add(target)
        target.label, target.amount = period.label[:80], amount.quantize(Decimal("0.01"))
        session.flush()
        record(
            session, workspace_id=workspace.id, entity="target", entity_id=target.id,
            action="target", actor_id=actor.user_id, at=now, changes={"amount": (before, amount)},
        )  # fmt: skip
        return _view(session, workspace.id, target, now)


def list_targets(services: Services, actor: Actor) -> list[TargetView]:
    """The workspace's targets, latest periods first."""
    now = services.now()
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        rows = session.scalars(
            select(Target)
            .where(Target.workspace_id == workspace.id)
            .order_by(Target.starts_at.desc(), Target.owner_key)
            .limit(LISTED)
        )
        return [_view(session, workspace.id, t, now) for t in rows]


def progress_in(
    session: Session, workspace_id: int, period: Period, now: datetime, owner_id: str | None = None
) -> TargetView | None:
    """The target that starts when `period` starts (the quarter of `this quarter`, say)."""
    target = session.scalar(
        select(Target).where(
            Target.workspace_id == workspace_id,
            Target.owner_key == (owner_id or TEAM),
            Target.starts_at == period.start,
        )
    )
    return _view(session, workspace_id, target, now) if target else None


def _view(session: Session, workspace_id: int, target: Target, now: datetime) -> TargetView:
    owner = target.owner_key or None
    # Won so far: `/pipeline results`' won value over the target's period up to now.
    so_far = Period(target.starts_at, min(target.ends_at, now), target.label)
    won = ZERO
    if so_far.end > so_far.start:
        closed = closed_in(session, workspace_id, so_far, owner, cycles=False, open_deals=False)
        won = closed[CURRENT].won_value
    mine = (Deal.workspace_id == workspace_id,) + ((Deal.owner_id == owner,) if owner else ())
    rest_from = max(now, target.starts_at).date()
    expected = session.scalar(
        select(func.sum(Deal.amount)).where(
            *mine,
            Deal.status == DealStatus.OPEN.value,
            Deal.close_date >= rest_from,
            Deal.close_date < target.ends_at.date(),
        )
    )
    return TargetView(
        owner, target.label, target.starts_at, target.ends_at, target.amount,
        won, expected or ZERO, _needed(session, workspace_id, owner, now),
    )  # fmt: skip


def _needed(session: Session, workspace_id: int, owner: str | None, now: datetime) -> float | None:
    """1 ÷ the win rate (`/pipeline results`' own) of the last 365 days, to a tenth."""
    year = Period(now - WIN_RATE_WINDOW, now, "the last 365 days")
    closed = closed_in(session, workspace_id, year, owner, cycles=False, open_deals=False)[CURRENT]
    if not closed.won_count:
        return None
    # closed ÷ won exactly, half up to a tenth (not 1 ÷ a float rate: 41/20 is 2.1, not 2.0).
    tenths, rest = divmod(Fraction(closed.closed_count * 10, closed.won_count), 1)
    return (tenths + (rest >= Fraction(1, 2))) / 10
