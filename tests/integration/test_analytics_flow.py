"""Stays, stage conversion and movement, replayed from the history (PRODUCT.md §4, §5).

The story (T0 = Monday 2 March 2026, 09:00 UTC; amounts #1 1,000, #2 2,000, #3 4,000):
  T0     create #1, #2, #3 in prospecting
  T0+1d  #1 prospecting -> qualification   (forward)
  T0+2d  #1 qualification -> prospecting   (back)
  T0+3d  #1 prospecting -> qualification   (forward)
  T0+4d  #2 lost from prospecting          (lost)
  T0+5d  #2 reopened, back in prospecting  (no departure)
  T0+6d  #2 prospecting -> assessment      (forward, skipping a stage)
  T0+7d  #3 won from prospecting           (forward: won)
  T0+8d  #1 lost from qualification        (lost)
  T0+9d  #3 reopened into proposal         (no departure: it was closed)
  T0+10d #3 proposal -> solution           (back)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from assistant.analytics.stays import stay_ends
from assistant.domain.periods import Period
from assistant.services import deals, queries, reports
from assistant.services.deal_views import stage_map
from assistant.services.deals import NewDeal
from assistant.storage.models import Deal, Workspace

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


@pytest.fixture
def story(services, rep, clock):
    clock.set(T0)
    for name, amount in (("One", "1000"), ("Two", "2000"), ("Three", "4000")):
        deals.create_deal(services, rep, NewDeal(name=name, amount=Decimal(amount)))
    steps = [
        (1, deals.move_deal, "#1", "qualification"),
        (2, deals.move_deal, "#1", "prospecting"),
        (3, deals.move_deal, "#1", "qualification"),
        (4, deals.lose_deal, "#2", None),
        (5, deals.reopen_deal, "#2", None),
        (6, deals.move_deal, "#2", "assessment"),
        (7, deals.win_deal, "#3", None),
        (8, deals.lose_deal, "#1", None),
        (9, deals.reopen_deal, "#3", "proposal"),
        (10, deals.move_deal, "#3", "solution"),
    ]
    for when, action, ref, arg in steps:
        clock.set(day(when))
        action(services, rep, ref, arg) if arg else action(services, rep, ref)
    clock.set(day(20))


def _ws(session, team_id="T_TEST") -> int:
    return session.scalar(select(Workspace.id).where(Workspace.team_id == team_id))


def test_stays_match_the_deal_card_replay(services, db, story):
    """Every completed stay from SQL is one the deal card's replay (queries.stage_stays) has."""
    with db.reading() as session:
        ws = _ws(session)
        ends, params = stay_ends(ws, day(0), day(20))
        sql = sorted(
            (r.deal_id, r.stage_key, r.entered_at, r.left_at)
            for r in session.execute(select(ends), params)
        )
        stages = stage_map(session, ws)
        replayed = sorted(
            (deal_id, s.stage_key, s.entered_at, s.left_at)
            for deal_id in session.scalars(select(Deal.id))
            for s in queries.stage_stays(session, deal_id, ws, stages)
            if s.left_at is not None
        )
    assert sql == replayed
    assert len(sql) == 8  # the eight departures of the story


def test_stage_conversion(services, rep, story):
    report = reports.conversion(services, rep, Period(day(0), day(20), "20 days"))
    rows = {r.key: r for r in report.stages}
    # prospecting left 5 times: #1@1 fwd, #1@3 fwd, #2@4 lost, #2@6 fwd, #3@7 won
    # -> forward 4 (3 moves + 1 won), lost 1: share 4 / 5 = 0.8.
    p = rows["prospecting"]
    assert (p.left.current, p.forward.current, p.share.current) == (5, 4, pytest.approx(0.8))
    assert (p.advanced, p.won, p.back, p.lost) == (3, 1, 0, 1)
    # qualification left twice: #1@2 back, #1@8 lost -> share 0 / 2 = 0.
    q = rows["qualification"]
    assert (q.left.current, q.forward.current, q.share.current) == (2, 0, 0.0)
    assert (q.back, q.lost) == (1, 1)
    # proposal: #3@10 went back to solution. The reopen of #3 into proposal is no departure.
    r = rows["proposal"]
    assert (r.left.current, r.forward.current, r.back) == (1, 0, 1)
    # Nobody left assessment, solution or closing: no share rather than 0 %.
    for key in ("assessment", "solution", "closing"):
        assert rows[key].left.current == 0
        assert rows[key].share.current is None
    assert [r.key for r in report.stages][:2] == ["prospecting", "qualification"]


def test_stage_conversion_against_previous_period(services, rep, story):
    report = reports.conversion(services, rep, Period(day(5), day(10), "5 days"))
    rows = {r.key: r for r in report.stages}
    # Now [T0+5d, T0+10d): prospecting #2@6 fwd, #3@7 won -> 2 of 2 = 1.0; qualification
    # #1@8 lost -> 0 of 1. #3@10 is at the end, which is excluded.
    # Before [T0, T0+5d): prospecting #1@1 fwd, #1@3 fwd, #2@4 lost -> 2 of 3;
    # qualification #1@2 back -> 0 of 1.
    p = rows["prospecting"]
    assert (p.left.current, p.left.previous) == (2, 3)
    assert p.share.current == pytest.approx(1.0)
    assert p.share.previous == pytest.approx(2 / 3)
    assert p.share.change == pytest.approx(1 / 3)
    q = rows["qualification"]
    assert (q.left.current, q.left.previous, q.share.current, q.share.previous) == (1, 1, 0, 0)
    assert rows["proposal"].left.current == 0
    assert report.previous_period.start == day(0)


def test_stays_in_the_bottleneck_report(services, rep, story):
    report = reports.bottlenecks(services, rep, Period(day(0), day(20), "20 days"))
    stages = {s.key: s for s in report.stages}
    # prospecting stays: #1 T0..1 (1 d), #1 2..3 (1), #2 0..4 (4), #2 5..6 (1, after the
    # reopen), #3 0..7 (7) -> sorted [1, 1, 1, 4, 7]: median 1; p90 rank 4 x 0.9 = 3.6 ->
    # 4 + 0.6 x (7 - 4) = 5.8.
    p = stages["prospecting"]
    assert p.completed_stays.current == 5
    assert p.stay_median_days.current == pytest.approx(1)
    assert p.stay_p90_days.current == pytest.approx(5.8)
    # qualification: #1 1..2 (1 d), #1 3..8 (5) -> median 3; p90 rank 0.9 -> 1 + 0.9 x 4 = 4.6.
    q = stages["qualification"]
    assert q.stay_median_days.current == pytest.approx(3)
    assert q.stay_p90_days.current == pytest.approx(4.6)
    # proposal: #3 from the reopen at 9 to 10: one stay of 1 day.
    assert stages["proposal"].stay_median_days.current == pytest.approx(1)
    assert stages["proposal"].stay_p90_days.current == pytest.approx(1)


def test_movement(services, rep, story):
    m = reports.movement(services, rep, day(0), day(20))
    # New: #1, #2, #3 worth 1,000 + 2,000 + 4,000 = 7,000. Advances: #1@1, #1@3, #2@6 = 3.
    # Setbacks: #1@2, #3@10 = 2. Won: #3@7 (4,000). Lost: #2@4, #1@8 = 2.
    assert (m.new_count, m.new_value) == (3, Decimal("7000"))
    assert (m.advances, m.setbacks) == (3, 2)
    assert (m.won_count, m.won_value, m.lost_count) == (1, Decimal("4000"), 2)


def test_movement_window_edges(services, rep, story):
    # [T0+6d, T0+8d): #2@6 advance (the start is included), #3@7 won; #1@8 lost is at the
    # end, excluded. Nothing was created.
    m = reports.movement(services, rep, day(6), day(8))
    assert (m.new_count, m.new_value, m.advances, m.setbacks) == (0, Decimal(0), 1, 0)
    assert (m.won_count, m.won_value, m.lost_count) == (1, Decimal("4000"), 0)


def test_movement_of_an_empty_workspace(services, rep):
    m = reports.movement(services, rep, day(0), day(1))
    assert (m.new_count, m.advances, m.won_count, m.lost_count) == (0, 0, 0, 0)
    assert m.won_value == Decimal(0) and m.new_value == Decimal(0)


def test_history_of_other_workspaces_is_not_counted(services, rep, story):
    from assistant.services.context import Actor

    other = Actor(team_id="T_OTHER", user_id="UXX")
    deals.create_deal(services, other, NewDeal(name="Elsewhere", amount=Decimal("99")))
    deals.move_deal(services, other, "#1", "next")
    m = reports.movement(services, rep, day(0), day(21))
    assert (m.new_count, m.advances) == (3, 3)
    assert reports.movement(services, other, day(0), day(21)).advances == 1
