"""The forecasting core on generated histories whose true probabilities are known, checked
against independent computations (lifelines for Kaplan-Meier, the generator's truth)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from lifelines import KaplanMeierFitter

from assistant.analytics.forecasting.backtest import score, totals
from assistant.analytics.forecasting.learned import PRIOR_WEIGHT, StageChance
from assistant.analytics.forecasting.model import NEW_DEALS, actual_won, forecast_at
from assistant.analytics.forecasting.survival import Survival
from assistant.analytics.forecasting.timeline import DAY, Timeline
from testkit.forecast_histories import STAGES, generate, true_chances

CONFIGURED = {"lead": 0.1, "demo": 0.2, "proposal": 0.5, "closing": 0.8}


def timeline_of(generated) -> Timeline:
    ids, ats, fields, values = zip(*generated.rows, strict=True)
    return Timeline.from_lists(ids, ats, fields, values, STAGES)


def test_learned_probabilities_are_within_a_few_points_of_the_truth():
    generated = generate(seed=1, days=900, per_day=5)
    timeline = timeline_of(generated)
    model = forecast_at(timeline, timeline.seconds(_dt(generated.at(880))),
                        timeline.seconds(_dt(generated.at(910))), CONFIGURED, sims=200)  # fmt: skip
    truth = true_chances()
    for key in STAGES:
        chance = model.stages[key].chance
        assert chance.closed > 1000
        assert chance.learned == pytest.approx(truth[key], abs=0.03), key
        assert chance.uses_learned  # over LEARNED_FROM closed deals
    # Learned from creation = reached the first stage.
    assert model.stages[NEW_DEALS].chance.learned == pytest.approx(truth["lead"], abs=0.03)


def test_the_prior_is_worth_the_stated_number_of_deals():
    assert StageChance(0.5, 0, 0).learned == 0.5
    half = StageChance(0.5, won=PRIOR_WEIGHT, closed=PRIOR_WEIGHT)  # all won: half way to 1
    assert half.learned == pytest.approx(0.75)
    assert not StageChance(0.5, 10, 29).uses_learned
    assert StageChance(0.5, 10, 29).used == 0.5
    assert StageChance(0.5, 10, 29, mode="learned").used == pytest.approx(20 / 49)
    assert StageChance(0.5, 10, 30, mode="configured").used == 0.5


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_kaplan_meier_equals_lifelines(seed):
    rng = np.random.default_rng(seed)
    durations = np.round(rng.exponential(20, 400), 1)  # rounded: ties, as real days have
    observed = rng.random(400) < 0.6
    ours = Survival.fit(durations, observed)
    theirs = KaplanMeierFitter().fit(durations, observed)
    grid = np.linspace(0, durations.max() + 1, 300)
    expected = theirs.survival_function_at_times(grid).to_numpy()
    assert np.allclose(ours.at(grid), expected, atol=1e-12)
    assert ours.quantile(0.5) == pytest.approx(theirs.median_survival_time_)


def test_kaplan_meier_of_a_stage_equals_lifelines_with_open_deals_censored():
    generated = generate(seed=6, days=300)
    timeline = timeline_of(generated)
    cut = timeline.seconds(_dt(generated.at(250)))
    entries = timeline.entries
    mine = (entries.stage == STAGES.index("proposal")) & (entries.sec < cut)
    closed = entries.close_sec[mine] < cut
    durations = (np.where(closed, entries.close_sec[mine], cut) - entries.sec[mine]) / DAY
    assert 0 < (~closed).sum() < len(closed)  # some still open at the cut: censored
    theirs = KaplanMeierFitter().fit(durations, closed)
    model = forecast_at(timeline, cut, cut + 30 * DAY, CONFIGURED, sims=100)
    ours = model.stages["proposal"].survival
    grid = np.linspace(0, 120, 241)
    assert np.allclose(ours.at(grid), theirs.survival_function_at_times(grid).to_numpy())


def test_p10_to_p90_covers_the_actual_in_about_80_percent_of_generated_periods():
    inside, errors = [], []
    for seed in range(100, 180):
        generated = generate(seed, days=420, per_day=3)
        timeline = timeline_of(generated)
        cut = timeline.seconds(_dt(generated.at(360)))
        end = cut + 30 * DAY
        model = forecast_at(timeline, cut, end, CONFIGURED, sims=1000)
        _, actual = actual_won(timeline, cut, end)
        outcome = model.outcome
        inside.append(outcome.p10 <= actual <= outcome.p90)
        errors.append((actual - outcome.p50) / outcome.p50)
    assert 0.68 <= np.mean(inside) <= 0.92, np.mean(inside)
    assert abs(np.median(errors)) < 0.1  # P50 neither high nor low


def test_the_same_data_gives_the_same_forecast():
    generated = generate(seed=7, days=200)
    timeline = timeline_of(generated)
    cut = timeline.seconds(_dt(generated.at(150)))
    a = forecast_at(timeline, cut, cut + 30 * DAY, CONFIGURED)
    b = forecast_at(timeline, cut, cut + 30 * DAY, CONFIGURED)
    assert np.array_equal(a.outcome.totals, b.outcome.totals)
    assert a.outcome.p10 < a.outcome.p50 < a.outcome.p90


def test_an_empty_history_forecasts_nothing():
    timeline = Timeline.from_lists([], [], [], [], STAGES)
    model = forecast_at(timeline, 10 * DAY, 40 * DAY, CONFIGURED)
    assert model.outcome.p90 == 0 and model.outcome.expected_count == 0
    assert not model.any_closed


def test_no_closed_deals_falls_back_to_the_close_dates_and_configured_chances():
    t = datetime(2026, 3, 1, tzinfo=UTC)
    rows = [
        (1, t, "stage_key", "proposal"), (1, t, "status", "open"), (1, t, "amount", "1000.00"),
        (1, t, "close_date", "2026-03-20"),
        (2, t, "stage_key", "proposal"), (2, t, "status", "open"), (2, t, "amount", "5000.00"),
        (2, t, "close_date", "2026-06-20"),
        (3, t, "stage_key", "demo"), (3, t, "status", "open"),  # no amount, no close date
    ]  # fmt: skip
    timeline = Timeline.build(rows, STAGES)
    cut = timeline.seconds(datetime(2026, 3, 10, tzinfo=UTC))
    model = forecast_at(timeline, cut, timeline.seconds(datetime(2026, 4, 1, tzinfo=UTC)),
                        CONFIGURED)  # fmt: skip
    assert not model.any_closed
    assert model.from_close_dates.all()
    assert list(model.p) == [0.5, 0.0, 0.0]  # configured proposal chance, dated in the period
    assert model.outcome.expected_value == pytest.approx(500)
    assert set(model.outcome.totals) == {0.0, 1000.0}


def test_a_stage_nobody_ever_left_has_no_curve_and_censored_stays():
    t = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [(i, t, "stage_key", "closing") for i in range(1, 4)]
    timeline = Timeline.build(rows, STAGES)
    cut = timeline.seconds(datetime(2026, 2, 1, tzinfo=UTC))
    model = forecast_at(timeline, cut, cut + 30 * DAY, CONFIGURED)
    stage = model.stages["closing"]
    assert stage.chance.closed == 0 and stage.chance.used == 0.8
    assert stage.survival.closes == 0 and not stage.survival.usable
    assert list(stage.survival.at(np.array([0.0, 100.0]))) == [1.0, 1.0]
    assert list(model.p) == [0.0, 0.0, 0.0]  # no close dates: nothing says they close now


def test_a_deal_closed_before_it_was_created_closes_when_created():
    created, closed = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    rows = [(9, created, "stage_key", "demo"), (9, created, "status", "open"),
            (9, closed, "status", "won")]  # fmt: skip
    timeline = Timeline.build(rows, STAGES)
    assert timeline.reordered == 1
    entries = timeline.entries
    assert (entries.close_sec == entries.sec).all() and entries.won.all()
    cut = timeline.seconds(datetime(2026, 4, 1, tzinfo=UTC))
    model = forecast_at(timeline, cut, cut + DAY, CONFIGURED)
    assert model.stages["demo"].chance.won == 1
    assert model.stages["demo"].survival.times.tolist() == [0.0]


def test_close_within_conditions_on_the_time_already_spent():
    survival = Survival.fit(np.array([5.0, 10, 15, 20, 25, 30]), np.ones(6, dtype=bool))
    assert survival.close_within(np.array([0.0]), 10)[0] == pytest.approx(2 / 6)
    # After 12 days, 4 deals of 6 are left; 2 of them close in the next 10 days.
    assert survival.close_within(np.array([12.0]), 10)[0] == pytest.approx(2 / 4)
    # Older than every close seen: the stage's average rate.
    rate = 6 / 105
    assert survival.close_within(np.array([40.0]), 10)[0] == pytest.approx(1 - np.exp(-rate * 10))


def _dt(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def test_a_cut_uses_only_the_rows_before_it():
    generated = generate(seed=8, days=300)
    whole = timeline_of(generated)
    cut_at = generated.at(200)
    known = [row for row in generated.rows if row[1] < cut_at]
    ids, ats, fields, values = zip(*known, strict=True)
    then = Timeline.from_lists(ids, ats, fields, values, STAGES)
    assert then.origin == whole.origin
    cut = whole.seconds(_dt(cut_at))
    later = forecast_at(whole, cut, cut + 30 * DAY, CONFIGURED)
    before = forecast_at(then, cut, cut + 30 * DAY, CONFIGURED)
    assert np.array_equal(later.outcome.totals, before.outcome.totals)
    assert later.stages["demo"].chance == before.stages["demo"].chance


def test_backtest_scores_coverage_error_and_brier_learned_against_configured():
    generated = generate(seed=9, days=720, per_day=3)
    timeline = timeline_of(generated)
    cuts = [timeline.seconds(_dt(generated.at(day))) for day in range(300, 690, 30)]
    scores = [score(timeline, cut, cut + 30 * DAY, CONFIGURED, sims=1000) for cut in cuts]
    for s in scores:
        assert s.actual == actual_won(timeline, s.cut, s.end)[1]
        assert s.error == (s.p50 - s.actual) / s.actual
    found = totals(scores)
    assert found.cuts == 13 and found.coverage == np.mean([s.inside for s in scores])
    assert found.coverage >= 0.6
    # The configured chances (10 %..80 %) are far from the truth (41 %..65 %): learned wins.
    assert found.brier_learned < found.brier_configured - 0.02
    assert totals([]).coverage is None


def test_a_cut_before_the_history_sees_nothing_of_it():
    generated = generate(seed=10, days=120)
    timeline = timeline_of(generated)
    model = forecast_at(timeline, -5 * DAY, 30 * DAY, CONFIGURED)
    assert len(model.open.index) == 0 and not model.any_closed
