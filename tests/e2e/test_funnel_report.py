"""`/funnel`, `/funnel sources` and `/funnel campaigns` end to end, figures worked out by hand.

T0 = Monday 2026-03-02 09:00 UTC (the bot's clock); `7d` is [T0-7d, T0), the period before it
[T0-14d, T0-7d).
  T0-10d  P1 Google, awareness                                 (the previous cohort)
  T0-3d   A1 Google/spring, awareness                          furthest awareness
          A2 Google/spring, -> interest at T0-2d               furthest interest
          A3 LinkedIn, created at interest, -> consideration   furthest consideration
          A4 LinkedIn/fall, created at action                  furthest action, 0 days
          A5 no source/spring, converted at T0-2d, its deal
             won at T0-1d                                      furthest action, 2 days
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.services import deals, leads
from assistant.services.context import Actor
from assistant.services.leads import NewLead

REP = Actor("T_TEST", "UREP")
REPORT_USAGE = "Usage: `/funnel [period] [source:..] [campaign:..] [share]`"


def _lead(bot, name, source=None, campaign=None, stage=None) -> None:
    new = NewLead(name, source=source, campaign=campaign, stage=stage)
    leads.create_lead(bot.services, REP, new)


@pytest.fixture
def story(bot):
    clock = bot.services.clock
    t0 = clock.now
    clock.set(t0 - timedelta(days=10))
    _lead(bot, "P1", "Google")
    clock.set(t0 - timedelta(days=3))
    _lead(bot, "A1", "Google", "spring")
    _lead(bot, "A2", "Google", "spring")
    _lead(bot, "A3", "LinkedIn", stage="interest")
    _lead(bot, "A4", "LinkedIn", "fall", stage="action")
    _lead(bot, "A5", campaign="spring")
    clock.set(t0 - timedelta(days=2))
    leads.move_lead(bot.services, REP, "A2", "interest")
    leads.move_lead(bot.services, REP, "A3", "consideration")
    converted = leads.convert_lead(bot.services, REP, "A5")
    clock.set(t0 - timedelta(days=1))
    deals.win_deal(bot.services, REP, f"#{converted.deal.number}")
    clock.set(t0)
    return bot


def _table(result) -> list[str]:
    block = next(b for b in result.body["blocks"] if "```" in b.get("text", {}).get("text", ""))
    return block["text"]["text"].splitlines()[1:-1]  # inside the fences


def test_funnel_report_by_hand(story):
    result = story.command("/funnel", "7d")
    assert result.status == 200 and result.ephemeral
    # Cohort A1..A5 = 5, against P1 alone in the 7 days before.
    assert "*Funnel, last 7 days*" in result.text
    assert "• Leads created: *5* (▲4 vs previous 7 days)" in result.text
    # Action: A4 and A5 = 2 of 5 = 40%; before 0 of 1 = 0%.
    assert "• Reached Action (purchase): *40% (▲40 pts vs previous 7 days)*" in result.text
    # Days to action: A4 0, A5 2 -> median 1 day; nobody reached action before.
    assert "• Median time to action: 1 day" in result.text
    # Reached: awareness 5; interest A2 A3 A4 A5 = 4 (4/5 = 80%); consideration A3 A4 A5 = 3
    # (3/4 = 75%); action 2 (2/3 = 67%). Before: 1, 0, 0, 0 -> interest 0 / 1 = 0%, then none.
    assert _table(result) == [
        "Stage              Reached  Change  Step   Change",
        "Awareness                5      +4     —        —",
        "Interest                 4      +4   80%  +80 pts",
        "Consideration            3      +3   75%        —",
        "Action (purchase)        2      +2   67%        —",
    ]
    assert "Consideration: 3 reached, 75% of the stage before" in result.body["text"]


def test_funnel_of_one_source_shared(story):
    result = story.command("/funnel", "share 7d source:google")
    assert result.status == 200 and not result.ephemeral
    # Google now: A1, A2 -> interest 1 of 2 = 50%, nothing further; before: P1.
    assert "*Funnel, last 7 days · source: google*" in result.text
    assert "• Leads created: *2* (▲1 vs previous 7 days)" in result.text
    assert "• Reached Action (purchase): *0% (no change vs previous 7 days)*" in result.text
    assert "Interest                 1      +1   50%  +50 pts" in _table(result)


def test_sources_side_by_side(story):
    result = story.command("/funnel", "sources 7d")
    assert result.status == 200 and result.ephemeral
    # Google A1 A2: 0 of 2; LinkedIn A3 A4: 1 of 2 = 50%; (none) A5 is not ranked.
    assert (
        "*Funnel by source, last 7 days*: 3 sources; no best or worst yet: fewer than two "
        "sources with 30 leads or more."
    ) in result.text
    # Most leads first, then by name; Google's 0% was 0% before too (P1).
    assert _table(result) == [
        "Source    Leads  Awareness  Interest  Consider…  Action  Overall  Change",
        "Google        2          2         1          0       0     0.0%  +0 pts",
        "LinkedIn      2          2         2          2       1    50.0%       —",
        "(none)        1          1         1          1       1   100.0%       —",
    ]


def test_campaigns_side_by_side(story):
    result = story.command("/funnel", "campaigns 7d")
    # spring A1 A2 A5: action A5 only, 1 of 3 = 33%; fall A4: 1 of 1 = 100%.
    assert "no best or worst yet: fewer than two campaigns with 30 leads or more." in result.text
    assert "spring        3          3         2          1       1    33.3%       —" in _table(
        result
    )


def test_many_sources_are_summarised(bot):
    for n in range(20):
        _lead(bot, f"Lead {n}", source=f"src{n:02d}")
    bot.services.clock.advance(minutes=1)  # periods end at "now", exclusive
    result = bot.command("/funnel", "sources")
    assert len(_table(result)) == 1 + 15  # the header and 15 sources
    assert "…and 5 more sources." in result.text
    assert "no best or worst yet: fewer than two sources with 30 leads or more" in result.text


def test_empty_funnel(bot):
    result = bot.command("/funnel")
    assert result.status == 200
    assert "No leads were created in last 30 days (0 in the previous 30 days)." in result.text


@pytest.mark.parametrize(
    ("text", "phrase", "usage"),
    [
        ("2026-Q5", "quarters are Q1 to Q4", REPORT_USAGE),
        ("7d medium:email", "Unknown option `medium:`", REPORT_USAGE),
        ("sourcse", "Did you mean `/funnel sources`?", REPORT_USAGE),
        ("7d google", "I don't know what to do with `google`", REPORT_USAGE),
        ("sources 7d extra", "I don't know what to do with `extra`",
         "Usage: `/funnel sources [period]`"),
        ("campaigns 0d", "the number of days must be 1 to 3650",
         "Usage: `/funnel campaigns [period]`"),
        ("chart yesterdays", "I don't know what to do with `yesterdays`",
         "Usage: `/funnel chart [period] [source:..] [campaign:..]`"),
    ],
)  # fmt: skip
def test_bad_input_is_explained(story, text, phrase, usage):
    result = story.command("/funnel", text)
    assert result.status == 200 and result.ephemeral
    assert phrase in result.text and usage in result.text
    assert story.fake.calls_to("files.completeUploadExternal") == []


def test_help(bot):
    result = bot.command("/funnel", "help")
    assert result.status == 200 and result.ephemeral
    for usage in ("/funnel sources [period]", "/funnel campaigns [period]", "/funnel chart"):
        assert usage in result.text
    detail = bot.command("/funnel", "help chart")
    assert "*/funnel chart*: the funnel as a picture" in detail.text
