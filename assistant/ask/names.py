"""The workspace's names (stages, sources, campaigns, companies, deals, people) found in a
question, each with how sure the match is.

Scores run 0-100. A whole name scores 100; its first words ("acme" for "Acme renewal") 96;
prefixes of its words ("sol dev") 94; a later word ("negotiation" for "Proposal / price
negotiation") 92. Typos are scored by rapidfuzz: of a whole name as they come ("propsal" 93),
of one word of a longer name less (8 points off a first word, 20 off a later one), because a
typo in a fragment is a guess twice over.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice

from rapidfuzz import fuzz, process

from assistant.ask.entries import Entry, entries_of, normalise
from assistant.ask.vocabulary import Vocabulary

KEEP = 72  # weaker matches are not names; they may still be offered as "did you mean"
# A typo of a short word is more often another word: "long" is 73 % like "closing".
SHORT_TYPO = 85
SUGGEST = 75  # close enough to say "did you mean", never enough to act on


class Matcher:
    """Built once per vocabulary (see `matcher_for`): lookups are dictionaries, typos go to
    rapidfuzz over precomputed lists, so a question costs well under a millisecond."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.forms: list[tuple[Entry, tuple[str, ...]]] = []
        for entry, texts in entries_of(vocabulary):
            # In order, not as a set: the same question must always give the same answer.
            for form in dict.fromkeys(normalise(text) for text in texts):
                if form:
                    self.forms.append((entry, form))
        self.exact: dict[str, list[Entry]] = defaultdict(list)  # read with .get only
        self.form_texts = [" ".join(form) for _, form in self.forms]
        # Each word once ("renewal" may be in hundreds of deal names), with where it occurs.
        word_refs: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for index, (entry, form) in enumerate(self.forms):
            self.exact[" ".join(form)].append(entry)
            for position, word in enumerate(form):
                word_refs[word].append((index, position))
        self.word_refs = dict(word_refs)
        # Sorted, so the words starting with a prefix are one slice (found by bisection).
        self.form_words = sorted(self.word_refs)
        self.known_words = frozenset(self.word_refs)
        # To tell a leading "@Sales" (the bot, addressed) from "@ana" (someone asked about).
        self.people = frozenset(p.user_id for p in vocabulary.people) - {vocabulary.bot_user_id}
        self.people_names = frozenset(
            " ".join(normalise(n)) for p in vocabulary.people for n in p.names
        )

    def score(self, query: tuple[str, ...]) -> dict[Entry, float]:
        """How well the words name each entry (only entries scoring at least KEEP)."""
        text = " ".join(query)
        hits: dict[Entry, float] = dict.fromkeys(self.exact.get(text, ()), 100.0)
        for index, position in self._starting_with(query[0]):
            entry, form = self.forms[index]
            words = form[position : position + len(query)]
            if len(words) < len(query):
                continue
            if not all(word.startswith(q) for word, q in zip(words, query, strict=True)):
                continue
            if words == query:
                score = 96.0 if position == 0 else 92.0
            elif len(text) >= 4 and all(len(q) >= 2 for q in query) and len(text) - len(query) >= 3:
                score = 94.0 if position == 0 else 88.0
            else:
                continue
            hits[entry] = max(hits.get(entry, 0.0), score)
        # Typos are looked for in phrases of one or two words: a longer name with a typo still
        # has a first word or two that match ("hooli cloud migraton").
        if len(text) >= 4 and len(query) <= 2 and max(hits.values(), default=0) < 96:
            self._typos(text, len(query), hits)
        return hits

    def _starting_with(self, prefix: str) -> Iterator[tuple[int, int]]:
        """Where the words starting with the prefix occur: (form index, position in it)."""
        start = bisect_left(self.form_words, prefix)
        for word in islice(self.form_words, start, None):
            if not word.startswith(prefix):
                return
            yield from self.word_refs[word]

    def _typos(self, text: str, size: int, hits: dict[Entry, float]) -> None:
        cutoff = KEEP if len(text) >= 5 else SHORT_TYPO
        for _, score, index in process.extract(
            text, self.form_texts, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8
        ):
            entry = self.forms[index][0]
            hits[entry] = max(hits.get(entry, 0.0), score)
        if size > 1:
            return
        for word, score, _ in process.extract(
            text, self.form_words, scorer=fuzz.ratio, score_cutoff=80, limit=8
        ):
            for form_index, position in self.word_refs[word]:
                entry, form = self.forms[form_index]
                if len(form) > 1:
                    part = score - (8 if position == 0 else 20)
                    hits[entry] = max(hits.get(entry, 0.0), part)

    def suggest(self, word: str) -> Entry | None:
        """The name closest to an unknown word, if any is close enough to mention."""
        whole = process.extractOne(word, self.form_texts, scorer=fuzz.ratio, score_cutoff=SUGGEST)
        part = process.extractOne(word, self.form_words, scorer=fuzz.ratio, score_cutoff=SUGGEST)
        if part and (whole is None or part[1] > whole[1]):
            return self.forms[self.word_refs[part[0]][0][0]][0]
        return self.forms[whole[2]][0] if whole else None


@lru_cache(maxsize=64)
def matcher_for(vocabulary: Vocabulary) -> Matcher:
    return Matcher(vocabulary)
