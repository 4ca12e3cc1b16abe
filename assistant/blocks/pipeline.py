"""The pipeline as replies: the board, the bottleneck report, the forecast, the stages.

Each renders one `analytics` dataclass, so a figure reads the same in a reply and in a digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from assistant.analytics import Board, BottleneckReport, Delta, Forecast
from assistant.analytics.forecasting.learned import LEARNED_FROM, PRIOR_WEIGHT, StageChance
from assistant.analytics.outlook import Outlook, StageLearning
from assistant.blocks.common import (
    Reply,
    context,
    days,
    literal,
    mention,
    more_line,
    plural,
    section,
    sections_from_lines,
)
from assistant.blocks.tables import NAME_WIDTH, cell, table
from assistant.domain.amounts import format_amount
from assistant.domain.stages import StageDef


def percent(probability: Decimal) -> str:
    """0.05 -> `5%`, 0.125 -> `12.5%`."""
    return f"{(Decimal(probability) * 100).normalize():f}%"


def board_reply(board: Board) -> Reply:
    money = partial(format_amount, currency=board.currency)
    total = board.totals
    headline = (
        f"*Pipeline*: {plural(total.open_count, 'open deal')} worth {money(total.open_value)} "
        f"(weighted {money(total.weighted_value)}); {total.stuck_count:,} stuck "
        f"({money(total.stuck_value)})."
    )
    rows = [
        (cell(r.label, NAME_WIDTH), percent(r.probability), f"{r.open_count:,}",
         money(r.open_value), money(r.weighted_value), f"{r.stuck_count:,}")
        for r in board.rows
    ]  # fmt: skip
    rows.append(("Total", "", f"{total.open_count:,}", money(total.open_value),
                 money(total.weighted_value), f"{total.stuck_count:,}"))  # fmt: skip
    head = ("Stage", "Prob.", "Open", "Value", "Weighted", "Stuck")
    note = (
        "Weighted = amount × stage probability. Stuck = longer in its stage than the target. "
        "`/pipeline bottlenecks` names where deals pile up, and whose they are."
    )
    lines = [headline] + [
        f"{literal(r.label)}: {r.open_count:,} open, {money(r.open_value)}, weighted "
        f"{money(r.weighted_value)}, {r.stuck_count:,} stuck"
        for r in board.rows
    ]
    blocks = [section(headline), section(table(head, rows, "lrrrrr")), context(note)]
    return Reply(text="\n".join(lines), blocks=blocks)


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}d"


def _stay(delta: Delta) -> str:
    """`4.5d (+1.0)`: the period's figure and its change against the period before."""
    if delta.current is None:
        return "—"
    change = delta.change
    return _days(delta.current) + ("" if change is None else f" ({change:+.1f})")


def bottleneck_reply(report: BottleneckReport) -> Reply:
    money = partial(format_amount, currency=report.currency)
    worst = report.bottleneck
    if worst is None:
        headline = "*Bottlenecks*: No deal is stuck — no bottleneck."
    else:
        headline = (
            f"*Bottleneck: {literal(worst.label)}* — {plural(worst.stuck_count, 'stuck deal')} "
            f"worth {money(worst.stuck_value)}, {days(worst.overdue_days)} overdue in total."
        )
    rows = [
        (cell(s.label, NAME_WIDTH), f"{s.open_count:,}", money(s.open_value),
         _days(s.median_days_in_stage), f"{s.stuck_count:,}", f"{s.completed_stays.current:,}",
         _stay(s.stay_median_days), _stay(s.stay_p90_days))
        for s in report.stages
    ]  # fmt: skip
    head = ("Stage", "Open", "Value", "Now", "Stuck", "Stays", "Median stay", "p90 stay")
    stuck = [_stuck_line(d, money) for d in report.top_stuck]
    more = more_line(len(stuck), report.stuck_total, "stuck deals")
    note = (
        f"Now = median days in stage of open deals. Stays = stays completed in "
        f"{literal(report.period.label)}; (±) against the "
        f"{plural(round(report.period.days), 'day')} before."
    )
    blocks = [section(headline), section(table(head, rows, "lrrrrrrr"))]
    if stuck:
        blocks += sections_from_lines(["*Most overdue*", *stuck, *([more] if more else [])])
    blocks.append(context(note))
    overview = [
        f"{literal(s.label)}: {s.open_count:,} open, {money(s.open_value)}, {s.stuck_count:,} stuck"
        for s in report.stages
    ]
    text = "\n".join([headline, *overview, *stuck, *([more] if more else [])])
    return Reply(text=text, blocks=blocks)


def _stuck_line(deal, money) -> str:
    amount = money(deal.amount) if deal.amount is not None else "no amount"
    return (
        f"• #{deal.number} {literal(deal.name)} — {literal(deal.stage_label)}, "
        f"{days(deal.days_in_stage)} ({days(deal.overdue_days)} over target), {amount}, "
        f"{mention(deal.owner_id)}"
    )


def forecast_reply(forecast: Forecast, outlook: Outlook | None = None) -> Reply:
    money = partial(format_amount, currency=forecast.currency)
    span = f"close dates {forecast.first_day.isoformat()} to {forecast.last_day.isoformat()}"
    rate = "no deal closed" if forecast.win_rate is None else f"{forecast.win_rate:.0%}"
    basis = forecast.win_rate_period
    lines = [
        f"*Forecast, {literal(forecast.period.label)}* ({span})",
        f"• Expected to close: {plural(forecast.count, 'deal')} worth {money(forecast.value)}",
        f"• Weighted by stage probability: *{money(forecast.weighted_value)}*",
        f"• Win rate of the deals closed {_dates(basis.start, basis.end)}: {rate}",
    ]
    notes = []
    if outlook is not None:
        learned, learned_notes = _outlook_lines(outlook, money)
        lines = [lines[0], *learned, "*By close dates and configured probabilities*", *lines[1:]]
        notes += learned_notes
    if forecast.unpriced_count:
        notes.append(f"{plural(forecast.unpriced_count, 'deal')} of these without an amount.")
    if forecast.no_close_date_count:
        notes.append(
            f"{plural(forecast.no_close_date_count, 'open deal')} without a close date, not "
            "counted: set one with `/deal edit &lt;deal&gt; close:YYYY-MM-DD`."
        )
    blocks = [section("\n".join(lines)), *([context(*notes)] if notes else [])]
    return Reply(text="\n".join([*lines, *notes]), blocks=blocks)


def _outlook_lines(outlook: Outlook, money) -> tuple[list[str], list[str]]:
    """The learned forecast's lines and notes."""
    so_far = ""
    if outlook.won_count_so_far:
        so_far = (f" (of which won so far: {money(outlook.won_so_far)}, "
                  f"{plural(outlook.won_count_so_far, 'deal')})")  # fmt: skip
    if outlook.over:
        return [
            f"• That period is over: {money(outlook.won_so_far)} won "
            f"({plural(outlook.won_count_so_far, 'deal')}). `/pipeline forecast accuracy` shows "
            "what was forecast for past periods."
        ], []
    lines = [
        f"• Won value, learned from your history: *{money(outlook.p50)}* likely, "
        f"{money(outlook.p10)} to {money(outlook.p90)} (P10–P90){so_far}",
        f"• Deals expected to be won still: {outlook.expected_count:.1f}"
        + (f" (of them {outlook.expected_new:.1f} not created yet)" if outlook.expected_new >= 0.05
           else ""),
    ]  # fmt: skip
    if outlook.target is not None and outlook.chance_to_reach is not None:
        lines.append(
            f"• Chance to reach the target of {money(outlook.target)}: "
            f"*{outlook.chance_to_reach:.0%}*"
        )
    if outlook.mattering:
        lines.append("*Deals that matter most*")
        lines += [
            f"• #{d.number} {literal(d.name)} — {literal(d.stage_label)}, "
            f"{money(d.amount) if d.amount is not None else 'no amount'}, "
            f"{d.chance:.0%} to be won in the period, {mention(d.owner_id)}"
            for d in outlook.mattering
        ]
    notes = []
    if not outlook.any_closed:
        notes.append("No deal has closed yet: chances are the configured ones, and deals close "
                     "by their close dates.")  # fmt: skip
    elif outlook.dated_count:
        notes.append(
            f"{plural(outlook.dated_count, 'deal')} timed by close date: too few deals have "
            "closed from their stage to learn when they close."
        )
    notes.append(
        f"Ranges from {outlook.simulations:,} simulated periods; each deal by its stage's learned "
        "chance and how long it has sat there. `/pipeline stages` shows the chances."
    )
    return lines, notes


def _dates(start: datetime, end: datetime) -> str:
    """A half-open span of local datetimes as the days it covers, both ends included."""
    last = end - timedelta(microseconds=1)
    return f"{start.date().isoformat()} to {last.date().isoformat()}"


def _target(value: int | None) -> str:
    return plural(value, "day") if value else "—"


def stages_reply(
    stages: Sequence[StageDef],
    headline: str = "*Pipeline stages*",
    learning: Sequence[StageLearning] = (),
) -> Reply:
    """The stages; with `learning`, each one's learned chance and which the forecast uses."""
    learned = {s.key: s.chance for s in learning}
    rows = [
        (str(i), s.key, cell(s.label, NAME_WIDTH), percent(s.probability), _target(s.target_days),
         *(_learned_cells(learned.get(s.key)) if learning else ()))
        for i, s in enumerate(stages, 1)
    ]  # fmt: skip
    head = ("#", "Key", "Label", "Probability", "Target")
    if learning:
        head += ("Learned", "Closed", "Forecast uses")
    note = (
        "Then the outcomes `won` (100%) and `lost` (0%). A deal is stuck after its stage's "
        "target. Admins change stages with `/pipeline stages set &lt;s1&gt;, &lt;s2&gt;, ...` and "
        '`/pipeline stage &lt;s&gt; target:10d probability:40% label:".."`.'
    )
    notes = [note]
    if learning:
        notes.append(
            f"Learned = of the deals that reached the stage and closed (Closed), the share won, "
            f"with the configured probability counted as {PRIOR_WEIGHT} deals. The forecast uses "
            f"it once {LEARNED_FROM} have closed, unless an admin chooses: "
            "`/pipeline stage &lt;s&gt; probability:learned` or `probability:40%`."
        )
    lines = [headline] + [
        f"{s.key} — {literal(s.label)}: {percent(s.probability)}, target {_target(s.target_days)}"
        + (_learned_text(learned.get(s.key)) if learning else "")
        for s in stages
    ]
    align = "lllrr" + ("rrl" if learning else "")
    blocks = [section(headline), section(table(head, rows, align)), context(*notes)]
    return Reply(text="\n".join(lines), blocks=blocks)


def _learned_cells(chance: StageChance | None) -> tuple[str, str, str]:
    if chance is None:
        return "—", "0", "configured"
    return f"{chance.learned:.0%}", f"{chance.closed:,}", _uses(chance)


def _uses(chance: StageChance) -> str:
    which = "learned" if chance.uses_learned else "configured"
    return which + ("" if chance.mode is None else " (chosen)")


def _learned_text(chance: StageChance | None) -> str:
    if chance is None:
        return ""
    return (f", learned {chance.learned:.0%} from {plural(chance.closed, 'closed deal')}, "
            f"forecast uses {_uses(chance)}")  # fmt: skip


def stage_changed_reply(stage: StageDef, learning: StageLearning | None = None) -> Reply:
    text = (
        f":white_check_mark: Stage `{stage.key}` is now *{literal(stage.label)}*: probability "
        f"{percent(stage.probability)}, target {_target(stage.target_days)}."
    )
    if learning is not None:
        chance = learning.chance
        used = chance.learned if chance.uses_learned else chance.configured
        text += (f" The forecast uses the {'learned' if chance.uses_learned else 'configured'} "
                 f"probability, {used:.0%} (learned from "
                 f"{plural(chance.closed, 'closed deal')}: {chance.learned:.0%}).")  # fmt: skip
    return Reply(text=text, blocks=[section(text)])
