"""The one-line heading of an answer, in words: "Win rate and results by rep, last quarter"."""

from __future__ import annotations

from collections.abc import Callable

from assistant.ask.model import CHANGES, MINE, Intent, Slots
from assistant.ask.spoken import describe_period, kind_label
from assistant.ask.vocabulary import Vocabulary

_TITLES = {
    Intent.BOARD: "The pipeline board: open deals and value per stage",
    Intent.BOTTLENECKS: "Bottlenecks",
    Intent.FORECAST: "Forecast",
    Intent.FORECAST_ACCURACY: "Forecast accuracy: past forecasts against what closed",
    Intent.RESULTS: "Win rate and results",
    Intent.FUNNEL: "Funnel",
    Intent.SOURCES: "Sources compared",
    Intent.CAMPAIGNS: "Campaigns compared",
    Intent.COHORTS: "Lead cohorts",
    Intent.TARGETS: "Targets and attainment",
    Intent.HELP: "What I can answer",
}
_SEGMENT_WORDS = {"owner": "rep"}
_LISTS = (Intent.STUCK, Intent.DEALS, Intent.LEADS)

Label = Callable[[str, str], str]


def _change(intent: Intent, s: Slots, label: Label) -> str:
    deal = label("deal", str(s.deal))
    if intent == Intent.MOVE:
        return f"Move {deal} to {label('stage', s.stage or '')}"
    if intent == Intent.WON:
        return f"Mark {deal} won" + (f" at {s.amount}" if s.amount else "")
    if intent == Intent.LOST:
        return f"Mark {deal} lost" + (f": {s.text}" if s.text else "")
    return f"Add a note to {deal}"


def _list(intent: Intent, s: Slots, label: Label, asker: str) -> str:
    """ "Your stuck deals in Proposal", "Won deals of @ana over 50k", "Open leads"."""
    status = "stuck" if intent == Intent.STUCK else s.status
    line = f"{status} " if status else ""
    line += "leads" if intent == Intent.LEADS else "deals"
    if s.person in (MINE, asker):
        line = f"your {line}"
    elif s.person:
        line += f" of {label('person', s.person)}"
    stage, kind = (s.funnel_stage, "funnel") if intent == Intent.LEADS else (s.stage, "stage")
    line += f" in {label(kind, stage)}" if stage else ""
    line += f" over {s.amount}" if s.amount and intent == Intent.DEALS else ""
    named = [name for name in (s.source, s.campaign) if name]
    line += " from " + " and ".join(named) if named and intent == Intent.LEADS else ""
    return line[0].upper() + line[1:]


def _report(intent: Intent, s: Slots) -> str:
    line = _TITLES[intent]
    if s.segment and intent in (Intent.RESULTS, Intent.COHORTS):
        line += f" by {_SEGMENT_WORDS.get(s.segment, s.segment)}"
    named = [name for name in (s.source, s.campaign) if name]
    if named and intent in (Intent.FUNNEL, Intent.COHORTS):
        line += " for " + " and ".join(named)
    return line


def heading(intent: Intent, s: Slots, vocabulary: Vocabulary) -> str:
    label = kind_label(vocabulary)
    if intent in CHANGES:
        return _change(intent, s, label)
    if intent == Intent.DEAL:
        return f"Deal {label('deal', str(s.deal))}"
    line = _list(intent, s, label, vocabulary.asker) if intent in _LISTS else _report(intent, s)
    if s.period and intent not in (Intent.BOARD, Intent.FORECAST_ACCURACY, Intent.STUCK):
        line += f", {describe_period(s.period)}"
    return line
