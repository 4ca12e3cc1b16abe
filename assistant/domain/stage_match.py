"""Turn what a user typed (`prop`, `Lead gen`, `next`, `won`) into a stage key.

Used for pipeline stages and funnel stages alike; the stages are a workspace's configuration,
so nothing here knows the default names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from assistant.domain.errors import InvalidInput, InvalidTransition, UnknownStage
from assistant.domain.stages import LOST, WON, StageDef

NEXT = "next"
BACK = "back"
_OUTCOMES = (WON, LOST)


class AmbiguousStage(UnknownStage):
    """A prefix that fits several stages; an UnknownStage so callers can catch one type."""

    def __init__(self, text: str, candidates: Sequence[str], choices: Sequence[str]) -> None:
        super().__init__(text, None, choices)
        listing = " or ".join(f"`{c}`" for c in candidates)
        self.message = f"`{text}` could be {listing}; type a little more of the stage name."
        self.args = (self.message,)
        self.candidates = list(candidates)


def _norm(text: str) -> str:
    # Punctuation (`/`, `-`, `_`) and runs of spaces are noise: "Proposal/Price negotiation",
    # "proposal / price negotiation" and "proposal price-negotiation" are one label.
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _words_start(query: str, name: str) -> bool:
    """Each word of `query` begins a word of `name`, in order (not necessarily adjacent)."""
    words = iter(name.split())
    return all(any(word.startswith(part) for word in words) for part in query.split())


def _relative(
    direction: str, ordered: Sequence[StageDef], current_key: str | None, allow_outcomes: bool
) -> str:
    if current_key is None:
        raise InvalidInput(f"`{direction}` needs a current stage; name the stage instead.")
    if current_key in _OUTCOMES:
        raise InvalidTransition(f"It is already {current_key}; reopen it first.")
    keys = [s.key for s in ordered]
    if current_key not in keys:
        raise InvalidTransition(
            f"Its stage `{current_key}` no longer exists; name the stage to move it to."
        )
    index = keys.index(current_key)
    if direction == NEXT:
        if index + 1 < len(keys):
            return keys[index + 1]
        # Only the pipeline (where outcomes are allowed) has somewhere to go after the end.
        close = " Use `won` (or `lost`) to close it." if allow_outcomes else ""
        raise InvalidTransition(f"`{current_key}` is the last stage.{close}")
    if index == 0:
        raise InvalidTransition(f"`{current_key}` is already at the first stage.")
    return keys[index - 1]


def match_stage(
    text: str,
    stages: Sequence[StageDef],
    current_key: str | None = None,
    allow_outcomes: bool = False,
) -> str:
    """Return the key of the stage `text` names: key, label, unique prefix, `next`/`back`.

    With `allow_outcomes`, `won` and `lost` are accepted too (the pipeline's outcomes).
    """
    ordered = sorted(stages, key=lambda s: s.position)
    keys = [s.key for s in ordered]
    choices = keys + list(_OUTCOMES) if allow_outcomes else keys
    query = _norm(text)
    if not query:
        listing = ", ".join(f"`{c}`" for c in choices)
        raise InvalidInput(f"Which stage? Stages: {listing}.")

    if query in (NEXT, BACK):
        return _relative(query, ordered, current_key, allow_outcomes)
    if allow_outcomes and query in _OUTCOMES:
        return query

    # Exact matches win over prefixes, so a stage named "demo" is reachable next to "demo call".
    names = [(s.key, _norm(s.key), _norm(s.label)) for s in ordered]
    for key, norm_key, norm_label in names:
        if query in (norm_key, norm_label):
            return key
    candidates = [
        key
        for key, norm_key, norm_label in names
        if norm_key.startswith(query) or norm_label.startswith(query)
    ]
    if not candidates:
        # Any word of a label, or the start of each of its words in order: "negotiation" and
        # "price neg" are "Proposal / price negotiation", "sol dev" "Solution development".
        candidates = [
            key
            for key, norm_key, norm_label in names
            if _words_start(query, norm_label) or _words_start(query, norm_key)
        ]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise AmbiguousStage(text.strip(), candidates, choices)

    # A typo: suggest the closest key or label, reported as its key.
    by_name = {norm_key: key for key, norm_key, _ in names}
    by_name.update({norm_label: key for key, _, norm_label in names})
    if allow_outcomes:
        by_name.update({outcome: outcome for outcome in _OUTCOMES})
    close = difflib.get_close_matches(query, list(by_name), n=1, cutoff=0.6)
    raise UnknownStage(text.strip(), by_name[close[0]] if close else None, choices)
