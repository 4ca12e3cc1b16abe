"""Digests as Block Kit (PRODUCT.md §5), and the `/digest` replies about subscriptions.

A digest is made of parts (pipeline, funnel); `combine` joins them into one message that stays
within Slack's limits whatever the data: every part is a handful of aggregate blocks (the
bottleneck report lists at most its top stuck deals), and `fit` is the last line of defence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from slack_sdk.models.blocks import Block

from assistant.blocks import funnel as funnel_blocks
from assistant.blocks.common import (
    MAX_BLOCKS,
    Reply,
    channel,
    context,
    divider,
    escape,
    header,
    literal,
    plural,
    section,
    sections_from_lines,
)
from assistant.blocks.pipeline import bottleneck_reply
from assistant.blocks.results import target_line, week_lines
from assistant.domain.amounts import format_amount
from assistant.domain.periods import Period
from assistant.services.reports import FunnelDigestData, PipelineDigestData
from assistant.services.subscriptions import SubscriptionView

MAX_FALLBACK = 40_000  # Slack truncates a message's text beyond this
MAX_LISTED = 40  # subscriptions listed by `/digest list`


@dataclass(frozen=True)
class Part:
    blocks: list[Block]
    text: str


def _when(moment: datetime, zone) -> str:
    return moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")


def _title(name: str, detail: str, marker: str) -> str:
    return " ".join(filter(None, [f"{name} digest · {detail}", marker]))


def pipeline_part(data: PipelineDigestData, marker: str, chart: bool) -> Part:
    money = partial(format_amount, currency=data.currency)
    totals, moved = data.board.totals, data.movement
    title = _title("Pipeline", data.now.astimezone(data.timezone).strftime("%a %d %b %Y"), marker)
    if totals.open_count:
        total = (
            f"*{plural(totals.open_count, 'open deal')}* worth *{money(totals.open_value)}* "
            f"(weighted {money(totals.weighted_value)})."
        )
    else:
        total = "No open deals yet. `/deal new Acme renewal 12k` creates one."
    movement = (
        f"*Since {_when(moved.since, data.timezone)}*: {plural(moved.new_count, 'new deal')} "
        f"({money(moved.new_value)}) · {plural(moved.advances, 'stage advance')}"
        f" ({moved.setbacks:,} back) · {moved.won_count:,} won ({money(moved.won_value)})"
        f" · {moved.lost_count:,} lost"
    )
    outcomes = _outcomes(data)
    blocks: list[Block] = [header(title), section(total), section(movement)]
    texts = [title, total, movement]
    if totals.open_count:
        report = bottleneck_reply(data.bottlenecks)  # the same report as `/pipeline bottlenecks`
        blocks += report.blocks
        texts.append(report.text)
    blocks.append(section(outcomes))
    texts.append(outcomes)
    if data.results is not None:
        week = week_lines(data.results, money)
        if data.target is not None:
            week.append(target_line(data.target, money))
        if data.last_forecast is not None:
            week.append(last_forecast_line(data.last_forecast, money, data.timezone))
        blocks.append(section("\n".join(week)))
        texts += week
    if chart:
        blocks.append(context("The chart of value by stage (stuck part in red) is in the thread."))
    return Part(blocks, "\n".join(texts))


def last_forecast_line(kept, money, zone) -> str:
    """'Last period's forecast vs actual': the one kept at its start."""
    made = kept.made_at.astimezone(zone).date().isoformat()
    where = "inside the range" if kept.inside else "outside the range"
    off = "" if kept.error is None else f", P50 off by {kept.error:+.0%}"
    return (
        f"*Forecast vs actual, {kept.label}* (made {made}): {money(kept.p50)} likely "
        f"({money(kept.p10)} to {money(kept.p90)}); won *{money(kept.actual)}*, {where}{off}."
    )


def _outcomes(data: PipelineDigestData) -> str:
    outcome, period = data.outcomes, data.period
    rate = funnel_blocks.pct_change(outcome.win_rate, period)
    cycle = funnel_blocks.days_change(outcome.sales_cycle_days, period)
    return (
        f"*{literal(period.label).capitalize()}*: "
        f"win rate {rate if outcome.win_rate.current is not None else '— no deal closed'} · "
        f"sales cycle {cycle if outcome.sales_cycle_days.current is not None else '— none won'}"
        f" · {outcome.won_count.current:,} won, {outcome.lost_count.current:,} lost"
    )


def funnel_part(data: FunnelDigestData, marker: str, chart: bool) -> Part:
    funnel = data.funnel
    title = _title("Funnel", funnel.period.label, marker)
    headline = "\n".join(funnel_blocks.summary(funnel))
    compare = (
        f"*Sources*: {funnel_blocks.best_worst(data.sources)}.\n"
        f"*Campaigns*: {funnel_blocks.best_worst(data.campaigns)}."
    )
    versus = funnel_blocks.versus(funnel.period)
    note = f"Leads created {span(funnel.period)}; changes are {versus}."
    if chart:
        note += " The funnel chart is in the thread."
    blocks: list[Block] = [header(title), section(headline)]
    texts = [title, headline]
    if funnel.cohort.current:
        blocks.append(section(funnel_blocks.steps_table(funnel)))
        texts += funnel_blocks.step_lines(funnel)
    blocks += [section(compare), context(note)]
    texts += [compare, note]
    return Part(blocks, "\n".join(texts))


def span(period: Period) -> str:
    """`2026-02-01 to 2026-02-28` for whole days, else local times; the zone named."""
    start, end = period.start, period.end
    zone = start.tzname()
    if (start.hour, start.minute, end.hour, end.minute) == (0, 0, 0, 0):
        last = (end - timedelta(microseconds=1)).date().isoformat()
        return f"{start.date().isoformat()} to {last} ({zone})"
    return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} ({zone})"


def combine(parts: list[Part], timezone: str | None = None) -> tuple[list[Block], str]:
    """One message: the parts one after the other, a divider between them, and the time
    zone every date and period in it is read in."""
    blocks: list[Block] = []
    for index, part in enumerate(parts):
        blocks += ([divider()] if index else []) + part.blocks
    texts = [part.text for part in parts]
    if timezone:
        zone_note = f"Times and periods in {timezone}."
        blocks.append(context(zone_note))
        texts.append(zone_note)
    text = "\n\n".join(texts)
    if len(text) > MAX_FALLBACK:
        text = text[: MAX_FALLBACK - 1] + "…"
    return fit(blocks), text


def fit(blocks: list[Block], limit: int = MAX_BLOCKS) -> list[Block]:
    """At most `limit` blocks; what does not fit is counted in a closing note."""
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 1]
    note = f"…and {len(blocks) - len(kept):,} more parts; `/pipeline bottlenecks` has them all."
    return [*kept, context(note)]


def subscribed_reply(view: SubscriptionView) -> Reply:
    text = (
        f":white_check_mark: {channel(view.channel_id)} gets the *{view.kind}* digest "
        f"{view.schedule.describe()} (subscription #{view.id}). The first one is due "
        f"{_when(view.next_occurrence_at, view.schedule.zone)}. If I'm not in that channel, "
        "invite me with `/invite @Sales Assistant`."
    )
    return Reply(text=text, blocks=[section(text)])


def unsubscribed_reply(view: SubscriptionView) -> Reply:
    text = (
        f":white_check_mark: Subscription #{view.id} stopped: {channel(view.channel_id)} no "
        f"longer gets the *{view.kind}* digest {view.schedule.describe()}."
    )
    return Reply(text=text, blocks=[section(text)])


def _last(view: SubscriptionView) -> str:
    last = view.last_delivery
    if last is None:
        return "nothing sent yet"
    status = last.status + (" (delayed)" if last.delayed else "")
    detail = f": {escape(last.error)}" if last.error else ""
    return f"last {_when(last.occurrence_at, view.schedule.zone)} {status}{detail}"


def subscriptions_reply(views: list[SubscriptionView]) -> Reply:
    if not views:
        text = "No digests are scheduled. `/digest subscribe` sets one up for this channel."
        return Reply(text=text, blocks=[section(text)])
    lines = [f"*Digests* ({len(views):,})"] + [
        f"• *#{v.id}* {channel(v.channel_id)} {v.kind} — {v.schedule.describe()}; next "
        f"{_when(v.next_occurrence_at, v.schedule.zone)}; {_last(v)}"
        for v in views[:MAX_LISTED]
    ]
    if len(views) > MAX_LISTED:
        lines.append(f"…and {len(views) - MAX_LISTED:,} more.")
    return Reply(text="\n".join(lines), blocks=sections_from_lines(lines))
