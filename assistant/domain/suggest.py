""" "Did you mean …?": the closest of the known names to what someone typed.

One scorer for every suggestion (subcommands, sources, campaigns, options), from rapidfuzz:
the optimal-string-alignment distance counts a swap of two neighbouring letters as one edit,
so `lsit` is one edit from `list` and two from `lost`, as a person would judge.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_SIMILARITY = 0.5


def closest(word: str, choices: Sequence[str], limit: int = 1) -> list[str]:
    """Up to `limit` of `choices` that `word` is a likely typo of, best first; ties keep the
    order of `choices` (list the likelier ones first)."""
    if not word or not choices:
        return []
    folded = {choice.casefold(): choice for choice in choices}
    found = process.extract(
        word.casefold(),
        list(folded),
        scorer=OSA.normalized_similarity,
        limit=limit,
        score_cutoff=MIN_SIMILARITY,
    )
    return [folded[match] for match, _score, _index in found]
