"""What the delivery machinery hands the composer, and what it gets back.

The composer (`assistant/digests/compose.py`) turns a `DigestRequest` into a `DigestMessage`;
delivery posts it. Neither side knows how the other works.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from assistant.domain.errors import DomainError

# Shown on a digest posted late after an outage (PRODUCT.md §5); the composer puts it where
# readers see it, and delivery makes sure the plain-text fallback carries it too.
DELAYED_MARKER = "(delayed)"


@dataclass(frozen=True)
class DigestRequest:
    workspace_id: int
    team_id: str
    subscription_id: int | None  # None for `/digest send`, which belongs to no subscription
    channel_id: str
    kind: str  # pipeline | funnel | both
    occurrence_at: datetime  # aware UTC: the scheduled instant, or "now" for `/digest send`
    delayed: bool
    timezone: str  # IANA zone of the subscription's schedule (else the workspace's)
    previous_occurrence_at: datetime | None  # the schedule's occurrence before this one
    frequency: str | None = None  # the subscription's; None outside any subscription

    @property
    def marker(self) -> str:
        """`(delayed)` for a late digest, else empty."""
        return DELAYED_MARKER if self.delayed else ""


Chart = tuple[str, bytes, str]  # (filename, png, title)
ChartDrawing = tuple[str, Callable[[], bytes], str]  # (filename, draws the png, title)


@dataclass(frozen=True)
class DigestMessage:
    text: str  # complete plain-text fallback
    blocks: list[Any] = field(default_factory=list)  # slack_sdk.models.blocks objects or dicts
    charts: list[Chart] = field(default_factory=list)  # drawn
    # Charts left to draw when they are shared, after the message is out: the scheduler
    # posts every due digest before it draws any chart (issue 20).
    drawings: list[ChartDrawing] = field(default_factory=list)

    @property
    def has_charts(self) -> bool:
        return bool(self.charts or self.drawings)

    def drawn_charts(self) -> list[Chart]:
        """Every chart as PNG, those left to draw drawn now (on the caller's thread)."""
        return self.charts + [(name, draw(), title) for name, draw, title in self.drawings]


Composer = Callable[[DigestRequest], DigestMessage]
# Per-workspace Web API client; the caller configures base_url, token and retry handlers.
ClientFor = Callable[[str], WebClient]


class DigestNotPosted(DomainError):
    """`/digest send` could not post; says why and what to do."""

    HINTS = {
        "not_in_channel": "I'm not in that channel; invite me with `/invite @Sales Assistant`.",
        "channel_not_found": "I can't find that channel (or can't see it, if it is private).",
        "is_archived": "That channel is archived.",
    }

    def __init__(self, channel_id: str, reason: str, *, transient: bool) -> None:
        if reason in self.HINTS:
            hint = self.HINTS[reason]
        elif transient:
            hint = "Slack is busy or unreachable right now; try again in a minute."
        else:
            hint = f"Slack refused it (`{reason}`)."
        super().__init__(f"The digest was not posted to <#{channel_id}>. {hint}")
        self.channel_id = channel_id
        self.reason = reason
        self.transient = transient
