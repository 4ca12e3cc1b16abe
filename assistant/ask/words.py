"""The words of a question, read phrase by phrase: each reader takes the words it understood,
so the next one (and the name matcher at the end) sees only what is left."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.ask.clean import BOUNDARY

TAKEN = "_"


@dataclass(frozen=True)
class Phrase:
    start: int  # index of the first word
    end: int  # one past the last word
    match: re.Match[str]


def whole_words(pattern: str) -> re.Pattern[str]:
    """A pattern that matches only whole words of the joined text."""
    return re.compile(rf"(?<!\S)(?:{pattern})(?!\S)")


class Words:
    def __init__(self, words: tuple[str, ...] | list[str]) -> None:
        self.words = list(words)
        self.taken = [False] * len(self.words)
        self.marks: dict[int, str] = {}  # the first word of a taken phrase -> what it was

    def __len__(self) -> int:
        return len(self.words)

    def visible(self) -> str:
        """The words not yet taken, joined by spaces; taken ones show as `_`."""
        return " ".join(
            TAKEN if taken else word for word, taken in zip(self.words, self.taken, strict=True)
        )

    def find(self, pattern: re.Pattern[str], text: str | None = None) -> Iterator[Phrase]:
        """Matches of `pattern` in the visible text, as word ranges."""
        text = self.visible() if text is None else text
        starts = _starts(text)
        for match in pattern.finditer(text):
            first = _index(starts, match.start())
            last = _index(starts, max(match.end() - 1, match.start()))
            yield Phrase(first, last + 1, match)

    def take(self, phrase: Phrase | tuple[int, int], mark: str = TAKEN) -> None:
        start, end = (phrase.start, phrase.end) if isinstance(phrase, Phrase) else phrase
        for index in range(start, end):
            self.taken[index] = True
        self.marks[start] = mark

    def first(self, pattern: re.Pattern[str]) -> Phrase | None:
        return next(self.find(pattern), None)

    def take_first(self, pattern: re.Pattern[str], mark: str = TAKEN) -> Phrase | None:
        phrase = self.first(pattern)
        if phrase is not None:
            self.take(phrase, mark)
        return phrase

    def outline(self) -> str:
        """The words with each taken phrase as its mark (`how did we do ~when`): what the
        intent rules read, so "last" in "last month" is never read as "lost"."""
        shown = (
            word if not taken else self.marks.get(index)
            for index, (word, taken) in enumerate(zip(self.words, self.taken, strict=True))
        )
        return " ".join(word for word in shown if word and word not in (BOUNDARY, TAKEN))

    def runs(self) -> list[list[int]]:
        """Maximal runs of words not taken, split at punctuation."""
        runs: list[list[int]] = [[]]
        for index, word in enumerate(self.words):
            if self.taken[index] or word == BOUNDARY:
                if runs[-1]:
                    runs.append([])
            else:
                runs[-1].append(index)
        return [run for run in runs if run]

    def text(self, start: int, end: int) -> str:
        return " ".join(self.words[start:end])


def _starts(text: str) -> list[int]:
    starts, position = [], 0
    for word in text.split(" "):
        starts.append(position)
        position += len(word) + 1
    return starts


def _index(starts: list[int], offset: int) -> int:
    """The word that starts at or before the offset."""
    return bisect_right(starts, offset) - 1
