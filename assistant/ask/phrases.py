"""The phrases of a question that name something of the workspace: every run of words not
yet read is tried, one to four words at a time, and the surest phrases win, none overlapping."""

from __future__ import annotations

from assistant.ask.clean import MENTION_PREFIX
from assistant.ask.entries import Found
from assistant.ask.lexicon import CUES, FILLER
from assistant.ask.names import KEEP, Matcher
from assistant.ask.words import Words

MAX_NAME_WORDS = 4


def find_names(matcher: Matcher, words: Words) -> list[Found]:
    """The names in the words not yet taken: the best phrases first, none overlapping."""
    candidates = []
    for run in words.runs():
        for i, first in enumerate(run):
            for last in run[i : i + MAX_NAME_WORDS]:
                query = tuple(words.words[first : last + 1])
                if not _may_name(query):
                    continue
                if all(w in CUES or w in FILLER for w in query):
                    # Words that say what is asked ("lead conversion", "closing") name
                    # something only when they are its exact name.
                    hits = dict.fromkeys(matcher.exact.get(" ".join(query), ()), 100.0)
                else:
                    hits = matcher.score(query)
                hits = {e: s for e, s in hits.items() if s >= KEEP}
                if hits:
                    ranked = tuple(sorted(hits.items(), key=lambda h: -h[1]))
                    candidates.append(Found(first, last + 1, " ".join(query), ranked))
    candidates.sort(key=lambda f: (-f.hits[0][1], -(f.end - f.start), f.start))
    chosen: list[Found] = []
    for found in candidates:
        if all(found.end <= c.start or found.start >= c.end for c in chosen):
            chosen.append(found)
    return _joined(sorted(chosen, key=lambda f: f.start))


def _joined(found: list[Found]) -> list[Found]:
    """ "chloe martn": "chloe" matched exactly and "martn" loosely, both the same person; they
    are one name, as sure as its surer part."""
    joined: list[Found] = []
    for item in found:
        last = joined[-1] if joined else None
        if last and last.end == item.start and last.hits[0][0] == item.hits[0][0]:
            best = max(last.hits, item.hits, key=lambda hits: hits[0][1])
            joined[-1] = Found(last.start, item.end, f"{last.text} {item.text}", best)
        else:
            joined.append(item)
    return joined


def _may_name(query: tuple[str, ...]) -> bool:
    if query[0] in FILLER or query[-1] in FILLER:
        return False
    return not any(w.startswith(MENTION_PREFIX) or not w[0].isalnum() for w in query)
