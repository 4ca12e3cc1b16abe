"""The forecast of a period at a cut time, from the timeline alone.

1. Per stage, `StageChance` (learned vs configured) and the `Survival` curve of days from
   entering it to closing, over the deals that entered it before the cut (closes after the cut
   are not known yet: those deals count as still open, censored at the cut).
2. Each deal open at the cut: p = P(won before the period ends | it has sat `age` days in the
   stage), from the stage's curve of wins (wins take longer than losses, so this is not
   P(win) x P(close)), scaled by the stage's chance used / the share won on the curve (so an
   admin's configured probability, or the prior's pull, sets the level and the history the
   timing). A stage with fewer than `MIN_CLOSES` closes (or wins) has no usable curve: its deals
   close inside the period when their close date falls in it, won by the chance used.
3. Deals not created yet: created at the rate of the last `LOOKBACK_DAYS`, each won inside the
   period by the creation "stage"'s chance and curve.
4. `simulate` adds them up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from assistant.analytics.forecasting.learned import StageChance
from assistant.analytics.forecasting.simulate import SEED, SIMULATIONS, Outcome, simulate
from assistant.analytics.forecasting.survival import MIN_CLOSES, Survival
from assistant.analytics.forecasting.timeline import (
    DAY,
    WON,
    OpenDeals,
    Timeline,
    open_at,
    won_between,
)

LOOKBACK_DAYS = 90  # the recent rate of new deals is measured over this span
WINS_POOL_DAYS = 365  # new deals' values are drawn from the deals won over this span
MIN_WINDOW_DAYS = 7  # wins per period are compared over windows at least a week long
MIN_WINDOWS, MAX_WINDOWS = 4, 52
GRID = 64  # points of the integral over the creation time of deals not created yet


# Ages (days in the stage) at which the curves are re-read: a deal that has sat 40 days in a
# stage is compared with the deals that were still in that stage after 30 days, not with every
# deal that entered it (those include the ones that moved on and close sooner).
LANDMARKS = (0, 7, 14, 30, 60, 120, 240, 480)


@dataclass(frozen=True)
class StageFigures:
    key: str
    chance: StageChance
    survival: Survival  # from entering the stage
    landmarks: tuple[tuple[int, Survival], ...] = ()  # (age in days, curve from then), usable

    def curve_for(self, age: np.ndarray) -> np.ndarray:
        """Per age, the index in `landmarks` of the latest landmark not after it."""
        ages = np.array([a for a, _ in self.landmarks])
        return np.searchsorted(ages, age, side="right") - 1


@dataclass(frozen=True)
class Model:
    """What the history said at `cut` about the period [cut, end)."""

    cut: int
    end: int
    stages: dict[str, StageFigures]  # by stage key, plus NEW_DEALS for creation
    open: OpenDeals
    p_win: np.ndarray  # per open deal, P(won | closes inside the period)
    p_close: np.ndarray  # per open deal, P(closes inside the period); p = p_win x p_close
    from_close_dates: np.ndarray  # per open deal: timing from its close date (no usable curve)
    new_rate: float  # deals created per day, recently
    new_wins: float  # expected deals created and won inside the period
    new_amounts: np.ndarray
    outcome: Outcome
    any_closed: bool  # any deal ever closed before the cut

    @property
    def p(self) -> np.ndarray:
        return self.p_win * self.p_close


NEW_DEALS = "(new deals)"


def stage_figures(
    timeline: Timeline,
    cut: int,
    configured: Mapping[str, float],
    modes: Mapping[str, str | None] | None = None,
    ages: Mapping[str, float] | None = None,
) -> dict[str, StageFigures]:
    """Per stage key (NEW_DEALS: from creation), the chances and curves known at `cut`; the
    landmark curves only for the stages in `ages`, up to the oldest age there (they cost the
    most, and only the deals being forecast need them)."""
    ages = ages or {}
    entries = timeline.entries
    known = entries.sec < cut
    closed = entries.close_sec < cut
    chances = stage_chances(timeline, cut, configured, modes)
    found = {}
    for index, (key, chance) in enumerate(chances.items()):
        mine = known & (entries.stage == index)
        ends = np.where(closed[mine], entries.close_sec[mine], cut)
        durations = (ends - entries.sec[mine]) / DAY
        survival = Survival.fit(durations, closed[mine], entries.won[mine] & closed[mine])
        oldest = ages.get(key)
        landmarks = () if oldest is None else _landmarks(entries, mine, cut, survival, oldest)
        found[key] = StageFigures(key, chance, survival, landmarks)
    return found


def stage_chances(
    timeline: Timeline,
    cut: int,
    configured: Mapping[str, float],
    modes: Mapping[str, str | None] | None = None,
) -> dict[str, StageChance]:
    """Per stage key, in the timeline's order, then NEW_DEALS (from creation, whose prior is
    the first stage's): the deals that entered it before `cut` and closed before it, won or
    not, with the configured probability and the admin's choice."""
    modes = modes or {}
    entries = timeline.entries
    done = (entries.sec < cut) & (entries.close_sec < cut)
    first_key = timeline.stage_keys[0] if timeline.stage_keys else None
    keys = [*timeline.stage_keys, NEW_DEALS]
    counts = np.bincount(entries.stage[done], minlength=len(keys))
    wins = np.bincount(entries.stage[done & entries.won], minlength=len(keys))
    return {
        key: StageChance(float(configured.get(first_key if key == NEW_DEALS else key, 0.0)),
                         int(wins[index]), int(counts[index]), modes.get(key))
        for index, key in enumerate(keys)
    }  # fmt: skip


def _landmarks(
    entries, mine: np.ndarray, cut: int, survival: Survival, oldest: float
) -> tuple[tuple[int, Survival], ...]:
    """Per landmark age L up to `oldest`: the curve from L days after entering, over the deals
    still in the stage then (seen before the cut). Landmarks with too few closes are left
    out; the one at 0 is the stage's own curve."""
    if not (survival.usable and survival.wins >= MIN_CLOSES):
        return ()
    entered, left = entries.sec[mine], entries.left_sec[mine]
    close, won = entries.close_sec[mine], entries.won[mine]
    curves = [(0, survival)]
    for age in (a for a in LANDMARKS[1:] if a <= oldest):
        start = entered + age * DAY
        there = (start < cut) & (left >= start)
        closed = close[there] < cut
        durations = (np.where(closed, close[there], cut) - start[there]) / DAY
        curve = Survival.fit(durations, closed, won[there] & closed)
        if curve.usable and curve.wins >= MIN_CLOSES:
            curves.append((age, curve))
    return tuple(curves)


def forecast_at(
    timeline: Timeline,
    cut: int,
    end: int,
    configured: Mapping[str, float],
    modes: Mapping[str, str | None] | None = None,
    sims: int = SIMULATIONS,
    seed: int = SEED,
    start: int | None = None,
) -> Model:
    """The period is [start, end) (`start` None: the cut); wins before the cut are known, so
    a period already under way is forecast from the cut on (the caller adds what was won)."""
    deals = open_at(timeline, cut)
    age = (cut - deals.entered) / DAY
    oldest = {NEW_DEALS: 0.0}
    for index, key in enumerate(timeline.stage_keys):
        mine = deals.stage == index
        if mine.any():
            oldest[key] = float(age[mine].max())
    stages = stage_figures(timeline, cut, configured, modes, oldest)
    figures = [stages[k] for k in timeline.stage_keys]
    start = cut if start is None else start
    horizon = max(end - cut, 0) / DAY
    lead = min(max(start - cut, 0) / DAY, horizon)  # days from the cut to the period's start

    def within(read, since):  # P(... in [start, end) | open `since` days)
        later = read(since, horizon)
        return later - read(since, lead) if lead > 0 else later

    p_win = (
        np.array([f.chance.used for f in figures])[deals.stage]
        if len(deals.index)
        else (np.zeros(0))
    )  # fmt: skip; per deal: P(won | closes inside the period), set below
    p_close = np.zeros(len(deals.index))
    dated = np.zeros(len(deals.index), dtype=bool)
    first_day, end_day = np.floor(start / DAY), end / DAY
    for index, figure in enumerate(figures):
        mine = deals.stage == index
        if not mine.any():
            continue
        used = figure.chance.used
        if figure.landmarks:
            # The chance of this deal's window over the stage's average sets the timing; the
            # chance used (learned or configured) the level.
            scale = used / figure.survival.win_share if figure.survival.win_share else 0.0
            which = figure.curve_for(age[mine])
            closes, wins = np.zeros(mine.sum()), np.zeros(mine.sum())
            for number, (landmark, curve) in enumerate(figure.landmarks):
                at = which == number
                since = age[mine][at] - landmark
                closes[at] = within(curve.close_within, since)
                wins[at] = within(curve.win_within, since)
            p_close[mine] = closes
            won = np.minimum(wins * scale, closes)
            with np.errstate(divide="ignore", invalid="ignore"):
                p_win[mine] = np.where(closes > 0, won / closes, used)
        else:
            day = deals.close_date[mine]
            p_close[mine] = ((day >= first_day) & (day < end_day)).astype(float)
            dated[mine] = True
    rate, expected, pool = _new_deals(timeline, cut, horizon, lead, stages[NEW_DEALS])
    spread = overdispersion(timeline, cut, max(horizon, MIN_WINDOW_DAYS))
    outcome = simulate(p_win * p_close, deals.amount, expected, pool, sims, seed, spread)
    any_closed = bool((timeline.entries.close_sec < cut).any())
    return Model(cut, end, stages, deals, p_win, p_close, dated, rate, expected, pool, outcome,
                 any_closed)  # fmt: skip


def _new_deals(timeline: Timeline, cut: int, horizon: float, lead: float, new: StageFigures):
    """(creation rate per day, expected deals created and won inside the period, the values
    new wins are drawn from)."""
    since = cut - LOOKBACK_DAYS * DAY
    created = timeline.created
    rate = float(((created >= since) & (created < cut)).sum()) / LOOKBACK_DAYS
    won_deals, won_amounts = won_between(timeline, cut - WINS_POOL_DAYS * DAY, cut)
    pool = won_amounts[~np.isnan(won_amounts)]
    curve = new.survival
    if not curve.usable or curve.wins < MIN_CLOSES or horizon <= 0 or rate == 0:
        return rate, 0.0, pool
    # A deal created t days after the cut is won in the period if it is won between
    # lead - t (or at once) and horizon - t days after its creation.
    created = (np.arange(GRID) + 0.5) / GRID * horizon
    zero = np.zeros(GRID)
    until = curve.win_within(zero, horizon - created)
    wins = until - curve.win_within(zero, np.maximum(lead - created, 0.0))
    wins *= new.chance.used / curve.win_share
    return rate, rate * horizon * float(np.minimum(wins, 1.0).mean()), pool


def overdispersion(timeline: Timeline, cut: int, days: float) -> float:
    """How much more the team's wins per period vary than chance alone would make them: the
    relative spread of a shared factor, sqrt(max(variance - mean, 0)) / mean of the wins
    counted in back-to-back windows of `days` over the year before the cut (a Poisson count
    has variance = mean). The variance is read from successive differences (half their mean
    square), so a team that grows steadily is not taken for an erratic one; and only the part
    beyond one standard error of a Poisson count's (mean x sqrt(2 / (windows - 1))) counts, so
    chance alone does not widen the range. 0 with fewer than `MIN_WINDOWS` windows or no
    wins."""
    width = int(days * DAY)
    # A team's first months are its ramp-up, not its rhythm: windows start after them.
    settled = int(timeline.created.min()) + LOOKBACK_DAYS * DAY if timeline.deal_count else cut
    span = min(WINS_POOL_DAYS * DAY, max(cut - settled, 0))
    windows = min(int(span // width), MAX_WINDOWS)
    if windows < MIN_WINDOWS:
        return 0.0
    status = timeline.status
    since = cut - windows * width
    won = status.sec[(status.value == WON) & (status.sec < cut) & (status.sec >= since)]
    counts = np.bincount((cut - 1 - won) // width, minlength=windows)[:windows].astype(float)
    mean = counts.mean()
    if mean <= 0:
        return 0.0
    variance = float(np.mean(np.diff(counts) ** 2) / 2)
    noise = mean * (1 + np.sqrt(2 / (windows - 1)))
    return float(np.sqrt(max(variance - noise, 0.0)) / mean)


def actual_won(timeline: Timeline, start: int, end: int) -> tuple[int, float]:
    """Deals won in [start, end) and their value, from the whole timeline."""
    deals, amounts = won_between(timeline, start, end)
    return len(deals), float(np.nansum(amounts))


__all__ = ["NEW_DEALS", "Model", "actual_won", "forecast_at", "stage_figures"]
