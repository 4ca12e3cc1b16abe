"""The deal list: a code table within Slack's limits, the rest counted, never cut silently."""

from __future__ import annotations

from collections.abc import Mapping

from assistant.blocks.common import (
    Reply,
    context,
    days,
    literal,
    mention,
    more_line,
    section,
)
from assistant.blocks.deals import money, text_reply
from assistant.blocks.tables import NAME_WIDTH, SHORT_WIDTH, cell, table_sections
from assistant.domain.amounts import format_amount
from assistant.services.views import DealView, ListSummary


def list_more(shown: int, total: int) -> str | None:
    line = more_line(shown, total)
    if line is None:
        return None
    return f"{line} Narrow it with `mine`, `@user`, a stage, `stuck` or a period."


LIST_ROWS = 40  # enough to scan; beyond that a filter helps more than a longer message
LIST_HEADER = ("#", "Deal", "Stage", "Amount", "Owner", "Days", "Stuck")
WIN_HEADER = "Win"  # the deal's chance to be won, when the list has it


def _row(
    deal: DealView, currency: str, names: Mapping[str, str], chance: float | None
) -> tuple[str, ...]:
    stage = deal.stage_label if deal.is_open else deal.status
    stuck = f"+{days(deal.overdue_days)}" if deal.is_stuck else ""
    row = (
        f"#{deal.number}",
        cell(deal.name, NAME_WIDTH),
        cell(stage, SHORT_WIDTH),
        format_amount(deal.amount, currency) if deal.amount is not None else "—",
        cell(names.get(deal.owner_id, deal.owner_id), SHORT_WIDTH),
        f"{deal.days_in_stage:.1f}",
        stuck,
    )
    return row if chance is None else (*row, f"{chance:.0%}")


def _chance(deal: DealView, chances: Mapping[str, float] | None) -> float | None:
    if chances is None or not deal.is_open:
        return None
    return chances.get(deal.stage_key, 0.0)


def list_reply(
    deals: list[DealView],
    total: int,
    heading: str,
    currency: str,
    names: Mapping[str, str] | None = None,
    chances: Mapping[str, float] | None = None,
    summary: ListSummary | None = None,
) -> Reply:
    """A code table of at most LIST_ROWS deals; the rest is counted, never silently cut.

    A code block can't render mentions, so owners appear by `names` (Slack ids -> names;
    an owner imported by name is that name already). With `chances` (per stage key, the
    chance the forecast uses) open deals show their chance to be won. The value and the
    stuck are said of all the deals matched: `summary`, else `deals` when they are all.
    """
    names = names or {}
    shown = deals[:LIST_ROWS]
    if summary is None and len(deals) == total:
        summary = ListSummary.of((d.amount, d.overdue_days) for d in deals)
    heading_line = f"*{heading}*: {total:,} deal{'s' if total != 1 else ''}"
    if summary is not None and total:
        value = format_amount(summary.value, currency)
        heading_line += f", {value} in total, {summary.stuck} stuck"
    if not shown:
        hint = "Try another filter or period, or create one: `/deal new &lt;name&gt; [amount]`."
        return text_reply(heading_line + ".", hint)
    header, align = LIST_HEADER, "lllrlrl"
    if chances is not None:
        header, align = (*header, WIN_HEADER), align + "r"
    rows = [_row(d, currency, names, _chance(d, chances)) for d in shown]
    blocks = [section(heading_line), *table_sections(header, rows, align=align)]
    more = list_more(len(shown), total)
    if more:
        blocks.append(context(more))
    text_lines = [heading_line] + [
        f"#{d.number} {literal(d.name)} — {literal(d.stage_label if d.is_open else d.status)} — "
        f"{money(d.amount, currency)} — {mention(d.owner_id)} — {days(d.days_in_stage)}"
        + (" (stuck)" if d.is_stuck else "")
        + (f" — {chance:.0%} to win" if (chance := _chance(d, chances)) is not None else "")
        for d in shown
    ]
    if more:
        text_lines.append(more)
    return Reply(text="\n".join(text_lines), blocks=blocks)
