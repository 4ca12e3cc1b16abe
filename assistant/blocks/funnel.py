"""The funnel as replies: one cohort stage by stage, and sources or campaigns side by side.

Every figure that compares periods says against what: `42% (▲5 pts vs previous 7 days)`. The
points are the difference of the two *shown* (rounded) percentages, so a reader's own
subtraction always agrees with the reply.
"""

from __future__ import annotations

import math

from assistant.analytics import Delta, Funnel, FunnelGroups
from assistant.analytics.cohorts import Cohorts
from assistant.analytics.funnel_groups import MIN_SAMPLE, comparable
from assistant.blocks.common import (
    Reply,
    context,
    days,
    literal,
    more_line,
    plural,
    section,
)
from assistant.blocks.tables import GROUP_WIDTH, cell, column_head, table
from assistant.domain.periods import Period

MAX_GROUP_ROWS = 15  # sources or campaigns per table; the rest are counted, not listed


def whole_percent(share: float) -> int:
    return math.floor(share * 100 + 0.5)  # half up: 12.5% shows as 13%, as people round


def pct(share: float | None) -> str:
    return "—" if share is None else f"{whole_percent(share)}%"


def pct1(share: float | None) -> str:
    """One decimal, where rows are compared: 12.3 % and 11.8 % must not both read 12 %."""
    return "—" if share is None else f"{share * 100:.1f}%"


def versus(period: Period) -> str:
    return f"vs previous {plural(round(period.days), 'day')}"


def _arrow(change: float, text: str) -> str:
    return f"▲{text}" if change > 0 else f"▼{text}"


def pct_change(delta: Delta, period: Period) -> str:
    """`42% (▲5 pts vs previous 7 days)`; the figure alone when there is nothing to compare."""
    if delta.current is None:
        return "—"
    if delta.previous is None:
        return f"{pct(delta.current)} (no figure for the {versus(period).removeprefix('vs ')})"
    points = whole_percent(delta.current) - whole_percent(delta.previous)
    change = "no change" if points == 0 else _arrow(points, f"{abs(points)} pts")
    return f"{pct(delta.current)} ({change} {versus(period)})"


def count_note(delta: Delta, period: Period) -> str:
    """`(▲5 vs previous 7 days)`, to follow a count."""
    change = delta.change or 0
    moved = "no change" if change == 0 else _arrow(change, f"{abs(change):,}")
    return f"({moved} {versus(period)})"


def days_change(delta: Delta, period: Period) -> str:
    """`3 days (▼1.5 days vs previous 30 days)`; `—` when nothing got there."""
    if delta.current is None:
        return "—"
    if delta.change is None:
        return days(delta.current)
    change = round(delta.change, 1)
    moved = "no change" if change == 0 else _arrow(change, days(abs(change)))
    return f"{days(delta.current)} ({moved} {versus(period)})"


def signed(change: float | int | None, unit: str = "") -> str:
    return "—" if change is None else f"{change:+,}{unit}"


def step_points(delta: Delta) -> str:
    if delta.current is None or delta.previous is None:
        return "—"
    return signed(whole_percent(delta.current) - whole_percent(delta.previous), " pts")


def title(funnel: Funnel) -> str:
    """`Funnel, last 7 days · source: Google`, filters escaped (they are user text)."""
    text = f"Funnel, {literal(funnel.period.label)}"
    for name, value in (("source", funnel.source), ("campaign", funnel.campaign)):
        if value:
            text += f" · {name}: {literal(value)}"
    return text


def summary(funnel: Funnel) -> list[str]:
    """The cohort, the overall conversion and the days to action, each with its change."""
    period = funnel.period
    if not funnel.cohort.current:
        before = funnel.cohort.previous or 0
        earlier = versus(period).removeprefix("vs ")
        return [f"No leads were created in {literal(period.label)} ({before:,} in the {earlier})."]
    last = literal(funnel.steps[-1].label) if funnel.steps else "the last stage"
    to_action = days_change(funnel.median_days_to_action, period)
    if funnel.median_days_to_action.current is None:
        to_action = "none got there"
    return [
        f"• Leads created: *{funnel.cohort.current:,}* {count_note(funnel.cohort, period)}",
        f"• Reached {last}: *{pct_change(funnel.overall, period)}*",
        f"• Median time to action: {to_action}",
    ]


def steps_table(funnel: Funnel) -> str:
    rows = [
        (cell(s.label, GROUP_WIDTH), f"{s.reached.current or 0:,}", signed(s.reached.change),
         pct(s.step_conversion.current), step_points(s.step_conversion))
        for s in funnel.steps
    ]  # fmt: skip
    return table(("Stage", "Reached", "Change", "Step", "Change"), rows, "lrrrr")


def funnel_reply(funnel: Funnel) -> Reply:
    headline = "\n".join([f"*{title(funnel)}*", *summary(funnel)])
    note = (
        "Cohort = the leads created in the period; reached = got to the stage or further; "
        f"step = share of the stage before. Changes are {versus(funnel.period)}."
    )
    blocks = [section(headline), section(steps_table(funnel)), context(note)]
    return Reply(text="\n".join([headline, *step_lines(funnel)]), blocks=blocks)


def step_lines(funnel: Funnel) -> list[str]:
    """The table's content as sentences, for the plain-text fallback."""
    return [
        f"{literal(s.label)}: {s.reached.current or 0:,} reached"
        + (f", {pct(s.step_conversion.current)} of the stage before" if i else "")
        for i, s in enumerate(funnel.steps)
    ]


def best_worst(groups: FunnelGroups) -> str:
    """`best *LinkedIn* (100%), worst *Google* (0%)`, or why there is none."""
    best, worst = groups.best, groups.worst
    if best is None or worst is None:
        fit = comparable(groups.groups)
        if len(fit) < 2:
            return (
                f"no best or worst yet: fewer than two {groups.by}s with {MIN_SAMPLE} leads or more"
            )
        # Analytics names no best or worst when all convert alike; say so plainly.
        return f"all {groups.by}s convert alike ({pct1(fit[0].overall.current)})"
    return (
        f"best *{literal(best.group)}* ({pct1(best.overall.current)} of "
        f"{plural(best.cohort.current or 0, 'lead')}), worst *{literal(worst.group)}* "
        f"({pct1(worst.overall.current)} of {plural(worst.cohort.current or 0, 'lead')})"
    )


def groups_reply(groups: FunnelGroups) -> Reply:
    shown = groups.groups[:MAX_GROUP_ROWS]
    plural_by = f"{groups.by}s"
    headline = (
        f"*Funnel by {groups.by}, {literal(groups.period.label)}*: "
        f"{plural(len(groups.groups), groups.by)}; {best_worst(groups)}."
    )
    if not groups.groups:
        text = (
            f"*Funnel by {groups.by}, {literal(groups.period.label)}*: no leads were created in it."
        )
        return Reply(text=text, blocks=[section(text)])
    stage_heads = [column_head(s.label) for s in groups.groups[0].steps]
    head = (groups.by.title(), "Leads", *stage_heads, "Overall", "Change")
    rows = [
        (cell(g.group or "", GROUP_WIDTH), f"{g.cohort.current or 0:,}",
         *(f"{s.reached.current or 0:,}" for s in g.steps), pct1(g.overall.current),
         step_points(g.overall))
        for g in shown
    ]  # fmt: skip
    more = more_line(len(shown), len(groups.groups), plural_by)
    note = (
        "Leads = created in the period; Overall = reached the last stage; Change = overall "
        f"conversion {versus(groups.period)}."
    )
    blocks = [section(headline), section(table(head, rows, "l" + "r" * (len(head) - 1)))]
    blocks.append(context(*([more] if more else []), note))
    lines = [headline] + [
        f"{literal(g.group)}: {g.cohort.current or 0:,} leads, {pct1(g.overall.current)} overall"
        for g in shown
    ]
    return Reply(text="\n".join([*lines, *([more] if more else [])]), blocks=blocks)


def cohorts_reply(found: Cohorts, source: str | None = None) -> Reply:
    """Per cohort: leads, how many reached each stage so far, share to action, days."""
    filtered = f", source {literal(source)}" if source else ""
    heading = (
        f"*Lead cohorts by {found.by}, {literal(found.period.label)}{filtered}*: "
        "where each month's leads have got to so far"
        if found.by == "month"
        else f"*Lead cohorts by week, {literal(found.period.label)}{filtered}*"
    )
    if not any(row.size for row in found.rows):
        text = f"{heading}: no leads were created in it."
        return Reply(text=text, blocks=[section(text)])
    heads = [column_head(label) for label in found.stages]
    head = (found.by.title(), "Leads", *heads[1:], "To action", "Days")
    rows = [
        (row.label, f"{row.size:,}", *(f"{n:,}" for n in row.reached[1:]),
         pct1(row.action_share), "—" if row.median_days_to_action is None
         else f"{row.median_days_to_action:.0f}")
        for row in found.rows
    ]  # fmt: skip
    note = (
        "Leads = created in the cohort; each stage = reached it or further so far; Action = "
        "share that reached the last stage; Days = median days from creation to it."
    )
    blocks = [section(heading), section(table(head, rows, "l" + "r" * (len(head) - 1)))]
    blocks.append(context(note))
    lines = [heading] + [
        f"{row.label}: {row.size:,} leads, {pct1(row.action_share)} to action" for row in found.rows
    ]
    return Reply(text="\n".join([*lines, note]), blocks=blocks)
