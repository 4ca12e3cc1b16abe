"""`/pipeline`: the board, the bottleneck and forecast reports, and the stage settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from assistant.blocks import forecasts as render_forecasts
from assistant.blocks import pipeline as render
from assistant.blocks import results as render_results
from assistant.blocks.common import Reply, section
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
from assistant.domain.periods import Period, whole
from assistant.domain.suggest import closest
from assistant.services import forecasts, reports, settings
from assistant.slack.errors import classify

log = logging.getLogger(__name__)

STAGES_USAGE = "/pipeline stages [set <s1>, <s2>, ...]"
STAGE_USAGE = '/pipeline stage <stage> [target:<N>d] [probability:<P>%|learned] [label:".."]'


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
    if inv.args and inv.args[0].casefold() == "accuracy":
        reject_leftovers(inv.args[1:])
        return render_forecasts.record_reply(forecasts.forecast_record(inv.services, inv.actor))
    period = whole(*_period(inv))  # words first: a typo is answered at once
    return _after_history(inv, lambda: _forecast(inv, period))


def _forecast(inv: Invocation, period: Period) -> Reply:
    learned = reports.forecast_outlook(inv.services, inv.actor, period)
    reply = render.forecast_reply(reports.forecast(inv.services, inv.actor, period), learned)
    if learned.over:  # a past period: what was forecast for it is its record
        kept = forecasts.kept_for(inv.services, inv.actor, period)
        reply = render_forecasts.with_kept(reply, kept)
    return reply


RESULTS_USAGE = "/pipeline results [period] [by:owner|source|campaign|company|stage]"
SEGMENT_WORDS = {
    "owner": "owner", "owners": "owner", "rep": "owner", "reps": "owner", "person": "owner",
    "salesperson": "owner", "source": "source", "sources": "source", "campaign": "campaign",
    "campaigns": "campaign", "company": "company", "companies": "company",
    "account": "company", "accounts": "company", "stage": "stage", "stages": "stage",
}  # fmt: skip


def results(inv: Invocation) -> Reply:
    """Results of the deals closed in a period (this quarter so far unless one is named)."""
    options, rest = take_options(inv.args, ("by",))
    zone = reports.workspace_timezone(inv.services, inv.actor)
    period, rest = take_period(rest, zone, inv.services.now(), default="this quarter")
    reject_leftovers(rest)
    by = _segment(options.get("by"))
    report = reports.results(inv.services, inv.actor, period, by)
    names = inv.names(s.key for s in report.results.segments) if by == "owner" else {}
    reply = render_results.results_reply(
        report.results, report.currency, names, report.target, with_file=inv.slack is not None
    )
    if by and len(report.results.segments) > render_results.SEGMENT_ROWS:
        _send_csv(inv, report, period, names)
    return reply


def _segment(word: str | None) -> str | None:
    if word is None:
        return None
    segment = SEGMENT_WORDS.get(word.casefold())
    if segment is None:
        close = closest(word, list(SEGMENT_WORDS))
        hint = f" Did you mean `by:{SEGMENT_WORDS[close[0]]}`?" if close else ""
        raise InvalidInput(
            f"I can't split results by `{word[:40]}`.{hint} "
            "By: `owner`, `source`, `campaign`, `company` or `stage`."
        )
    return segment


def _send_csv(inv: Invocation, report, period: Period, names: dict[str, str]) -> None:
    if inv.slack is None:  # the demo console has no Slack to attach a file to
        return
    data = render_results.results_csv(report.results, names)
    name = f"results-{report.results.by}-{period.label.replace(' ', '-')}.csv"

    def upload() -> None:
        try:
            inv.slack.files_upload_v2(  # type: ignore[union-attr]
                channel=inv.channel_id, file=data, filename=name,
                title=f"Results by {report.results.by}, {period.label}",
            )  # fmt: skip
        except Exception as err:
            log.warning("results CSV upload failed: %s", classify(err).reason)

    inv.after_reply(upload)


READING_HISTORY = (
    ":hourglass_flowing_sand: Reading the pipeline's history to learn from it… "
    "the answer will appear here in a few seconds."
)


LEARNED_FOLLOWS = "_The learned figure follows in a few seconds, once the history is read._"


def _after_history(inv: Invocation, make: Callable[[], Reply]) -> Reply:
    """`make`'s reply now, or, when it must first read a long history that is not kept in
    the process yet (seconds at 100k deals), a note now and the reply after it."""
    if inv.answer_later is None or reports.history_is_quick(inv.services, inv.actor):
        return make()
    inv.answer_later(make)
    return Reply(text=READING_HISTORY, blocks=[section(READING_HISTORY)])


def _stages(inv: Invocation) -> Reply:
    learning = reports.stage_learning(inv.services, inv.actor)
    return render.stages_reply(settings.list_pipeline(inv.services, inv.actor),
                               learning=learning)  # fmt: skip


def stages(inv: Invocation) -> Reply:
    if not inv.args:
        return _after_history(inv, lambda: _stages(inv))
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
    chosen = options.get("probability")
    learned = chosen is not None and chosen.casefold() == "learned"
    changed = settings.configure_stage(
        inv.services,
        inv.actor,
        name,
        target_days=parse_days(options["target"]) if "target" in options else None,
        probability=parse_percent(chosen) if chosen is not None and not learned else None,
        label=options.get("label"),
        forecast_uses="learned" if learned else None,
    )
    if chosen is None:
        return render.stage_changed_reply(changed)

    def with_learning() -> Reply:
        uses = next((s for s in reports.stage_learning(inv.services, inv.actor)
                     if s.key == changed.key), None)  # fmt: skip
        return render.stage_changed_reply(changed, uses)

    if inv.answer_later is None or reports.history_is_quick(inv.services, inv.actor):
        return with_learning()
    # The change is saved: say so now, and the learned figure once the history is read.
    inv.answer_later(with_learning)
    reply = render.stage_changed_reply(changed)
    reply.text += f"\n{LEARNED_FOLLOWS}"
    reply.blocks.append(section(LEARNED_FOLLOWS))
    return reply


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
        Subcommand("results", RESULTS_USAGE,
                   "deals closed in the period: won, lost, win rate, cycle, velocity and what "
                   "moved it; `by:` splits them (this quarter so far by default).",
                   "/pipeline results last quarter by:owner", results, writes=False),
        Subcommand("forecast", "/pipeline forecast [period|accuracy]",
                   "the won value likely in the period, learned from your history, as a range "
                   "(P10–P90), with the deals that matter; `accuracy`: past forecasts against "
                   "what was won.",
                   "/pipeline forecast this quarter", forecast, writes=False),
        Subcommand("stages", STAGES_USAGE, "show the stages; admins replace them.",
                   "/pipeline stages set Prospecting, Demo, Proposal, Closing", stages),
        Subcommand("stage", STAGE_USAGE, "change one stage's target, probability or label "
                   "(admins).", "/pipeline stage proposal target:10d probability:60%", stage),
    ],
    default="board",
)  # fmt: skip
