"""`/nudge`: your daily nudge — see it and what it would hold today, switch it, set its hour,
days and size; managers see what nudges led to (`/nudge stats`)."""

from __future__ import annotations

from assistant.blocks.common import Reply, escape, section, sections_from_lines
from assistant.blocks.nudges import item_line
from assistant.commands.args import reject_leftovers, take_options, take_period
from assistant.commands.framework import CommandSet, Invocation, Subcommand
from assistant.domain.errors import InvalidInput
from assistant.domain.nudging import (
    REASONS,
    describe_days,
    parse_budget,
    parse_days,
    parse_time,
)
from assistant.services import reports
from assistant.services.nudging import prefs
from assistant.services.nudging.mine import my_nudges
from assistant.services.nudging.stats import BY, COLUMNS, nudge_stats

REASON_NAMES = {"stuck": "stuck past target", "close_passed": "close date passed",
                "quiet": "no change or note"}  # fmt: skip
assert set(REASON_NAMES) == set(REASONS)


def show(inv: Invocation) -> Reply:
    reject_leftovers(inv.args)
    mine = my_nudges(inv.services, inv.actor)
    p = mine.prefs
    state = "on" if p.enabled else "off"
    lines = [
        f"*Your daily nudge*: {state} · {p.at_time} ({mine.zone.key}) · {p.describe_days()} · "
        f"up to {p.budget} deals",
        f"• Budget today: *{mine.budget.size}* — {escape(mine.budget.why)}",
    ]
    if mine.workspace_off:
        lines.append("• An admin switched nudges off for everyone in this workspace.")
    if mine.sent_today:
        lines.append(f"• Today's nudge: {_sent_state(mine.sent_today)}")
    view = mine.today
    if view.items:
        lines.append(f"*What it would hold now* ({len(view.items)} due):")
        lines += [f"{n}. {item_line(i, view)}" for n, i in enumerate(view.shown, 1)]
        if view.more:
            lines.append(f"…and {view.more} more")
    else:
        lines.append("Nothing needs you today: no nudge.")
    lines.append(
        "Change it: `/nudge off`, `/nudge at 08:30`, `/nudge days mon-thu`, `/nudge max 3`"
    )
    return Reply(text="\n".join(lines), blocks=sections_from_lines(lines))


def _sent_state(status: str) -> str:
    return {"posted": "sent", "empty": "nothing was due", "skipped": "skipped"}.get(status, status)


def _changed(inv: Invocation, text: str, **values: object) -> Reply:
    prefs.set_own(inv.services, inv.actor, **values)
    return Reply(text=text, blocks=[section(text)])


def turn_on(inv: Invocation) -> Reply:
    reject_leftovers(inv.args)
    return _changed(inv, ":bell: Nudges are on: one DM on your mornings when deals need you.",
                    enabled=True)  # fmt: skip


def turn_off(inv: Invocation) -> Reply:
    reject_leftovers(inv.args)
    return _changed(inv, ":no_bell: Nudges are off for you. `/nudge on` brings them back.",
                    enabled=False)  # fmt: skip


def set_time(inv: Invocation) -> Reply:
    if len(inv.args) != 1:
        raise InvalidInput("Give one time of day, e.g. `/nudge at 08:30`.")
    at = parse_time(inv.args[0])
    return _changed(inv, f":alarm_clock: Your nudge now comes at {at}, your time.", at_time=at)


def set_days(inv: Invocation) -> Reply:
    if not inv.args:
        raise InvalidInput("Which days? e.g. `/nudge days mon-thu`.")
    days = parse_days(",".join(inv.args))
    return _changed(inv, f":calendar: Your nudge now comes {describe_days(days)}.", days=days)


def set_budget(inv: Invocation) -> Reply:
    if len(inv.args) != 1:
        raise InvalidInput("Give one number, e.g. `/nudge max 3`.")
    budget = parse_budget(inv.args[0])
    return _changed(inv, f":dart: Your nudge now lists up to {budget} deals.", budget=budget)


STATS_USAGE = "/nudge stats [period] [by:rep|reason]"


def stats(inv: Invocation) -> Reply:
    options, rest = take_options(inv.args, ("by",))
    by = options.get("by", "").casefold() or None
    if by is not None and by not in BY:
        raise InvalidInput("`by:` is `rep` or `reason`.")
    zone = reports.workspace_timezone(inv.services, inv.actor)
    period, rest = take_period(rest, zone, inv.services.now(), default="30d")
    reject_leftovers(rest)
    assert period is not None
    found = nudge_stats(inv.services, inv.actor, period, by)
    header = ["", "sent", "acted", "snoozed", "ignored", "escalated", "action rate"]

    def cells(row, name: str) -> list[str]:
        rate = f"{row.rate:.0%}" if row.rate is not None else "—"
        return [name, *(str(row.counts[c]) for c in COLUMNS), rate]

    names = inv.names([r.key for r in found.rows]) if by == "rep" else {}
    rows = [cells(r, names.get(r.key, REASON_NAMES.get(r.key, r.key))) for r in found.rows]
    rows.append(cells(found.total, "all"))
    lines = [f"*Nudges · {escape(period.label)}*"]
    lines += [" · ".join(f"{h} {v}".strip() for h, v in zip(header, row, strict=True))
              for row in rows]  # fmt: skip
    if found.waiting:
        lines.append(f"_{found.waiting} sent in the last 24 hours are not settled yet._")
    return Reply(text="\n".join(lines), blocks=sections_from_lines(lines))


COMMANDS = CommandSet(
    command="/nudge",
    summary="your daily DM of the deals that need you.",
    subcommands=[
        Subcommand("show", "/nudge", "your nudge settings and what it would hold today.",
                   "/nudge", show, writes=False),
        Subcommand("on", "/nudge on", "get your daily nudge.", "/nudge on", turn_on),
        Subcommand("off", "/nudge off", "stop your daily nudge.", "/nudge off", turn_off),
        Subcommand("at", "/nudge at <HH:MM>", "the time it comes, your time (07:00–19:59).",
                   "/nudge at 08:30", set_time),
        Subcommand("days", "/nudge days <mon-fri|mon,wed,fri>", "the days it comes.",
                   "/nudge days mon-thu", set_days),
        Subcommand("max", "/nudge max <1-20>", "how many deals it lists at most.",
                   "/nudge max 3", set_budget),
        Subcommand("stats", STATS_USAGE, "sent, acted on, snoozed, ignored (managers).",
                   "/nudge stats 30d by:rep", stats, writes=False),
    ],
    default="show",
)  # fmt: skip
