"""The weekly pipeline digest's results section: last week against the week before, why
velocity moved, and the team's target (issue #16), through the real scheduler and composer."""

from __future__ import annotations

import math
from datetime import UTC, datetime

# (day in February 2026 at 09:00 UTC, command text); deals are numbered in creation order.
STORY = [
    (1, "new Fjord 5k"),  # #1, open throughout
    (9, "new Acme 10k"),  # #2
    (10, "new Cargo 20k"),  # #3
    (11, "new Bolt 8k"),  # #4
    (12, "new Echo 9k"),  # #5
    (18, "won 2"),  # the week before (Mon 16 to Sun 22): Acme won after 9 days
    (19, "lost 4 no budget"),  # ... and Bolt lost
    (20, "new Delta 30k"),  # #6
    (24, "won 3"),  # last week (Mon 23 to Sun 1 March): Cargo won after 14 days
    (25, "new Gamma 7k"),  # #7, open
    (26, "won 6"),  # Delta won after 6 days
    (27, "lost 5 went elsewhere"),  # Echo lost
]


def _velocity(open_deals: int, won: int, closed: int, won_value: float, cycles: list[int]):
    average, cycle = won_value / won, sum(cycles) / len(cycles)
    return open_deals * (won / closed) * average / cycle


def test_weekly_digest_reports_last_week_and_why_velocity_moved(bot):
    clock = bot.services.clock
    for day, text in STORY:
        clock.set(datetime(2026, 2, day, 9, 0, tzinfo=UTC))
        assert bot.command("/deal", text).status == 200
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # Monday
    bot.command("/sales", "target team 100k this quarter", user="UADMIN")
    bot.command("/digest", "subscribe <#C0SALES|sales> pipeline weekly mon at 10:00", user="UADMIN")
    scheduler = bot.scheduler()
    clock.advance(hours=1, minutes=5)
    assert scheduler.tick()["posted"] == 1
    [post] = bot.fake.calls_to("chat.postMessage")
    text = post.args["text"]

    # Independently: open at the end of each week (created before it, not closed by then).
    before = _velocity(4, 1, 2, 10_000, [9])  # Fjord, Cargo, Echo, Delta open on 23 Feb
    now = _velocity(2, 2, 3, 50_000, [14, 6])  # Fjord and Gamma open on 2 March
    assert "*Last week* (Feb 23–Mar 1): Won 2 deals ($50,000), lost 1 · win rate 66.7% · " in text
    assert f"velocity ${now:,.2f} a day (+{(now / before - 1) * 100:.0f}%)" in text

    def pct(ratio: float) -> str:
        return f"{(ratio - 1) * 100:+.0f}%".replace("-", "−")

    factors = {
        "open": 2 / 4, "rate": (2 / 3) / (1 / 2), "average": 25_000 / 10_000, "cycle": 10 / 9,
    }  # fmt: skip
    assert math.isclose(math.prod(factors.values()) / factors["cycle"] ** 2, now / before)
    assert (
        f"_Velocity {pct(now / before)}: fewer open deals {pct(factors['open'])}, higher win "
        f"rate {pct(factors['rate'])}, bigger deals {pct(factors['average'])}, longer cycle "
        f"{pct(factors['cycle'])} against the week before._"
    ) in text
    # The team target of 2026-Q1: 10k + 20k + 30k won of 100k.
    assert "*Target* (team, 2026-Q1): $100,000, 60.0% reached, $40,000 to go" in text


def test_daily_digest_has_no_weekly_results(bot):
    bot.command("/deal", "new Acme 10k")
    bot.command("/digest", "subscribe <#C0SALES|sales> pipeline daily at 10:00", user="UADMIN")
    scheduler = bot.scheduler()
    bot.services.clock.advance(hours=1, minutes=5)
    assert scheduler.tick()["posted"] == 1
    [post] = bot.fake.calls_to("chat.postMessage")
    assert "Pipeline digest" in post.args["text"] and "*Last week*" not in post.args["text"]
