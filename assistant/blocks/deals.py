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
    Reply,
    actions,
    button,
    context,
    days,
    literal,
    local_date,
    mention,
    plural,
    section,
    sections_from_lines,
)
from assistant.domain.amounts import format_amount
from assistant.services.views import DealCard, DealChance, DealView, MoveResult

# Action ids of the card's buttons; listeners/actions.py listens to these.
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
    return f"#{deal.number} {literal(deal.name)}"


def stage_clock(deal: DealView) -> str:
    """'9 days in Qualification (target 7) — stuck by 2 days' (PRODUCT.md §4)."""
    spent = f"{days(deal.days_in_stage)} in {literal(deal.stage_label)}"
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
        return f":tada: Won on {closed}, from {literal(deal.stage_label)}."
    reason = f" Reason: {literal(deal.lost_reason)}" if deal.lost_reason else ""
    return f":x: Lost on {closed}, from {literal(deal.stage_label)}.{reason}"


def fact_lines(deal: DealView, currency: str, tz: ZoneInfo) -> list[str]:
    amount = money(deal.amount, currency)
    if deal.amount is not None and deal.is_open:
        weighted = format_amount(deal.amount * deal.probability, currency)
        amount += f" (weighted {weighted} at {deal.probability * 100:.0f}%)"
    lines = [
        f"*Amount:* {amount}",
        f"{_stage_fact(deal)} · *Owner:* {mention(deal.owner_id)}",
    ]
    if deal.company:
        lines.append(f"*Company:* {literal(deal.company)}")
    if deal.close_date:
        lines.append(f"*Expected close:* {deal.close_date.isoformat()}")
    origin = [
        f"*{k}:* {literal(v)}"
        for k, v in (("Source", deal.source), ("Campaign", deal.campaign))
        if v
    ]
    if deal.lead_number:
        origin.append(f"*Lead:* L{deal.lead_number}")
    if origin:
        lines.append(" · ".join(origin))
    lines.append(status_line(deal, tz))
    return lines


def _stage_fact(deal: DealView) -> str:
    """A closed deal is Won or Lost, not still "in" the stage it closed from."""
    if deal.is_open:
        return f"*Stage:* {literal(deal.stage_label)}"
    return f"*Status:* {deal.status.capitalize()} (closed from {literal(deal.stage_label)})"


def history_lines(card: DealCard, tz: ZoneInfo) -> list[str]:
    stays = card.stays[-HISTORY_ON_CARD:]
    lines = ["*Stage history*"]
    if len(card.stays) > len(stays):
        lines.append(f"…{len(card.stays) - len(stays)} earlier stays not shown")
    for stay in stays:
        start = local_date(stay.entered_at, tz)
        span = f"{start} → {local_date(stay.left_at, tz)}" if stay.left_at else f"since {start}"
        lines.append(f"• {literal(stay.stage_label)}: {span} ({days(stay.days(card.now))})")
    return lines


def note_lines(card: DealCard, tz: ZoneInfo) -> list[str]:
    if not card.notes:
        return []
    lines = ["*Last notes*"]
    for note in card.notes:
        text = note.text if len(note.text) <= NOTE_ON_CARD else note.text[:NOTE_ON_CARD] + "…"
        when = local_date(note.created_at, tz)
        lines.append(f"• {when} {mention(note.author_id)}: {literal(' '.join(text.split()))}")
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
    if card.chance is not None:
        facts.append(chance_line(card.chance))
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


def chance_line(chance: DealChance) -> str:
    """':crystal_ball: 61% to win (from 412 deals that reached Proposal), usually closes in
    12–30 days'."""
    stage = literal(chance.stage_label)
    if chance.learned:
        basis = f"from {chance.closed:,} deals that reached {stage} and closed"
    else:
        closed = "no deal" if not chance.closed else f"only {chance.closed:,}"
        basis = f"the configured chance of {stage}: {closed} that reached it closed yet"
    line = f":crystal_ball: {chance.chance:.0%} to win ({basis})"
    if chance.closes_in is not None:
        low, high = (max(round(d), 0) for d in chance.closes_in)
        line += f", usually closes in {low}–{high} days" if high > low else (
            f", usually closes in about {plural(high, 'day')}"
        )  # fmt: skip
    return line


# -- answers to changes ---------------------------------------------------------------------


def label_of(stage_key: str, labels: Mapping[str, str]) -> str:
    return literal(labels.get(stage_key, stage_key))


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
        reason = f" Reason: {literal(deal.lost_reason)}." if deal.lost_reason else ""
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
        f"in {literal(deal.stage_label)}",
        f"owned by {mention(deal.owner_id)}",
    ]
    if deal.company:
        parts.append(f"company {literal(deal.company)}")
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
