"""Questions that change a deal: "move Acme to proposal", "mark #12 won", "note on Acme: …".

Read from the question as typed (case kept), because a note or a lost reason is copied into
the command word for word. Forms with an explicit verb ("move", "mark", "note on") are
changes whatever follows; the looser ones ("initech is won", "#18 lost", "soylent -> closing")
only when their first part is a deal's name and nothing else, so "deals we lost" stays a
question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ask.quantities import read_amount

_POLITE = r"^(?:please |pls |can you |could you |let'?s |lets |ok |okay )*"
_SEP = r"\s*(?:[,:;!.]+|\s-+|\s–|\s—)\s*"
_REST = rf"(?:{_SEP}|\s+|$)(?:(?:for|at|with|worth|@)\s+)?(?P<rest>.*)$"

_MOVE = (
    rf"{_POLITE}(?:move|push|advance|put|bump|progress|shift|drag)\s+(?P<deal>.+?)\s+"
    r"(?:to|into|in|on)\s+(?P<stage>.+?)[.!?]*$",
    r"^(?P<deal>.+?)\s*(?:->|→)\s*(?P<stage>.+?)[.!?]*$",
)
_WON = (
    rf"{_POLITE}(?:mark|set|close|flag|record)\s+(?P<deal>.+?)\s+(?:as\s+)?(?:closed\s+)?won\b{_REST}",
    rf"^(?:we\s+)?(?:just\s+)?won\s+(?P<deal>.+?)(?:{_SEP}|\s+(?:for|at|worth)\s+|$)(?P<rest>.*)$",
    rf"^(?P<deal>.+?)\s+(?:is\s+|was\s+|has\s+been\s+|got\s+)?(?:closed\s+)?won\b{_REST}",
)
_LOST = (
    rf"{_POLITE}(?:mark|set|close|flag|record)\s+(?P<deal>.+?)\s+(?:as\s+)?(?:closed\s+)?lost\b{_REST}",
    rf"^(?:we\s+)?(?:just\s+)?lost\s+(?P<deal>.+?)(?:{_SEP}|$)(?P<rest>.*)$",
    rf"^(?P<deal>.+?)\s+(?:is\s+|was\s+|has\s+been\s+|got\s+)?(?:closed\s+)?lost\b{_REST}",
)
_NOTE = (
    rf"{_POLITE}(?:add|log|leave|put|write|post)?\s*(?:a\s+|an\s+)?note\s+(?:on|to|for|about|re)\s+"
    r"(?P<deal>.+?)\s*(?::|\s-+|\s–|\s—|,)\s*(?P<rest>.+)$",
    r"^note\s+(?P<deal>#\s*[0-9]+)\s*:?\s*(?P<rest>.+)$",
)
# The first form of each is explicit: a deal it can't find is reported, not ignored.
_FORMS = tuple(
    (kind, re.compile(pattern, re.IGNORECASE), index == 0)
    for kind, patterns in (("note", _NOTE), ("move", _MOVE), ("won", _WON), ("lost", _LOST))
    for index, pattern in enumerate(patterns)
)
_REASON_LEAD = re.compile(r"^(?:because|reason|as|since)\b[\s:]*", re.IGNORECASE)


@dataclass(frozen=True)
class Change:
    kind: str  # move, won, lost, note
    deal_text: str  # the words naming the deal, as typed
    explicit: bool  # a verb says it is a change: an unknown deal is an error, not a question
    stage_text: str | None = None
    amount: str | None = None
    text: str | None = None  # a note, or a lost reason


def _strip_deal(text: str) -> str:
    text = re.sub(r"^(?:the|our|my)\s+", "", text.strip(" \"'"), flags=re.IGNORECASE)
    return re.sub(r"\s+(?:deal|opp|opportunity)$", "", text, flags=re.IGNORECASE).strip()


def read_change(original: str) -> Change | None:
    """The change a question asks for, or None when it asks no change."""
    for kind, pattern, explicit in _FORMS:
        match = pattern.match(original.strip())
        if match is None or not _strip_deal(match["deal"]):
            continue
        deal, rest = _strip_deal(match["deal"]), match.groupdict().get("rest") or ""
        rest = rest.strip().rstrip("!").strip()
        if kind == "move":
            return Change(kind, deal, explicit, stage_text=match["stage"])
        if kind == "won":
            return Change(kind, deal, explicit, amount=read_amount(rest) if rest else None)
        if kind == "lost":
            reason = _REASON_LEAD.sub("", rest).strip() or None
            return Change(kind, deal, explicit, text=reason)
        return Change(kind, deal, explicit, text=rest)
    return None
