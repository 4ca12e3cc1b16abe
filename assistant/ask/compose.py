"""Slots -> the slash command (as Slack delivers its text), its display form and a heading.

The word order of each command follows its grammar exactly (PRODUCT.md §2 and issue #17), so
the command reads the same whether a person typed it or a question became it.
"""

from __future__ import annotations

from assistant.ask.headings import heading
from assistant.ask.model import CHANGES, MINE, Intent, Slots, Understood
from assistant.ask.vocabulary import Vocabulary


def _value(key: str, value: str | None) -> str | None:
    if not value:
        return None
    value = value.replace('"', "")
    return f'{key}:"{value}"' if " " in value else f"{key}:{value}"


def _person(person: str | None) -> str | None:
    if person is None or person == MINE:
        return person
    return f"<@{person}>"


def _deal(slots: Slots) -> str:
    return f"#{slots.deal}"


def _parts(intent: Intent, s: Slots) -> tuple[str, list[str | None]]:
    """The command and its words, in the order of its grammar; None for what is left out."""
    source, campaign = _value("source", s.source), _value("campaign", s.campaign)
    by = _value("by", s.segment)
    over = _value("over", s.amount)
    table: dict[Intent, tuple[str, list[str | None]]] = {
        Intent.BOARD: ("/pipeline", []),
        Intent.STUCK: ("/deal", ["list", "stuck", s.stage, _person(s.person)]),
        Intent.DEALS: ("/deal", ["list", _person(s.person), s.stage, s.status, over, s.period]),
        Intent.DEAL: ("/deal", ["show", _deal(s)]),
        Intent.BOTTLENECKS: ("/pipeline", ["bottlenecks", s.period]),
        Intent.FORECAST: ("/pipeline", ["forecast", s.period]),
        Intent.FORECAST_ACCURACY: ("/pipeline", ["forecast", "accuracy"]),
        Intent.RESULTS: ("/pipeline", ["results", s.period, by]),
        Intent.FUNNEL: ("/funnel", [s.period, source, campaign]),
        Intent.SOURCES: ("/funnel", ["sources", s.period]),
        Intent.CAMPAIGNS: ("/funnel", ["campaigns", s.period]),
        Intent.COHORTS: ("/funnel", ["cohorts", s.period, by, source]),
        Intent.LEADS: ("/lead", ["list", _person(s.person), s.funnel_stage, s.status, source,
                                 campaign, s.period]),
        Intent.TARGETS: ("/sales", ["targets"]),
        Intent.HELP: ("/sales", ["help"]),
        Intent.MOVE: ("/deal", ["move", _deal(s), s.stage]),
        Intent.WON: ("/deal", ["won", _deal(s), s.amount]),
        Intent.LOST: ("/deal", ["lost", _deal(s), s.text]),
        Intent.NOTE: ("/deal", ["note", _deal(s), s.text]),
    }  # fmt: skip
    return table[intent]


def _display(text: str, vocabulary: Vocabulary) -> str:
    for person in vocabulary.people:
        text = text.replace(f"<@{person.user_id}>", f"@{person.handle}")
    return text


def render(intent: Intent, slots: Slots, vocabulary: Vocabulary) -> Understood:
    command, parts = _parts(intent, slots)
    text = " ".join(part for part in parts if part)
    display = _display(f"{command} {text}".rstrip(), vocabulary)
    return Understood(
        intent=intent,
        command=command,
        text=text,
        display=display,
        heading=heading(intent, slots, vocabulary),
        slots=slots,
        changes_data=intent in CHANGES,
    )
