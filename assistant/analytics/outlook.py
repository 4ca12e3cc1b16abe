"""The forecast learned from history, for a workspace: `/pipeline forecast`'s ranges, the
stages' learned chances, and a deal's own chance.

The history is read as the `changes` rows of deals (stage, status, amount, close date), the
same rows a backtest replays, and handed to the pure `forecasting` package. A period already
under way counts what was won in it so far and forecasts the rest; a period that is over has
no forecast (its stored forecasts are the record of what was said).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.analytics._sql import epoch_seconds
from assistant.analytics.forecasting.learned import StageChance
from assistant.analytics.forecasting.model import (
    LANDMARKS,
    NEW_DEALS,
    Model,
    actual_won,
    forecast_at,
    stage_chances,
    stage_figures,
)
from assistant.analytics.forecasting.simulate import swing
from assistant.analytics.forecasting.timeline import FIELDS, Timeline
from assistant.analytics.histories import Histories
from assistant.analytics.stages import workspace_facts
from assistant.domain.periods import Period
from assistant.storage.models import Change, Deal, Stage

CENT = Decimal("0.01")
MATTERING = 5  # deals listed as the ones that matter most
IDS_AT_ONCE = 5000  # ids per IN (...): under every database's limit of bound values


def money(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(CENT, rounding=ROUND_HALF_UP)


def load_timeline(
    session: Session,
    workspace_id: int,
    reached: str | None = None,
    kept: Histories | None = None,
) -> Timeline:
    """The deals' history; with `reached`, only of the deals that ever entered that stage
    (all a deal card's chance needs). With `kept`, the whole history from that store, which
    reads only what was written since its last call."""
    if kept is not None and reached is None:
        keys = [k for (k,) in session.execute(_stages(workspace_id, Stage.key))]
        return kept.timeline(session, workspace_id, keys)
    scope = (
        Change.workspace_id == workspace_id,
        Change.entity == "deal",
        Change.field.in_(FIELDS),
    )
    if reached is not None:
        entered = select(Change.entity_id).where(
            Change.workspace_id == workspace_id,
            Change.entity == "deal",
            Change.field == "stage_key",
            Change.new_value == reached,
        )
        scope += (Change.entity_id.in_(entered),)
    # Whole seconds from the database: no datetime per row (the slow part of reading many).
    rows = session.execute(
        select(Change.entity_id, epoch_seconds(Change.at), Change.field, Change.new_value)
        .where(*scope)
        .order_by(Change.entity_id, Change.id)
    )
    keys = [k for (k,) in session.execute(_stages(workspace_id, Stage.key))]
    return Timeline.build(rows, keys)


def _stages(workspace_id: int, *columns):
    return (
        select(*columns)
        .where(Stage.workspace_id == workspace_id, Stage.kind == "pipeline")
        .order_by(Stage.position, Stage.id)
    )


def stage_settings(session: Session, workspace_id: int) -> tuple[dict, dict]:
    """({stage key: configured probability}, {stage key: the admin's choice or None})."""
    rows = session.execute(
        _stages(workspace_id, Stage.key, Stage.probability, Stage.forecast_uses)
    ).all()
    return {k: float(p or 0) for k, p, _ in rows}, {k: m for k, _, m in rows}


@dataclass(frozen=True)
class MatteringDeal:
    number: int
    name: str
    stage_label: str
    amount: Decimal | None
    chance: float  # to be won inside the period
    owner_id: str


@dataclass(frozen=True)
class Outlook:
    """`/pipeline forecast`: the period's won value as a range (won so far included)."""

    period: Period
    currency: str
    over: bool  # the period has ended: nothing left to forecast
    won_so_far: Decimal  # won in the period before now
    won_count_so_far: int
    p10: Decimal
    p50: Decimal
    p90: Decimal
    expected_count: float  # deals still to be won in it (open ones and new ones)
    expected_new: float  # of them, deals not created yet
    open_count: int  # open deals that may close in it
    mattering: tuple[MatteringDeal, ...]
    target: Decimal | None
    chance_to_reach: float | None  # None: no target
    dated_count: int  # open deals timed by their close date (a stage with too little history)
    any_closed: bool  # any deal ever closed: else chances are the configured ones
    simulations: int


def outlook(
    session: Session,
    workspace_id: int,
    period: Period,
    now: datetime,
    target: Decimal | None = None,
    kept: Histories | None = None,
) -> Outlook:
    return snapshot(session, workspace_id, period, now, target, kept)[0]


def snapshot(
    session: Session,
    workspace_id: int,
    period: Period,
    now: datetime,
    target: Decimal | None = None,
    kept: Histories | None = None,
) -> tuple[Outlook, dict[int, tuple[float, float]]]:
    """The outlook, and per open deal (by id) the win chance of its stage the forecast used
    and the configured one: what a kept forecast is later scored on (Brier)."""
    facts = workspace_facts(session, workspace_id)
    timeline = load_timeline(session, workspace_id, kept=kept)
    configured, modes = stage_settings(session, workspace_id)
    cut, start, end = (timeline.seconds(t) for t in (now, period.start, period.end))
    won_count, won_value = actual_won(timeline, start, min(cut, end))
    if end <= cut:
        value = money(won_value)
        return Outlook(period, facts.currency, True, value, won_count, value, value, value, 0.0,
                       0.0, 0, (), target, None, 0, True, 0), {}  # fmt: skip
    model = forecast_at(timeline, cut, end, configured, modes, start=max(start, cut))
    chances = [model.stages[k].chance for k in timeline.stage_keys]
    used = np.array([c.used for c in chances])[model.open.stage]
    default = np.array([c.configured for c in chances])[model.open.stage]
    ids = timeline.deal_ids[model.open.index]
    per_deal = {int(i): (round(float(u), 4), round(float(c), 4))
                for i, u, c in zip(ids, used, default, strict=True)}  # fmt: skip
    outcome = model.outcome
    reach = None
    if target is not None:
        reach = outcome.chance_to_reach(float(target) - won_value)
    live = model.p > 0
    found = Outlook(
        period=period,
        currency=facts.currency,
        over=False,
        won_so_far=money(won_value),
        won_count_so_far=won_count,
        p10=money(won_value + outcome.p10),
        p50=money(won_value + outcome.p50),
        p90=money(won_value + outcome.p90),
        expected_count=outcome.expected_count,
        expected_new=model.new_wins,
        open_count=int(live.sum()),
        mattering=_mattering(session, timeline, model, facts.labels),
        target=target,
        chance_to_reach=reach,
        dated_count=int((model.from_close_dates & live).sum()),
        any_closed=model.any_closed,
        simulations=len(outcome.totals),
    )
    return found, per_deal


def outcomes_of(session: Session, workspace_id: int, deal_ids: list[int]) -> dict[int, bool]:
    """Of these deals, the closed ones: won (True) or lost (False)."""
    found = {}
    for at in range(0, len(deal_ids), IDS_AT_ONCE):
        rows = session.execute(
            select(Deal.id, Deal.status).where(
                Deal.workspace_id == workspace_id,
                Deal.id.in_(deal_ids[at : at + IDS_AT_ONCE]),
                Deal.status != "open",
            )
        )
        found.update({deal_id: status == "won" for deal_id, status in rows})
    return found


def won_in(
    session: Session,
    workspace_id: int,
    start: datetime,
    end: datetime,
    kept: Histories | None = None,
) -> Decimal:
    """Won value of the deals whose win falls in [start, end) (from the history)."""
    timeline = load_timeline(session, workspace_id, kept=kept)
    return money(actual_won(timeline, timeline.seconds(start), timeline.seconds(end))[1])


def _mattering(session: Session, timeline: Timeline, model: Model, labels: dict) -> tuple:
    p = model.p
    weight = swing(p, model.open.amount)
    order = [i for i in np.argsort(-weight, kind="stable")[:MATTERING] if weight[i] > 0]
    ids = [int(timeline.deal_ids[model.open.index[i]]) for i in order]
    deals = {d.id: d for d in session.scalars(select(Deal).where(Deal.id.in_(ids)))}
    found = []
    for i, deal_id in zip(order, ids, strict=True):
        deal = deals.get(deal_id)
        if deal is not None:
            label = labels.get(deal.stage_key, deal.stage_key)
            found.append(MatteringDeal(deal.number, deal.name, label, deal.amount, float(p[i]),
                                       deal.owner_id))  # fmt: skip
    return tuple(found)


@dataclass(frozen=True)
class StageLearning:
    key: str
    label: str
    chance: StageChance

    @property
    def configured(self) -> float:
        return self.chance.configured


def stage_learning(
    session: Session, workspace_id: int, now: datetime, kept: Histories | None = None
) -> list[StageLearning]:
    """Per active pipeline stage: configured and learned chances, and the deals behind them."""
    facts = workspace_facts(session, workspace_id)
    timeline = load_timeline(session, workspace_id, kept=kept)
    configured, modes = stage_settings(session, workspace_id)
    figures = stage_figures(timeline, timeline.seconds(now), configured, modes)
    return [
        StageLearning(s.key, s.label, figures[s.key].chance)
        for s in facts.pipeline.active
        if s.key in figures
    ]


@dataclass(frozen=True)
class DealChance:
    """A deal's own chance: "61 % to win (from 412 deals that reached Proposal), usually
    closes in 12–30 days"."""

    chance: float
    closed: int  # deals that reached its stage and closed: what the chance is learned from
    learned: bool  # the learned figure (else the configured one)
    stage_label: str
    closes_in: tuple[float, float] | None  # days from now: quartiles of the time left


def closed_by_stage(
    session: Session, workspace_id: int, now: datetime, kept: Histories | None = None
) -> dict[str, tuple[int, int]]:
    """Per stage key, of the deals that entered it: (won, closed) by `now`, what its learned
    chance is made of (the configured figure and the admin's choice are read apart, so a
    change to them shows at once)."""
    timeline = load_timeline(session, workspace_id, kept=kept)
    chances = stage_chances(timeline, timeline.seconds(now), {})
    return {key: (c.won, c.closed) for key, c in chances.items() if key != NEW_DEALS}


def stage_outlook(
    session: Session,
    workspace_id: int,
    stage_key: str,
    now: datetime,
    kept: Histories | None = None,
):
    """A stage's figures as known now, with its landmark curves for deals of any age: what
    every deal card in that stage needs, so it can be kept for a while and shared. Read from
    `kept` when given, else from the history of the deals that reached the stage (the same
    figures: only those deals enter them)."""
    timeline = load_timeline(session, workspace_id, reached=None if kept else stage_key,
                             kept=kept)  # fmt: skip
    configured, modes = stage_settings(session, workspace_id)
    oldest = {stage_key: float(LANDMARKS[-1])}
    return stage_figures(timeline, timeline.seconds(now), configured, modes, oldest).get(stage_key)


def deal_chance(
    session: Session, workspace_id: int, deal: Deal, now: datetime, figure, label: str
) -> DealChance:
    """A deal's chance from its stage's `figure` (`stage_outlook`, which may be minutes old)
    and the stage's settings read now, so an admin's change shows at once; `label` is the
    stage's name as the card shows it."""
    if figure is None:
        return DealChance(0.0, 0, False, label, None)
    configured, mode = session.execute(
        _stages(workspace_id, Stage.probability, Stage.forecast_uses).where(
            Stage.key == deal.stage_key
        )
    ).first() or (figure.chance.configured, None)
    known = figure.chance
    chance = StageChance(float(configured or 0), known.won, known.closed, mode)
    age = max((now - deal.stage_entered_at).total_seconds() / 86_400, 0.0)
    return DealChance(chance.used, chance.closed, chance.uses_learned, label,
                      _closes_in(figure, age))  # fmt: skip


def _closes_in(figure, age: float) -> tuple[float, float] | None:
    """Quartiles of the days left until it closes, given the days it has sat."""
    if not figure.landmarks:
        return None
    index = int(figure.curve_for(np.array([age]))[0])
    landmark, curve = figure.landmarks[max(index, 0)]
    since = age - landmark
    still = float(curve.at(since))
    if still <= 0:
        return None
    found = []
    for share in (0.25, 0.75):
        # S(since + x) = S(since) (1 - share)
        goal = still * (1 - share)
        reached = np.nonzero(curve.survival <= goal + 1e-12)[0]
        reached = reached[curve.times[reached] >= since]
        if not len(reached):
            return None
        found.append(float(curve.times[reached[0]] - since))
    return found[0], found[1]


__all__ = [
    "NEW_DEALS",
    "DealChance",
    "closed_by_stage",
    "Outlook",
    "StageLearning",
    "deal_chance",
    "stage_outlook",
    "load_timeline",
    "outcomes_of",
    "outlook",
    "snapshot",
    "stage_learning",
    "won_in",
]
