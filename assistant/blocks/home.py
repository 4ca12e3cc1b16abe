"""The App Home view: the user's open deals grouped by stage, stuck ones flagged, and the
workspace totals. A Home view allows 100 blocks; this stays within 50 like a message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from slack_sdk.models.views import View

from assistant.blocks.common import (
    MAX_BLOCKS,
    context,
    days,
    divider,
    header,
    literal,
    more_line,
    section,
    sections_from_lines,
)
from assistant.blocks.deals import money
from assistant.blocks.results import summary_line, target_line
from assistant.domain.amounts import format_amount
from assistant.domain.periods import calendar_label, whole
from assistant.domain.stages import StageDef
from assistant.services.reports import ResultsReport
from assistant.services.views import DealView

HOME_ROWS = 60  # a Home longer than this is better read as `/deal list mine`


def deal_line(deal: DealView, currency: str) -> str:
    clock = f"{days(deal.days_in_stage)} in stage"
    if deal.target_days is not None:
        clock += f" (target {deal.target_days})"
    flag = f" :warning: *stuck by {days(deal.overdue_days)}*" if deal.is_stuck else ""
    return (
        f"• `#{deal.number}` {literal(deal.name)} — {money(deal.amount, currency)} · {clock}{flag}"
    )


def stage_groups(deals: Sequence[DealView], stages: Sequence[StageDef]) -> list[list[DealView]]:
    """Deals grouped in pipeline order; deals in a stage since hidden come last."""
    order = {s.key: i for i, s in enumerate(stages)}
    groups: dict[str, list[DealView]] = {}
    for deal in sorted(deals, key=lambda d: (order.get(d.stage_key, len(order)), d.number)):
        groups.setdefault(deal.stage_key, []).append(deal)
    return list(groups.values())


def my_deal_blocks(deals: Sequence[DealView], total: int, stages, currency: str) -> list:
    if not deals:
        return [section('You have no open deals. Create one: `/deal new "Acme renewal" 12k`.')]
    shown = list(deals[:HOME_ROWS])
    stuck = sum(1 for d in deals if d.is_stuck)
    value = sum((d.amount or Decimal(0) for d in deals), Decimal(0))
    blocks = [section(f"*{total:,} open* · {format_amount(value, currency)} · *{stuck} stuck*")]
    for group in stage_groups(shown, stages):
        subtotal = sum((d.amount or Decimal(0) for d in group), Decimal(0))
        label = literal(group[0].stage_label)
        head = f"*{label}* ({len(group)} · {format_amount(subtotal, currency)})"
        blocks.extend(sections_from_lines([head, *(deal_line(d, currency) for d in group)]))
    more = more_line(len(shown), total)
    if more:
        blocks.append(context(f"{more} See them all with `/deal list mine`."))
    return blocks


def my_results_block(report: ResultsReport):
    """The viewer's quarter so far: what they closed, and their target when they have one."""

    def money(amount: Decimal) -> str:
        return format_amount(amount, report.currency)

    so_far = report.results.period  # this quarter, up to now
    quarter = calendar_label(whole(so_far, so_far.end, so_far.start.tzinfo))
    lines = [
        f"*Your results, {quarter} so far*: {summary_line(report.results.total.current, money)}"
    ]
    if report.target is not None:
        lines.append(target_line(report.target, money, who="yours"))
    return section("\n".join(lines))


def totals_block(totals, currency: str):
    return section(
        f"*Workspace pipeline*: {totals.count:,} open deals · "
        f"open value {format_amount(totals.value, currency)} · "
        f"weighted value {format_amount(totals.weighted, currency)}"
    )


def home_view(
    deals: Sequence[DealView],
    total: int,
    stages: Sequence[StageDef],
    totals,
    currency: str,
    now: datetime,
    results: ResultsReport | None = None,
) -> View:
    tail = [
        divider(),
        *([my_results_block(results)] if results is not None else []),
        totals_block(totals, currency),
        context(f"Updated {now:%Y-%m-%d %H:%M} · `/deal help` for every command"),
    ]
    mine = my_deal_blocks(deals, total, stages, currency)
    room = MAX_BLOCKS - 1 - len(tail)
    blocks = [header("Your open deals"), *mine[:room], *tail]
    return View(type="home", blocks=blocks)
