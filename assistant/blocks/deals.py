"""Deal messages: the card with its buttons, the list, and the one-line answers to changes.

Every user-typed string (names, companies, notes, reasons) goes through `escape`, and every
message carries a fallback `text` that states the same facts as the blocks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from zoneinfo import ZoneInfo

from assistant.blocks.common import (
    MAX_SECTION_TEXT,
    Reply,
    actions,
    button,
    code_table,
    context,
    days,
    escape,
    local_date,
    mention,
    more_line,
    section,
    sections_from_lines,
)
from assistant.domain.amounts import format_amount
from assistant.services.views import DealCard, DealView, MoveResult

# Action ids of the card's buttons; interactions/deal_buttons.py listens to these.
NEXT_ACTION = "deal_next"
WON_ACTION = "deal_won"
LOST_ACTION = "deal_lost"
CARD_BLOCK = "deal_card"
HISTORY_ON_CARD = 12
NOTE_ON_CARD = 300


def button_value(number: int, version: int) -> str:
    """The deal's number and the card's version, never a database id (it would leak across
    workspaces and mean nothing to a user); the version makes a stale card detectable."""
    return json.dumps({"n": number, "v": version}, separators=(",", ":"))


def money(amount: Decimal | None, currency: str) -> str:
    return format_amount(amount, currency) if amount is not None else "no amount"


def title(deal: DealView) -> str:
    return f"#{deal.number} {escape(deal.name)}"


def stage_clock(deal: DealView) -> str:
    """'9 days in Qualification (target 7) — stuck by 2 days' (PRODUCT.md §4)."""
    spent = f"{days(deal.days_in_stage)} in {escape(deal.stage_label)}"
    if deal.target_days is None:
        return f"{spent} (no target)"
    spent += f" (target {deal.target_days})"
    if deal.is_stuck:
        return f"{spent} — stuck by {days(deal.overdue_days)}"
    left = deal.target_days - deal.days_in_stage
    return f"{spent} — {days(left)} left" if left > 0 else f"{spent} — due now"


def status_line(deal: DealView, tz: ZoneInfo) -> str:
    if deal.is_open:
        return (":warning: " if deal.is_stuck else ":hourglass: ") + stage_clock(deal)
    closed = local_date(deal.closed_at, tz) if deal.closed_at else "?"
    if deal.status == "won":
        return f":tada: Won on {closed}, from {escape(deal.stage_label)}."
    reason = f" Reason: {escape(deal.lost_reason)}" if deal.lost_reason else ""
    return f":x: Lost on {closed}, from {escape(deal.stage_label)}.{reason}"


def fact_lines(deal: DealView, currency: str, tz: ZoneInfo) -> list[str]:
    amount = money(deal.amount, currency)
    if deal.amount is not None and deal.is_open:
        weighted = format_amount(deal.amount * deal.probability, currency)
        amount += f" (weighted {weighted} at {deal.probability * 100:.0f}%)"
    lines = [
        f"*Amount:* {amount}",
        f"*Stage:* {escape(deal.stage_label)} · *Owner:* {mention(deal.owner_id)}",
    ]
    if deal.company:
        lines.append(f"*Company:* {escape(deal.company)}")
    if deal.close_date:
        lines.append(f"*Expected close:* {deal.close_date.isoformat()}")
    origin = [
        f"*{k}:* {escape(v)}"
        for k, v in (("Source", deal.source), ("Campaign", deal.campaign))
        if v
    ]
    if deal.lead_number:
        origin.append(f"*Lead:* L{deal.lead_number}")
    if origin:
        lines.append(" · ".join(origin))
    lines.append(status_line(deal, tz))
    return lines


def history_lines(card: DealCard, tz: ZoneInfo) -> list[str]:
    stays = card.stays[-HISTORY_ON_CARD:]
    lines = ["*Stage history*"]
    if len(card.stays) > len(stays):
        lines.append(f"…{len(card.stays) - len(stays)} earlier stays not shown")
    for stay in stays:
        start = local_date(stay.entered_at, tz)
        span = f"{start} → {local_date(stay.left_at, tz)}" if stay.left_at else f"since {start}"
        lines.append(f"• {escape(stay.stage_label)}: {span} ({days(stay.days(card.now))})")
    return lines


def note_lines(card: DealCard, tz: ZoneInfo) -> list[str]:
    if not card.notes:
        return []
    lines = ["*Last notes*"]
    for note in card.notes:
        text = note.text if len(note.text) <= NOTE_ON_CARD else note.text[:NOTE_ON_CARD] + "…"
        when = local_date(note.created_at, tz)
        lines.append(f"• {when} {mention(note.author_id)}: {escape(' '.join(text.split()))}")
    return lines


def card_buttons(card: DealCard):
    deal = card.deal
    value = button_value(deal.number, deal.version)
    found = []
    if card.next_stage is not None:
        label = f"Move to {card.next_stage.label}"
        found.append(button(label, NEXT_ACTION, value, style="primary"))
    found.append(button("Won", WON_ACTION, value))
    found.append(button("Lost", LOST_ACTION, value, style="danger"))
    return actions(CARD_BLOCK, *found)


def card_reply(card: DealCard, currency: str, tz: ZoneInfo, banner: str | None = None) -> Reply:
    """The deal card: facts, days against target, history, notes, and buttons if open."""
    deal = card.deal
    facts = fact_lines(deal, currency, tz)
    history = history_lines(card, tz)
    notes = note_lines(card, tz)
    blocks = [section(banner)] if banner else []
    blocks.append(section(f"*{title(deal)}*\n" + "\n".join(facts)))
    blocks.extend(sections_from_lines(history))
    blocks.extend(sections_from_lines(notes))
    if deal.is_open:
        blocks.append(card_buttons(card))
    text = "\n".join([banner or "", f"{title(deal)}", *facts, *history, *notes]).strip()
    return Reply(text=text, blocks=blocks)


# -- answers to changes ---------------------------------------------------------------------


def label_of(stage_key: str, labels: Mapping[str, str]) -> str:
    return escape(labels.get(stage_key, stage_key))


def moved_text(result: MoveResult, labels: Mapping[str, str], currency: str) -> str:
    deal = result.deal
    after = days(result.days_in_previous)
    source = label_of(result.from_stage, labels)
    if deal.status == "won":
        return (
            f":tada: Won {title(deal)} for {money(deal.amount, currency)}, "
            f"from {source} after {after} there."
        )
    if deal.status == "lost":
        reason = f" Reason: {escape(deal.lost_reason)}." if deal.lost_reason else ""
        return (
            f"Lost {title(deal)} ({money(deal.amount, currency)}) "
            f"from {source} after {after} there.{reason}"
        )
    return (
        f"Moved {title(deal)} from {source} to {label_of(result.to_stage, labels)} after {after}."
    )


def reopened_text(result: MoveResult, labels: Mapping[str, str]) -> str:
    return (
        f"Reopened {title(result.deal)} (was {result.from_stage} for "
        f"{days(result.days_in_previous)}); it is now in {label_of(result.to_stage, labels)}."
    )


def created_text(deal: DealView, currency: str) -> str:
    parts = [
        f"Created *{title(deal)}*: {money(deal.amount, currency)}",
        f"in {escape(deal.stage_label)}",
        f"owned by {mention(deal.owner_id)}",
    ]
    if deal.company:
        parts.append(f"company {escape(deal.company)}")
    if deal.close_date:
        parts.append(f"expected close {deal.close_date.isoformat()}")
    return ", ".join(parts) + f". Next: `/deal move #{deal.number} next`."


def text_reply(text: str, hint: str | None = None) -> Reply:
    blocks = [section(text)]
    if hint:
        blocks.append(context(hint))
    return Reply(text=text if not hint else f"{text}\n{hint}", blocks=blocks)


def feed_text(result: MoveResult, labels: Mapping[str, str], currency: str, actor: str) -> str:
    """The line for the feed channel: same facts as the reply, plus who did it."""
    who = f"by {mention(actor)}, owner {mention(result.deal.owner_id)}"
    return f"{moved_text(result, labels, currency)} ({who})"


def list_table_chunks(lines: list[str]) -> list[str]:
    """Pack table lines into fenced chunks that each fit a section's 3,000 characters."""
    chunks, current, size = [], [], 0
    budget = MAX_SECTION_TEXT - 10  # room for the fences and newlines
    for line in lines:
        if current and size + len(line) + 1 > budget:
            chunks.append(current)
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        chunks.append(current)
    return ["```\n" + "\n".join(chunk) + "\n```" for chunk in chunks]


def list_more(shown: int, total: int) -> str | None:
    line = more_line(shown, total)
    if line is None:
        return None
    return f"{line} Narrow it with `mine`, `@user`, a stage, `stuck` or a period."


# -- the list -------------------------------------------------------------------------------

LIST_ROWS = 40  # enough to scan; beyond that a filter helps more than a longer message
NAME_WIDTH = 28
STAGE_WIDTH = 18
LIST_HEADER = ("#", "Deal", "Stage", "Amount", "Owner", "Days", "Stuck")


def _cell(text: object, width: int) -> str:
    # Backticks would close the code fence; newlines would break the row.
    text = " ".join(str(text).split()).replace("`", "'")
    return text if len(text) <= width else text[: width - 1] + "…"


def _row(deal: DealView, currency: str) -> tuple[str, ...]:
    stage = deal.stage_label if deal.is_open else deal.status
    stuck = f"+{days(deal.overdue_days)}" if deal.is_stuck else ""
    return (
        f"#{deal.number}",
        _cell(deal.name, NAME_WIDTH),
        _cell(stage, STAGE_WIDTH),
        format_amount(deal.amount, currency) if deal.amount is not None else "—",
        _cell(deal.owner_id, 12),
        f"{deal.days_in_stage:.1f}",
        stuck,
    )


def list_reply(deals: list[DealView], total: int, heading: str, currency: str) -> Reply:
    """A code table of at most LIST_ROWS deals; the rest is counted, never silently cut.

    A code block can't render mentions, so the owner column holds Slack ids and a legend
    under the table turns them into names.
    """
    shown = deals[:LIST_ROWS]
    summary = f"*{heading}*: {total:,} deal{'s' if total != 1 else ''}"
    if len(deals) == total and deals:
        value = sum((d.amount or Decimal(0) for d in deals), Decimal(0))
        stuck = sum(1 for d in deals if d.is_stuck)
        summary += f", {format_amount(value, currency)} in total, {stuck} stuck"
    if not shown:
        hint = "Try another filter or period, or create one: `/deal new &lt;name&gt; [amount]`."
        return text_reply(summary + ".", hint)
    table = code_table([LIST_HEADER, *(_row(d, currency) for d in shown)], align="lllrlrl")
    blocks = [section(summary)]
    blocks.extend(section(chunk) for chunk in list_table_chunks(escape(table).split("\n")))
    owners = list(dict.fromkeys(d.owner_id for d in shown))
    legend = "Owners: " + " · ".join(f"`{escape(o)}` {mention(o)}" for o in owners)
    blocks.append(context(legend))
    more = list_more(len(shown), total)
    if more:
        blocks.append(context(more))
    text_lines = [summary] + [
        f"#{d.number} {escape(d.name)} — {escape(d.stage_label if d.is_open else d.status)} — "
        f"{money(d.amount, currency)} — {mention(d.owner_id)} — {days(d.days_in_stage)}"
        + (" (stuck)" if d.is_stuck else "")
        for d in shown
    ]
    if more:
        text_lines.append(more)
    return Reply(text="\n".join(text_lines), blocks=blocks)
