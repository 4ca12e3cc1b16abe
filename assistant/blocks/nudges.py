"""The nudge DM: each deal that needs its owner on a line of its own, with one-click actions;
a line once acted on says what was done, by whom and when, in place of its buttons."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, DatePickerElement, Option, OverflowMenuElement

from assistant.blocks.common import (
    Reply,
    actions,
    button,
    context,
    days,
    escape,
    mention,
    plural,
    section,
)
from assistant.domain.amounts import format_amount
from assistant.domain.nudging import ACTED, CLOSE_PASSED, SNOOZED, STUCK
from assistant.services.nudging.views import ItemView, NudgeView

NEXT_ACTION = "nudge_next"
WON_ACTION = "nudge_won"
LOST_ACTION = "nudge_lost"
SNOOZE_ACTION = "nudge_snooze"
SNOOZE_UNTIL_ACTION = "nudge_snooze_until"
NOTE_ACTION = "nudge_note"
MORE_ACTION = "nudge_more"
NOTE_CALLBACK = "nudge_note_form"
NOTE_BLOCK, NOTE_INPUT = "note", "note_text"
BLOCK_PREFIX = "nudge:"  # + the item id: the snooze date picker's item


def reason_text(item: ItemView) -> str:
    late = f" ({days(item.overdue_days)} over)" if item.overdue_days >= 1 else ""
    if item.reason == STUCK:
        return f"stuck in {escape(item.stage_label)} past its target{late}"
    if item.reason == CLOSE_PASSED:
        return f"expected close date has passed{late}"
    return f"no change or note for a while{late}"


def item_line(item: ItemView, view: NudgeView) -> str:
    amount = f" · {format_amount(item.amount, view.facts.currency)}" if item.amount else ""
    title = f"#{item.number} {escape(item.name)}"
    if item.state == ACTED and item.outcome:
        who = "you" if item.acted_by == view.user_id else mention(item.acted_by)
        when = f", {item.acted_at.astimezone(view.zone):%H:%M}" if item.acted_at else ""
        return f":white_check_mark: ~{title}~{amount} — {escape(item.outcome)} by {who}{when}"
    if item.state == SNOOZED and item.outcome:
        return f":zzz: ~{title}~{amount} — {escape(item.outcome)}"
    return f"*{title}*{amount} · {escape(item.stage_label)} — {reason_text(item)}"


def item_blocks(item: ItemView, view: NudgeView) -> list[Block]:
    blocks: list[Block] = [section(item_line(item, view))]
    if item.item_id is None or item.state in (ACTED, SNOOZED):
        return blocks
    value = str(item.item_id)
    blocks.append(
        actions(
            f"{BLOCK_PREFIX}{value}",
            button("Next stage", NEXT_ACTION, value, "primary"),
            button("Won", WON_ACTION, value),
            button("Lost", LOST_ACTION, value, "danger"),
            button("Add note", NOTE_ACTION, value),
            OverflowMenuElement(
                action_id=SNOOZE_ACTION,
                options=[
                    Option(value=f"{value}:3d", text="Snooze 3 days"),
                    Option(value=f"{value}:1w", text="Snooze 1 week"),
                ],
            ),
            DatePickerElement(action_id=SNOOZE_UNTIL_ACTION, placeholder="Snooze until…"),
        )
    )
    return blocks


def nudge_message(view: NudgeView) -> Reply:
    shown = view.shown
    own = [i for i in shown if not i.escalation]
    team = [i for i in shown if i.escalation]
    count = view.total or len(view.items)
    headline = (
        f":wave: Good morning! {plural(count, 'deal')} need{'s' if count == 1 else ''} you today"
    )
    if not own and team:
        needs = "needs" if len(team) == 1 else "need"
        headline = f":wave: Good morning! {plural(len(team), 'deal')} from your team {needs} you"
    blocks: list[Block] = [section(f"*{headline}*")]
    for item in own:
        blocks.extend(item_blocks(item, view))
    if team:
        blocks.append(
            section("*From your team* — ignored across two nudges, or their rep has left")
        )
        for owner in dict.fromkeys(i.owner_id for i in team):
            if owner in view.left:
                blocks.append(context(f"Unowned: {mention(owner)} left the workspace"))
            else:
                blocks.append(context(f"{mention(owner)}'s deals"))
            for item in (i for i in team if i.owner_id == owner):
                blocks.extend(item_blocks(item, view))
    if view.more:
        more = f"…and {view.more} more"
        if view.send_id is not None:
            blocks.append(actions("nudge_more", button(more, MORE_ACTION, str(view.send_id))))
        else:
            blocks.append(context(more))
    listed = ", ".join(f"#{i.number} {i.name}" for i in shown)
    text = f"{headline}: {listed}" + (f" and {view.more} more" if view.more else "")
    return Reply(text=text, blocks=blocks)


def full_list(view: NudgeView) -> Reply:
    """Every deal the nudge found, past the budget too (the "and N more" button)."""
    lines = [f"*All {plural(len(view.items), 'deal')} that need you today*"]
    lines += [f"{n}. {item_line(item, view)}" for n, item in enumerate(view.items, 1)]
    text = "\n".join(lines)
    return Reply(text=text, blocks=[section(text)])


def note_form(item_id: int, title: str) -> dict:
    """The "Add note" modal; its private_metadata is the item."""
    return {
        "type": "modal",
        "callback_id": NOTE_CALLBACK,
        "private_metadata": str(item_id),
        "title": {"type": "plain_text", "text": "Add a note"},
        "submit": {"type": "plain_text", "text": "Add"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": escape(title)[:2900]}},
            {
                "type": "input",
                "block_id": NOTE_BLOCK,
                "label": {"type": "plain_text", "text": "Note"},
                "element": {"type": "plain_text_input", "action_id": NOTE_INPUT, "multiline": True},
            },
        ],
    }


def preview_lines(view: NudgeView) -> list[str]:
    """A nudge as plain lines, for the command line and the console."""
    lines = [_headline(view)]
    lines += [f"  {n}. {item_line(i, view)}" for n, i in enumerate(view.shown, 1)]
    if view.more:
        lines.append(f"  …and {view.more} more")
    return lines


def _headline(view: NudgeView) -> str:
    return f"{mention(view.user_id)} · {view.day:%a %Y-%m-%d} · {plural(len(view.items), 'deal')}"
