"""Funnel replies from hand-built figures: changes, tables, best and worst, limits, escaping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.analytics import Delta, Funnel, FunnelGroups, FunnelStep
from assistant.blocks import funnel as render
from assistant.blocks.common import MAX_BLOCKS, MAX_SECTION_TEXT
from assistant.domain.periods import Period

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WEEK = Period(NOW - timedelta(days=7), NOW, "last 7 days")
LABELS = ("Awareness", "Interest", "Consideration", "Action (purchase)")


def funnel(now: list[int], before: list[int], group: str | None = None, **kw) -> Funnel:
    """Reached per stage now and before; conversions worked out from them."""

    def share(a, b):
        return a / b if b else None

    steps = tuple(
        FunnelStep(
            key=label.split()[0].lower(), label=label, position=i,
            reached=Delta(now[i], before[i]),
            step_conversion=Delta(None, None) if i == 0 else Delta(
                share(now[i], now[i - 1]), share(before[i], before[i - 1])),
        )
        for i, label in enumerate(LABELS)
    )  # fmt: skip
    return Funnel(
        period=WEEK, previous_period=WEEK.previous(), cohort=Delta(now[0], before[0]),
        steps=steps, overall=Delta(share(now[-1], now[0]), share(before[-1], before[0])),
        median_days_to_action=kw.pop("days", Delta(None, None)), group=group, **kw,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("delta", "shown"),
    [
        (Delta(0.42, 0.37), "42% (▲5 pts vs previous 7 days)"),
        (Delta(0.30, 0.45), "30% (▼15 pts vs previous 7 days)"),
        (Delta(0.5, 0.5), "50% (no change vs previous 7 days)"),
        (Delta(0.125, None), "13% (no figure for the previous 7 days)"),  # half up
        # 42.4% and 37.6% show as 42% and 38%: the change shown is 4 pts, as a reader works out.
        (Delta(0.424, 0.376), "42% (▲4 pts vs previous 7 days)"),
        (Delta(None, 0.3), "—"),
    ],
)
def test_percentage_changes(delta, shown):
    assert render.pct_change(delta, WEEK) == shown


def test_count_and_day_changes():
    assert render.count_note(Delta(6, 1), WEEK) == "(▲5 vs previous 7 days)"
    assert render.count_note(Delta(1, 3), WEEK) == "(▼2 vs previous 7 days)"
    assert render.days_change(Delta(3.0, 4.5), WEEK) == "3 days (▼1.5 days vs previous 7 days)"
    assert render.days_change(Delta(2.0, None), WEEK) == "2 days"
    assert render.days_change(Delta(None, 2.0), WEEK) == "—"


def test_funnel_reply():
    # Now 10 -> 6 -> 3 -> 2: steps 60%, 50%, 67%; overall 20%. Before 8 -> 4 -> 2 -> 1: 12.5%.
    f = funnel([10, 6, 3, 2], [8, 4, 2, 1], days=Delta(4.0, 6.0), source="Ads & <!here>")
    reply = render.funnel_reply(f)
    assert "*Funnel, last 7 days · source: Ads &amp; &lt;!here&gt;*" in reply.text
    assert "• Leads created: *10* (▲2 vs previous 7 days)" in reply.text
    # 20% against 13% (12.5% rounded half up): ▲7 pts.
    assert "• Reached Action (purchase): *20% (▲7 pts vs previous 7 days)*" in reply.text
    assert "• Median time to action: 4 days (▼2 days vs previous 7 days)" in reply.text
    table = reply.to_dict()["blocks"][1]["text"]["text"].splitlines()
    # Interest 60% vs 50% before: +10 pts; consideration 50% vs 50%; action 67% vs 50%.
    assert table[1:-1] == [
        "Stage              Reached  Change  Step   Change",
        "Awareness               10      +2     —        —",
        "Interest                 6      +2   60%  +10 pts",
        "Consideration            3      +1   50%   +0 pts",
        "Action (purchase)        2      +1   67%  +17 pts",
    ]
    assert "<!here>" not in str(reply.to_dict())


def groups(*funnels: Funnel, by: str = "source") -> FunnelGroups:
    return FunnelGroups(WEEK, WEEK.previous(), by, tuple(funnels))


def test_groups_best_worst_and_escaped_names():
    reply = render.groups_reply(
        groups(
            funnel([4, 2, 1, 1], [0, 0, 0, 0], group="Google"),
            funnel([3, 3, 0, 0], [2, 1, 1, 1], group="`news` <@U1>"),
            funnel([2, 2, 2, 2], [0, 0, 0, 0], group="(none)"),
        )
    )
    # Google 1/4 = 25%; the newsletter 0/3 = 0%; "(none)" is never best or worst.
    # The backticks typed into the name show as typed, not as code (blocks.common.literal).
    news = "\u200b`\u200bnews\u200b`\u200b &lt;@U1&gt;"
    # Groups of 4 and 3 leads are too few to call one best (MIN_SAMPLE, issue #15).
    assert "no best or worst yet: fewer than two sources with 30 leads or more" in reply.text
    assert f"{news}: 3 leads, 0.0% overall" in reply.text
    table = reply.to_dict()["blocks"][1]["text"]["text"]
    # Backticks would close the code block; 0% now against 1 of 2 = 50% before: -50 pts.
    row = next(line for line in table.splitlines() if line.startswith("'news' &lt;@U1&gt; "))
    assert row.split()[2:] == ["3", "3", "3", "0", "0", "0.0%", "-50", "pts"]
    assert "<@U1>" not in str(reply.to_dict())


def test_one_group_has_nothing_to_compare():
    reply = render.groups_reply(groups(funnel([1, 0, 0, 0], [0, 0, 0, 0], group="Ads")))
    assert "no best or worst yet: fewer than two sources with 30 leads or more" in reply.text


def test_many_groups_are_counted_not_listed():
    many = [
        funnel([5, 2, 1, 1], [5, 2, 1, 0], group=f"campaign {n} " + "x" * 90) for n in range(400)
    ]
    payload = render.groups_reply(groups(*many, by="campaign")).to_dict()
    assert len(payload["blocks"]) <= MAX_BLOCKS
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
    assert "…and 385 more campaigns." in payload["text"]
    assert "no best or worst yet: fewer than two campaigns with 30 leads or more" in payload["text"]
