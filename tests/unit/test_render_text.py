"""Block Kit rendered as terminal text (the demo console)."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageBlock,
    MarkdownTextObject,
    SectionBlock,
)

from assistant.blocks.common import Reply, code_table, fenced
from assistant.demo.mrkdwn import BOLD, DIM, RESET, Style, render_mrkdwn
from assistant.demo.render import render_blocks, render_reply, two_columns

NAMES = Style(names={"U0DEMOANA": "ana", "U0DEMOBEN": "ben"}, channels={"C0WINS": "wins"})


def blocks(*items) -> list[dict]:
    return [b.to_dict() for b in items]


def test_header_is_an_underlined_title():
    text = render_blocks(blocks(HeaderBlock(text="Pipeline bottlenecks")))
    assert text == "Pipeline bottlenecks\n" + "─" * len("Pipeline bottlenecks")


def test_bold_is_plain_without_a_terminal_and_ansi_bold_on_one():
    assert render_mrkdwn("*Solution development* is the bottleneck") == (
        "Solution development is the bottleneck"
    )
    coloured = render_mrkdwn("*Won*", Style(color=True))
    assert coloured == f"{BOLD}Won{RESET}"


def test_italic_and_strike_lose_their_markers_but_not_the_words():
    assert render_mrkdwn("_slow_ and ~old~ but 2*3*4 and snake_case_name") == (
        "slow and old but 2*3*4 and snake_case_name"
    )


def test_code_block_keeps_its_alignment():
    table = code_table([["Stage", "Open"], ["Solution", "12"], ["Closing", "3"]], "lr")
    text = render_mrkdwn("*Board*\n" + fenced(table) + "\nTotals below")
    lines = text.splitlines()
    assert lines[0] == "Board"
    assert lines[1:4] == ["  Stage     Open", "  Solution    12", "  Closing      3"]
    assert lines[4] == "Totals below"
    assert "```" not in text


def test_markup_inside_code_is_left_alone():
    assert render_mrkdwn("```*not bold* a_b_c```") == "  *not bold* a_b_c"
    assert render_mrkdwn("run `/deal list *stuck*`") == "run `/deal list *stuck*`"


def test_user_ids_in_code_tables_become_names_in_the_same_width():
    text = render_mrkdwn(fenced("Owner      Days\nU0DEMOANA  3.0\nU0DEMOBEN  12.5"), NAMES)
    assert text.splitlines() == ["  Owner      Days", "  @ana       3.0", "  @ben       12.5"]


def test_mentions_use_the_name_map():
    text = render_mrkdwn("<@U0DEMOANA> owns it; <@U0DEMOBEN|benny> and <@U9|zed> and <@U8>", NAMES)
    assert text == "@ana owns it; @ben and @zed and @U8"


def test_channels_links_and_special_mentions():
    text = render_mrkdwn(
        "<#C0WINS> <#C1|general> <#C2> <mailto:ana@example.com|Ana> <mailto:b@example.com> "
        "<https://example.com|site> <https://example.com> <!here> "
        "<!date^1392734382^{date}|Feb 18, 2014>",
        NAMES,
    )
    assert text == (
        "#wins #general #C2 Ana b@example.com site (https://example.com) "
        "https://example.com @here Feb 18, 2014"
    )


def test_entities_are_unescaped_once_and_never_become_markup():
    text = render_mrkdwn("R&amp;D &lt;@U0DEMOANA&gt; &amp;lt; 3 &gt; 2", NAMES)
    assert text == "R&D <@U0DEMOANA> &lt; 3 > 2"


def test_emoji_shortcodes():
    assert render_mrkdwn(":warning: late :unknown_one:") == "⚠️ late :unknown_one:"


def test_fields_are_two_columns():
    section = SectionBlock(
        fields=[
            MarkdownTextObject(text="*Stage*\nProposal"),
            MarkdownTextObject(text="*Owner*\n<@U0DEMOANA>"),
            MarkdownTextObject(text="*Amount*\n$12,000"),
        ]
    )
    lines = render_blocks(blocks(section), NAMES).splitlines()
    assert lines == [
        "Stage       Owner",
        "Proposal    @ana",
        "Amount",
        "$12,000",
    ]


def test_two_columns_pads_by_visible_width_not_ansi_codes():
    cells = [f"{BOLD}A{RESET}", "right", "longer", "x"]
    lines = two_columns(cells).splitlines()
    assert lines[0].endswith("     right") and lines[1] == "longer    x"


def test_context_is_dimmed_on_a_terminal():
    context = ContextBlock(elements=[MarkdownTextObject(text="Updated _today_")])
    assert render_blocks(blocks(context)) == "Updated today"
    assert render_blocks(blocks(context), Style(color=True)).startswith(DIM)


def test_buttons_are_bracketed_labels():
    actions = ActionsBlock(
        elements=[
            ButtonElement(text="Next: Closing", action_id="a", value="1", style="primary"),
            ButtonElement(text="Won", action_id="b", value="1"),
            ButtonElement(text="Lost", action_id="c", value="1", style="danger"),
        ]
    )
    assert render_blocks(blocks(actions)) == "[ Next: Closing ]  [ Won ]  [ Lost ]"


def test_section_accessory_divider_and_image():
    section = SectionBlock(
        text=MarkdownTextObject(text="Deal #12"),
        accessory=ButtonElement(text="Open", action_id="o", value="12"),
    )
    image = ImageBlock(image_url="https://x/c.png", alt_text="chart", title="Value by stage")
    text = render_blocks(blocks(section, DividerBlock(), image))
    assert text.splitlines() == ["Deal #12", "[ Open ]", "─" * 60, "[image: Value by stage]"]


def test_reply_without_blocks_renders_its_text_and_never_json():
    reply = Reply(text="*Done*: <@U0DEMOANA> now owns #12")
    assert render_reply(reply, NAMES) == "Done: @ana now owns #12"
    with_blocks = Reply(text="x", blocks=[HeaderBlock(text="Title")])
    rendered = render_reply(with_blocks, NAMES)
    assert '{"type"' not in rendered and rendered.startswith("Title")


def test_a_second_header_is_set_off_by_a_blank_line():
    text = render_blocks(blocks(HeaderBlock(text="A"), HeaderBlock(text="B")))
    assert text == "A\n─\n\nB\n─"


def test_rich_text_is_flattened():
    block = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "text", "text": "Hi ", "style": {}},
                    {"type": "user", "user_id": "U0DEMOANA"},
                    {"type": "text", "text": " a<b", "style": {"bold": False}},
                ],
            }
        ],
    }
    assert render_blocks([block], NAMES) == "Hi @ana a<b"


def test_user_text_shows_literally_in_mrkdwn():
    from assistant.blocks.common import literal

    shown = literal("*b* _i_ ~s~ `c` <!here> & co")
    for pattern in ("*b*", "_i_", "~s~", "`c`", "<!here>"):
        assert pattern not in shown
    assert shown.replace("\u200b", "") == "*b* _i_ ~s~ `c` &lt;!here&gt; &amp; co"


def test_short_times_need_no_angle_bracket():
    from assistant.blocks.common import days

    assert days(0.01) == "under an hour" and "<" not in days(0.01)
    assert days(0.5) == "12 hours"


def test_echoed_input_cannot_close_its_code_span():
    from assistant.domain.errors import UnknownDeal

    assert "`a'b`" in UnknownDeal("a`b").message
