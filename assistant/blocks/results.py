"""`/pipeline results` as a reply: the period's results, why velocity moved, the target,
and per segment a table that fits a phone (the rest as a CSV file)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

from assistant.analytics.results import NO_SEGMENT, SMALL_SAMPLE, Figures, Results, Segment
from assistant.blocks.common import Reply, context, literal, plural, section
from assistant.blocks.funnel import versus
from assistant.blocks.tables import GROUP_WIDTH, cell, table
from assistant.domain.amounts import format_amount
from assistant.services.targets import TargetView

SEGMENT_ROWS = 15  # rows shown in the message; the whole table goes out as a CSV file
WORDS = {  # (rise, fall) of each factor of velocity
    "open deals": ("more open deals", "fewer open deals"),
    "win rate": ("higher win rate", "lower win rate"),
    "average won": ("bigger deals", "smaller deals"),
    "cycle": ("longer cycle", "shorter cycle"),
}
STEADY = 0.005  # a factor that moved less than half a percent is "unchanged"


def _pct(ratio: float) -> str:
    return f"{(ratio - 1) * 100:+.0f}%".replace("-", "−")


def _rate(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} days" if value >= 1.5 else f"{value:.1f} days"


def _change(now: float | Decimal | None, before: float | Decimal | None) -> str:
    if now is None or before is None or not before:
        return ""
    return f" ({_pct(float(now) / float(before))})"


def velocity_words(results: Results) -> str | None:
    """`velocity +18%: more open deals +11%, higher win rate +9%, smaller deals −4%, cycle
    unchanged` — each factor's own change; their log changes add up to velocity's."""
    change = results.velocity_change
    if change is None:
        return None
    parts = []
    for factor in change.factors:
        if abs(factor.ratio - 1) < STEADY:
            parts.append(f"{factor.name} unchanged")
        else:
            rise, fall = WORDS[factor.name]
            parts.append(f"{rise if factor.ratio > 1 else fall} {_pct(factor.ratio)}")
    return f"velocity {_pct(change.ratio)}: " + ", ".join(parts)


def figure_lines(now: Figures, before: Figures, money) -> list[str]:
    rate = f"*{_rate(now.win_rate)}*"
    if now.win_rate is not None and before.win_rate is not None:
        rate += f" ({(now.win_rate - before.win_rate) * 100:+.1f} pts)".replace("-", "−")
    if (interval := now.win_rate_interval) is not None:
        low, high = interval
        rate += (
            f"; 90% range {low * 100:.0f}–{high * 100:.0f}% on {plural(now.closed_count, 'deal')}"
        )
    velocity = now.velocity
    return [
        f"• Won: *{plural(now.won_count, 'deal')}* worth *{money(now.won_value)}*"
        + _change(now.won_value, before.won_value),
        f"• Lost: {plural(now.lost_count, 'deal')}" + _change(now.lost_count, before.lost_count),
        f"• Win rate: {rate}",
        f"• Average won: {money(now.average_won) if now.average_won is not None else '—'}"
        + _change(now.average_won, before.average_won),
        f"• Sales cycle: median {_days(now.median_cycle_days)}, p90 "
        f"{_days(now.p90_cycle_days)}" + _change(now.median_cycle_days, before.median_cycle_days),
        f"• Open deals at its end: {now.open_count:,}" + _change(now.open_count, before.open_count),
        f"• Velocity: *{money(velocity) + ' a day' if velocity is not None else '—'}*"
        + _change(velocity, before.velocity),
    ]


def summary_line(now: Figures, money) -> str:
    """One line of a period's results: `Won 3 deals ($45,000), lost 2 · win rate 60.0% ·
    median cycle 21 days` (App Home and the weekly digest)."""
    if not now.closed_count:
        return "Nothing closed yet."
    line = (
        f"Won {plural(now.won_count, 'deal')} ({money(now.won_value)}), lost {now.lost_count:,}"
        f" · win rate {_rate(now.win_rate)}"
    )
    if now.median_cycle_days is not None:
        line += f" · median cycle {_days(now.median_cycle_days)}"
    return line


def week_lines(results: Results, money) -> list[str]:
    """A weekly digest's results: last week's closings, velocity against the week before, and
    why it moved."""
    now, before = results.total.current, results.total.previous
    first = results.period.start.date()
    last = (results.period.end - timedelta(microseconds=1)).date()
    line = f"*Last week* ({first:%b %-d}–{last:%b %-d}): {summary_line(now, money)}"
    if now.velocity is not None:
        line += f" · velocity {money(now.velocity)} a day" + _change(now.velocity, before.velocity)
    lines = [line]
    if words := velocity_words(results):
        lines.append(f"_{words[0].upper()}{words[1:]} against the week before._")
    return lines


def target_line(target: TargetView, money, who: str | None = None) -> str:
    """`*Target* (team, 2026-Q4): $600,000, 62.1% reached, $227,400 to go; …`"""
    who = who or ("team" if target.owner_id is None else "yours")
    line = (
        f"*Target* ({literal(who)}, {literal(target.label)}): {money(target.amount)}, "
        f"{target.attainment * 100:.1f}% reached"
    )
    if not target.gap:
        return line + " — met."
    line += f", {money(target.gap)} to go"
    if target.coverage is not None:
        line += f"; pipeline coverage {target.coverage:.1f}×"
        if target.needed_coverage is not None:
            rate = 100 / target.needed_coverage
            line += f" (a {rate:.0f}% win rate needs {target.needed_coverage:.1f}×)"
    return line + "."


def results_reply(
    results: Results,
    currency: str,
    names: Mapping[str, str],
    target: TargetView | None = None,
    with_file: bool = True,
) -> Reply:
    """The reply; `with_file`: the whole segment table goes along as a CSV file."""

    def money(amount: Decimal) -> str:
        return format_amount(amount, currency)

    now, before = results.total.current, results.total.previous
    heading = (
        f"*Results, {literal(results.period.label)}* — deals closed in it, {versus(results.period)}"
    )
    if not now.closed_count and not before.closed_count and not now.open_count:
        text = (
            f"No deal closed in {literal(results.period.label)}, nor in the period before, "
            "and none was open. Try a longer period, e.g. `/pipeline results this year`."
        )
        return Reply(text=text, blocks=[section(text)])
    lines = figure_lines(now, before, money)
    if words := velocity_words(results):
        lines.append(f"  _{words}_")
    blocks = [section(heading + "\n" + "\n".join(lines))]
    texts = [heading, *lines]
    if target is not None:
        blocks.append(section(target_line(target, money)))
        texts.append(target_line(target, money))
    if results.by:
        shown = results.segments[:SEGMENT_ROWS]
        blocks.append(section(_segment_table(results.by, shown, results.total, money, names)))
        notes = []
        if any(segment.small_sample for segment in shown):
            notes.append(f"* fewer than {SMALL_SAMPLE} closed deals: a small sample.")
        if len(results.segments) > SEGMENT_ROWS:
            where = "every row is in the CSV file" if with_file else "in Slack they come as a CSV"
            notes.append(
                f"…and {len(results.segments) - SEGMENT_ROWS:,} more {results.by}s: {where}."
            )
        if notes:
            blocks.append(context(*notes))
        texts += [_segment_line(s, money, names) for s in shown] + notes
    return Reply(text="\n".join(texts), blocks=blocks)


def _name(segment: Segment, names: Mapping[str, str]) -> str:
    if segment.key is None:
        return "Total"
    return names.get(segment.key, segment.key) if segment.key != NO_SEGMENT else NO_SEGMENT


def _segment_table(by: str, shown, total: Segment, money, names) -> str:
    head = (by.title(), "Won", "Value", "Lost", "Win", "Cycle")
    rows = [
        (cell(_name(s, names) + (" *" if s.small_sample else ""), GROUP_WIDTH),
         f"{s.current.won_count:,}", money(s.current.won_value), f"{s.current.lost_count:,}",
         _rate(s.current.win_rate), _short_days(s.current.median_cycle_days))
        for s in [*shown, total]
    ]  # fmt: skip
    return table(head, rows, "lrrrrr")


def _short_days(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}d"


def _segment_line(segment: Segment, money, names) -> str:
    now = segment.current
    return (
        f"{literal(_name(segment, names))}: {now.won_count:,} won ({money(now.won_value)}), "
        f"{now.lost_count:,} lost, win rate {_rate(now.win_rate)}"
    )


def results_csv(results: Results, names: Mapping[str, str]) -> bytes:
    """Every segment, for a spreadsheet: the rows a message has no room for."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([
        results.by, "won", "won_value", "lost", "win_rate", "average_won", "median_cycle_days",
        "p90_cycle_days", "open_at_end", "velocity_per_day",
    ])  # fmt: skip
    for segment in [*results.segments, results.total]:
        now = segment.current
        writer.writerow([
            _name(segment, names), now.won_count, now.won_value, now.lost_count,
            "" if now.win_rate is None else f"{now.win_rate:.4f}", now.average_won or "",
            _round(now.median_cycle_days), _round(now.p90_cycle_days), now.open_count,
            now.velocity or "",
        ])  # fmt: skip
    return out.getvalue().encode()


def _round(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
