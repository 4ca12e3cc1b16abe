"""Lead replies: every fact present, user text escaped, limits kept however large the list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from assistant.blocks import leads as render
from assistant.blocks.common import MAX_BLOCKS, MAX_FALLBACK_TEXT, MAX_SECTION_TEXT
from assistant.domain.periods import Period
from assistant.services.queries import LeadFilter
from assistant.services.views import ConversionResult, DealView, LeadMoveResult, LeadView, Page

WHEN = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)


def lead(number: int = 7, **changes) -> LeadView:
    fields = dict(
        number=number, name="Jane Doe", company="Acme", email="jane@acme.com",
        source="webinar", campaign="spring", stage_key="interest", stage_label="Interest",
        furthest_stage_key="consideration", status="open", drop_reason=None,
        owner_id="U0ANA", created_at=WHEN, version=1, deal_numbers=[],
    )  # fmt: skip
    fields.update(changes)
    return LeadView(**fields)


def deal(**changes) -> DealView:
    fields = dict(
        number=12, name="Acme — Jane Doe", company="Acme", amount=Decimal("12000"),
        owner_id="U0BEN", stage_key="prospecting", stage_label="Lead generation",
        stage_entered_at=WHEN, status="open", lost_reason=None, close_date=None, closed_at=None,
        source="webinar", campaign="spring", lead_number=7, created_at=WHEN, version=1,
        target_days=7, probability=Decimal("0.05"), days_in_stage=0.0,
    )  # fmt: skip
    fields.update(changes)
    return DealView(**fields)


def test_facts_name_everything():
    text = render.lead_facts(lead(deal_numbers=[3, 12]))
    for fact in ("L7", "Jane Doe", "(Acme)", "jane@acme.com", "*Interest*",
                 "furthest: Consideration", "status: open", "webinar", "spring", "<@U0ANA>",
                 "deals: #3, #12"):  # fmt: skip
        assert fact in text, fact


def test_missing_facts_say_so():
    text = render.lead_facts(lead(company=None, email=None, source=None, campaign=None))
    assert "Source: — · campaign: —" in text and "()" not in text


def test_user_text_is_escaped():
    nasty = lead(name="<!channel> & co", company="<@U1>", source="<b>", drop_reason="<!here>")
    reply = render.dropped_reply(nasty)
    payload = str(reply.to_dict())
    assert "<!channel>" not in payload and "<@U1>" not in payload and "<!here>" not in payload
    assert "&lt;!channel&gt; &amp; co" in reply.text


def test_moved_and_converted_name_both_sides():
    moved = render.moved_reply(LeadMoveResult(lead(), "awareness", "interest"))
    assert "from *Awareness* to *Interest*" in moved.text
    converted = render.converted_reply(ConversionResult(lead(), deal()), "EUR")
    assert "deal *#12*" in converted.text and "€12,000" in converted.text
    assert "keeps the lead's source (webinar) and campaign (spring)" in converted.text
    assert "<@U0BEN>" in converted.text
    no_amount = render.converted_reply(ConversionResult(lead(), deal(amount=None)), "USD")
    assert "no amount yet" in no_amount.text


def test_card_dates_in_the_workspace_zone_and_next_steps():
    card = render.card_reply(lead(), ZoneInfo("Europe/Berlin"))
    assert "Created 2026-03-02." in card.text  # 23:30 UTC is past midnight in Berlin
    assert "/lead convert L7" in str(card.to_dict())
    converted = render.card_reply(lead(status="converted", deal_numbers=[12]), ZoneInfo("UTC"))
    assert "/deal show #12" in str(converted.to_dict())


def test_list_of_many_long_leads_stays_within_limits():
    long = "x" * 200
    items = [
        lead(n, name=long, company=long, source="s" * 100, campaign="`" * 100, email=long)
        for n in range(500, 0, -1)
    ]
    reply = render.list_reply(Page(items, 2_345), "Leads (all time)", ZoneInfo("UTC"))
    payload = reply.to_dict()
    assert len(payload["blocks"]) <= MAX_BLOCKS
    assert len(reply.text) <= MAX_FALLBACK_TEXT
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
            assert block["text"]["text"].count("```") in (0, 2)  # backticks can't break out
    assert "…and 2,315 more" in str(payload["blocks"][-1])
    assert reply.text.endswith("more.")


def test_empty_list_says_how_to_start():
    reply = render.list_reply(Page([], 0), "Leads (all time)", ZoneInfo("UTC"))
    assert "no leads" in reply.text and "/lead new" in reply.text


def test_table_sections_split_under_the_limit():
    rows = [("L1", "y" * 900)] * 12
    sections = render.table_sections(("Lead", "Name"), rows)
    assert len(sections) > 3
    assert all(len(s.text.text) <= MAX_SECTION_TEXT for s in sections)


def test_list_title_says_what_was_asked():
    period = Period(WHEN - timedelta(days=7), WHEN, "last 7 days")
    title = render.list_title(
        LeadFilter("open", "U0BOB", "interest", "<ads>", "q1", period), me="UREP"
    )
    assert title == (
        "Open leads of <@U0BOB> in Interest with source &lt;ads&gt; with campaign q1 "
        "(created: last 7 days)"
    )
    assert render.list_title(LeadFilter(owner_id="UREP"), me="UREP") == "Leads of yours (all time)"
