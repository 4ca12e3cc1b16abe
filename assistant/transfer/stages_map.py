"""The vendors' stage, lifecycle and status names, and how they map onto a workspace's stages.

Default targets are the keys of the default pipeline and funnel (PRODUCT.md §1). Where a
vendor has more stages than we do, neighbours share a stage, in order, so a deal never appears
to move backwards because of the mapping. `--stage-map` overrides any of these, and a stage
named exactly like one of the workspace's own (key or label) always maps to it.

Names are compared squashed (case-folded, punctuation and spaces removed), so HubSpot's
internal `closedwon` and its label "Closed Won", or "Id. Decision Makers" and
"id decision makers", are one name.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence

from assistant.domain.stages import LOST, WON, StageDef


def squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _squashed(mapping: Mapping[str, str]) -> dict[str, str]:
    return {squash(name): target for name, target in mapping.items()}


# Deal stages -> pipeline stage key, or `won` / `lost`.
DEAL_STAGES = _squashed(
    {
        # HubSpot's default "Sales Pipeline" (internal names squash to the same as labels).
        "Appointment Scheduled": "prospecting",
        "Qualified To Buy": "qualification",
        "Presentation Scheduled": "solution",
        "Decision Maker Bought-In": "proposal",
        "Contract Sent": "closing",
        "Closed Won": WON,
        "Closed Lost": LOST,
        # Salesforce's default opportunity stages.
        "Prospecting": "prospecting",
        "Qualification": "qualification",
        "Needs Analysis": "assessment",
        "Value Proposition": "solution",
        "Id. Decision Makers": "solution",
        "Perception Analysis": "solution",
        "Proposal/Price Quote": "proposal",
        "Negotiation/Review": "closing",
        # Pipedrive's default pipeline (older and newer accounts).
        "Lead In": "prospecting",
        "Qualified": "qualification",
        "Contact Made": "qualification",
        "Needs Defined": "assessment",
        "Demo Scheduled": "assessment",
        "Proposal Made": "proposal",
        "Negotiations Started": "closing",
        # Plain outcomes, as Pipedrive's status column and our own export write them.
        "Won": WON,
        "Lost": LOST,
    }
)

# Contact lifecycle stages -> funnel stage key.
LIFECYCLE_STAGES = _squashed(
    {
        "Subscriber": "awareness",
        "Lead": "awareness",
        "Other": "awareness",
        "Marketing Qualified Lead": "interest",
        "MQL": "interest",
        "Sales Qualified Lead": "consideration",
        "SQL": "consideration",
        "Opportunity": "consideration",
        "Customer": "action",
        "Evangelist": "action",
    }
)

# Deal status columns (Pipedrive "Deal - Status", our own) -> open / won / lost.
DEAL_STATUSES = _squashed({"open": "open", "won": WON, "lost": LOST})

# Lead status columns -> open / converted / dropped. Salesforce's defaults and HubSpot's
# "Lead Status" values; a lead sales took on ("Open Deal", "Closed - Converted") is converted.
LEAD_STATUSES = _squashed(
    {
        "open": "open",
        "converted": "converted",
        "dropped": "dropped",
        "Open - Not Contacted": "open",
        "Working - Contacted": "open",
        "Closed - Converted": "converted",
        "Closed - Not Converted": "dropped",
        "New": "open",
        "In Progress": "open",
        "Attempted to Contact": "open",
        "Connected": "open",
        "Bad Timing": "open",
        "Open Deal": "converted",
        "Unqualified": "dropped",
    }
)


class StageNotFound(Exception):
    """A name in the file that maps to no stage; the message says what to do."""


class StageResolver:
    """Turns the names in a file into stage keys of one workspace.

    Order: the user's `--stage-map`, then the workspace's own keys and labels, then the
    vendors' defaults (only if their target exists in this workspace).
    """

    def __init__(
        self,
        stages: Sequence[StageDef],
        defaults: Mapping[str, str],
        overrides: Mapping[str, str],
        outcomes: Iterable[str] = (),
    ) -> None:
        self.keys = [s.key for s in sorted(stages, key=lambda s: s.position)]
        self.outcomes = tuple(outcomes)
        self._defaults = defaults
        self._names: dict[str, str] = dict(defaults)
        own = {squash(s.key): s.key for s in stages} | {squash(s.label): s.key for s in stages}
        self._names.update(own)
        self._names.update({squash(k): v for k, v in overrides.items()})
        self._valid = set(self.keys) | set(self.outcomes)
        self._cache: dict[str, str] = {}

    def resolve(self, text: str) -> str:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        name = squash(text)
        target = self._names.get(name)
        if target is None:
            close = difflib.get_close_matches(name, list(self._names), n=1, cutoff=0.75)
            hint = ""
            if close:
                hint = f" (did you mean `{self._names[close[0]]}`?)"
            raise StageNotFound(
                f'unknown stage `{text}`{hint}; map it with --stage-map "{text}=<stage>"; '
                f"stages: {', '.join(self.keys + list(self.outcomes))}"
            )
        if target not in self._valid:
            raise StageNotFound(
                f"stage `{text}` maps to `{target}` by default, which this workspace doesn't "
                f'have; map it with --stage-map "{text}=<stage>"'
            )
        self._cache[text] = target
        return target

    def knows(self, text: str) -> bool:
        try:
            self.resolve(text)
        except StageNotFound:
            return False
        return True

    def position(self, key: str) -> int:
        return self.keys.index(key) if key in self.keys else -1
