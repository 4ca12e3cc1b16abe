"""`/pipeline`: the board, the bottleneck and forecast reports, and the stage settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.blocks import pipeline as render
from assistant.blocks.common import Reply, plural
from assistant.commands.args import (
    parse_days,
    parse_percent,
    reject_leftovers,
    take_options,
    take_period,
)
from assistant.commands.framework import CommandSet, Invocation, Subcommand
from assistant.domain.errors import InvalidInput
from assistant.domain.limits import MAX_STAGE_LABEL
from assistant.domain.periods import Period
from assistant.services import reports, settings

STAGES_USAGE = "/pipeline stages [set <s1>, <s2>, ...]"
STAGE_USAGE = '/pipeline stage <stage> [target:<N>d] [probability:<P>%] [label:".."]'


def board(inv: Invocation) -> Reply:
    _, rest = take_options(inv.args, ())
    if rest:
        raise InvalidInput("`/pipeline` takes no words other than `share`.")
    return render.board_reply(reports.board(inv.services, inv.actor))


def _period(inv: Invocation) -> tuple[Period, datetime, ZoneInfo]:
    zone = reports.workspace_timezone(inv.services, inv.actor)
    now = inv.services.now()
    period, rest = take_period(inv.args, zone, now)
    reject_leftovers(rest)
    return period, now, zone


def bottlenecks(inv: Invocation) -> Reply:
    period, _, _ = _period(inv)
    return render.bottleneck_reply(reports.bottlenecks(inv.services, inv.actor, period))


def forecast(inv: Invocation) -> Reply:
    period = _ahead(*_period(inv))
    return render.forecast_reply(reports.forecast(inv.services, inv.actor, period))


def _ahead(period: Period, now: datetime, zone: ZoneInfo) -> Period:
    """A forecast looks forward: periods that stop at "now" are read to their natural end.

    `30d` becomes the next 30 days, `last 2 weeks` the next two weeks, and `this quarter` the
    whole quarter; explicit dates, months, quarters, `next ...` and past periods stay as typed.
    Recognised by the labels `parse_period` gives.
    """
    words = period.label.split()
    if period.end != now:
        return period
    if words[0] == "last" and words[1].isdigit():  # `<N>d` ("last N days"), `last N weeks|months`
        count, unit = int(words[1]), words[2].removesuffix("s")
        days = {"day": count, "week": 7 * count}.get(unit)
        ahead = timedelta(days=days) if days else period.duration  # months: as long again
        return Period(now, now + ahead, f"next {plural(count, unit)}")
    if words[0] not in ("today", "this"):
        return period  # `last month`, `yesterday`, a date: they end at a midnight that can be now
    first = period.start.date()
    unit = "day" if words[0] == "today" else words[1]
    months = {"month": 1, "quarter": 3, "year": 12}.get(unit)
    if months:
        index = first.year * 12 + first.month - 1 + months
        after = date(index // 12, index % 12 + 1, 1)
    else:
        after = first + timedelta(days=7 if unit == "week" else 1)
    # Via UTC, so a midnight that a DST change skips becomes the day's first real instant.
    end = datetime.combine(after, time(0), tzinfo=zone).astimezone(UTC).astimezone(zone)
    return Period(period.start, end, period.label)


def stages(inv: Invocation) -> Reply:
    if not inv.args:
        return render.stages_reply(settings.list_pipeline(inv.services, inv.actor))
    if inv.args[0].casefold() != "set":
        raise InvalidInput("To change the stages, use `/pipeline stages set <s1>, <s2>, ...`.")
    labels = [label.strip() for label in " ".join(inv.args[1:]).split(",")]
    if not any(labels):
        raise InvalidInput("List the stages in order, separated by commas.")
    changed = settings.set_pipeline(inv.services, inv.actor, labels)
    return render.stages_reply(changed, f"*The pipeline now has {len(changed)} stages.*")


def stage(inv: Invocation) -> Reply:
    options, rest = take_options(inv.args, ("target", "probability", "label"))
    if not rest:
        raise InvalidInput("Which stage? Name it by key or label, e.g. `proposal`.")
    name = " ".join(rest)
    if len(name) > MAX_STAGE_LABEL:
        # Labels have at most 80 characters; echoing a pasted page would hide the usage.
        raise InvalidInput(f"Unknown stage `{name[:40]}…`: see `/pipeline stages`.")
    changed = settings.configure_stage(
        inv.services,
        inv.actor,
        name,
        target_days=parse_days(options["target"]) if "target" in options else None,
        probability=parse_percent(options["probability"]) if "probability" in options else None,
        label=options.get("label"),
    )
    return render.stage_changed_reply(changed)


COMMANDS = CommandSet(
    command="/pipeline",
    summary="the board, where deals get stuck, the forecast, and the stages.",
    subcommands=[
        Subcommand("board", "/pipeline [board] [share]",
                   "per stage: open deals, value, weighted value, stuck; totals.",
                   "/pipeline share", board, writes=False),
        Subcommand("bottlenecks", "/pipeline bottlenecks [period]",
                   "the stage where deals pile up, its stuck deals and their owners.",
                   "/pipeline bottlenecks 30d", bottlenecks, writes=False),
        Subcommand("forecast", "/pipeline forecast [period]",
                   "deals expected to close, weighted, with the win rate; `30d` looks ahead.",
                   "/pipeline forecast this quarter", forecast, writes=False),
        Subcommand("stages", STAGES_USAGE, "show the stages; admins replace them.",
                   "/pipeline stages set Prospecting, Demo, Proposal, Closing", stages),
        Subcommand("stage", STAGE_USAGE, "change one stage's target, probability or label "
                   "(admins).", "/pipeline stage proposal target:10d probability:60%", stage),
    ],
    default="board",
)  # fmt: skip
