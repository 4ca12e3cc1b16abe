"""Everything a question may name in a workspace, with the texts each is known by."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ask.clean import fold
from assistant.ask.vocabulary import Vocabulary


# Compared by identity: each is made once per vocabulary, and hashing its fields again for
# every candidate of every phrase was most of the time a large workspace's question took.
@dataclass(frozen=True, eq=False)
class Entry:
    kind: str  # stage, funnel, source, campaign, company, deal, person
    value: str  # stage key, the name as written, deal number, Slack user id
    label: str  # as people see it: "Proposal / price negotiation", "#12 Acme renewal"
    status: str = ""  # a deal's open/won/lost


@dataclass(frozen=True)
class Found:
    """A phrase of the question and the entries it may name, best first (one hit per entry)."""

    start: int
    end: int
    text: str
    hits: tuple[tuple[Entry, float], ...]


def normalise(text: str) -> tuple[str, ...]:
    """Punctuation is noise in names: "Proposal / price negotiation", "dan.kim" -> words."""
    return tuple(re.sub(r"[\W_]+", " ", fold(text)).split())


def entries_of(vocabulary: Vocabulary) -> list[tuple[Entry, tuple[str, ...]]]:
    """Every entry with each of the texts it is known by."""
    entries = []
    for kind, stages in (("stage", vocabulary.pipeline), ("funnel", vocabulary.funnel)):
        entries += [(Entry(kind, s.key, s.label), (s.key, s.label)) for s in stages]
    for kind, names in (
        ("source", vocabulary.sources),
        ("campaign", vocabulary.campaigns),
        ("company", vocabulary.companies),
    ):
        entries += [(Entry(kind, name, name), (name,)) for name in names]
    for deal in vocabulary.deals:
        label = f"#{deal.number} {deal.name}"
        entries.append((Entry("deal", str(deal.number), label, deal.status), (deal.name,)))
    for person in vocabulary.people:
        entries.append((Entry("person", person.user_id, f"@{person.handle}"), person.names))
    return entries
