"""The terms a workspace shows its figures in: currency, time zone, and pipeline stages.

Every result a reply renders carries these, read in the same transaction as the result
itself, so a reply never reads the workspace a second time to say `$` or "Qualification".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from assistant.domain.stages import StageSet

NO_STAGES = StageSet((), {})


@dataclass(frozen=True)
class Facts:
    currency: str = "USD"
    timezone: str = "UTC"
    pipeline: StageSet = field(default=NO_STAGES, compare=False)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def labels(self) -> dict[str, str]:
        """Pipeline stage key -> label, hidden stages too (old deals may sit in them)."""
        return self.pipeline.labels
