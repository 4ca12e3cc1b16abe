"""`/funnel`: the funnel report, sources and campaigns side by side, and the funnel chart."""

from __future__ import annotations

import logging

from assistant import charts
from assistant.analytics import Funnel
from assistant.blocks import funnel as render
from assistant.blocks.common import Reply, section
from assistant.commands.args import reject_leftovers, take_options, take_period
from assistant.commands.framework import CommandSet, Invocation, Subcommand
from assistant.digests.model import DigestNotPosted
from assistant.domain.errors import InvalidInput
from assistant.domain.periods import Period
from assistant.domain.suggest import closest
from assistant.services import reports
from assistant.slack.errors import classify

log = logging.getLogger(__name__)

REPORT_USAGE = "/funnel [period] [source:..] [campaign:..] [share]"
CHART_USAGE = "/funnel chart [period] [source:..] [campaign:..]"
SUBCOMMANDS = ("sources", "campaigns", "cohorts", "chart", "help")


def _period(inv: Invocation, tokens: list[str]) -> Period:
    zone = reports.workspace_timezone(inv.services, inv.actor)
    period, rest = take_period(tokens, zone, inv.services.now())
    if rest and (close := closest(rest[0], SUBCOMMANDS)):
        # `/funnel sourcse` lands here as the report's argument; point at what was meant.
        raise InvalidInput(f"I don't know `{rest[0][:40]}`. Did you mean `/funnel {close[0]}`?")
    reject_leftovers(rest)
    return period


def _funnel(inv: Invocation) -> Funnel:
    options, rest = take_options(inv.args, ("source", "campaign"))
    period = _period(inv, rest)
    return reports.funnel(
        inv.services, inv.actor, period, options.get("source"), options.get("campaign")
    )


def report(inv: Invocation) -> Reply:
    return render.funnel_reply(_funnel(inv))


def sources(inv: Invocation) -> Reply:
    period = _period(inv, inv.args)
    return render.groups_reply(reports.funnel_groups(inv.services, inv.actor, period, "source"))


def campaigns(inv: Invocation) -> Reply:
    period = _period(inv, inv.args)
    return render.groups_reply(reports.funnel_groups(inv.services, inv.actor, period, "campaign"))


COHORTS_USAGE = "/funnel cohorts [period] [by:month|week] [source:..]"


def cohorts(inv: Invocation) -> Reply:
    """The leads of each month (or week) of the period: how far they have got so far."""
    options, rest = take_options(inv.args, ("by", "source"))
    by = (options.get("by") or "month").casefold().removesuffix("s")
    if by not in ("month", "week"):
        raise InvalidInput(f"Cohorts are `by:month` or `by:week`, not `by:{by[:20]}`.")
    zone = reports.workspace_timezone(inv.services, inv.actor)
    period, rest = take_period(rest, zone, inv.services.now(), default="last 6 months")
    reject_leftovers(rest)
    source = options.get("source")
    found = reports.cohorts(inv.services, inv.actor, period, by, source)
    return render.cohorts_reply(found, source)


def chart(inv: Invocation) -> Reply:
    """Figures now (so bad input is answered at once); drawing and uploading after the reply,
    since the picture takes about half a second and Slack wants its answer within three."""
    funnel = _funnel(inv)
    if inv.slack is None:
        reply = render.funnel_reply(funnel)
        note = "Charts are drawn in Slack only; here are the figures."
        reply.text = f"{note}\n{reply.text}"
        reply.blocks.insert(0, section(f"_{note}_"))
        return reply
    inv.after_reply(lambda: _upload(inv, funnel))
    text = "Drawing the funnel chart… it will appear in this channel in a moment."
    return Reply(text=text, blocks=[section(text)])


def _upload(inv: Invocation, funnel: Funnel) -> None:
    png = charts.funnel_chart(funnel)
    day = funnel.period.end.date().isoformat()
    try:
        inv.slack.files_upload_v2(  # type: ignore[union-attr]
            channel=inv.channel_id,
            file=png,
            filename=f"funnel-{day}.png",
            title=f"Funnel, {funnel.period.label}",
            initial_comment=render.title(funnel),
        )
    except Exception as err:  # not in the channel, say: tell the one who asked, privately
        reason = classify(err).reason
        log.warning("funnel chart upload to %s failed: %s", inv.channel_id, reason)
        hint = DigestNotPosted.HINTS.get(reason, f"Slack said `{reason}`.")
        _tell(inv, f":warning: I couldn't post the funnel chart here. {hint}")


def _tell(inv: Invocation, text: str) -> None:
    try:
        inv.slack.chat_postEphemeral(  # type: ignore[union-attr]
            channel=inv.channel_id, user=inv.actor.user_id, text=text
        )
    except Exception as err:
        log.warning("could not tell %s either: %s", inv.actor.user_id, classify(err).reason)


COMMANDS = CommandSet(
    command="/funnel",
    summary="how leads convert, stage by stage, per source and per campaign.",
    subcommands=[
        Subcommand("report", REPORT_USAGE,
                   "the funnel of the leads created in the period: reached per stage, step "
                   "conversion, overall, days to action; changes against the period before.",
                   "/funnel 30d source:google", report, writes=False),
        Subcommand("sources", "/funnel sources [period]",
                   "every source side by side; the best and the worst named.",
                   "/funnel sources last month", sources, writes=False),
        Subcommand("campaigns", "/funnel campaigns [period]",
                   "every campaign side by side; the best and the worst named.",
                   "/funnel campaigns this quarter", campaigns, writes=False),
        Subcommand("cohorts", COHORTS_USAGE,
                   "the leads of each month (or week): how far they have got so far, the "
                   "share to action and the days it took (the last 6 months by default).",
                   "/funnel cohorts this year source:webinar", cohorts, writes=False),
        Subcommand("chart", CHART_USAGE, "the funnel as a picture, posted in this channel.",
                   "/funnel chart 7d", chart),
    ],
    default="report",
    default_takes_args=True,
)  # fmt: skip
