"""What the question parser gives back: a command to run, a question back, or suggestions."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Intent(StrEnum):
    BOARD = "board"
    STUCK = "stuck"
    DEALS = "deals"
    DEAL = "deal"
    BOTTLENECKS = "bottlenecks"
    FORECAST = "forecast"
    FORECAST_ACCURACY = "forecast_accuracy"
    RESULTS = "results"
    FUNNEL = "funnel"
    SOURCES = "sources"
    CAMPAIGNS = "campaigns"
    COHORTS = "cohorts"
    LEADS = "leads"
    TARGETS = "targets"
    HELP = "help"
    MOVE = "move"
    WON = "won"
    LOST = "lost"
    NOTE = "note"


CHANGES = frozenset({Intent.MOVE, Intent.WON, Intent.LOST, Intent.NOTE})
MINE = "mine"  # the person slot of "my deals": the asker, whoever runs the command


@dataclass(frozen=True)
class Slots:
    """Everything a question named; a follow-up starts from these and replaces what it names.

    `period` is in the product's period grammar; `person` is a Slack user id or "mine";
    `status` is won/lost for deals and open/converted/dropped for leads; `amount` is the
    compact text of an amount (`50k`); `text` is a note or a lost reason, as typed.
    """

    period: str | None = None
    stage: str | None = None  # a pipeline stage key, or `next`/`back` for a move
    funnel_stage: str | None = None
    status: str | None = None
    source: str | None = None
    campaign: str | None = None
    company: str | None = None
    person: str | None = None
    segment: str | None = None  # owner, source, campaign, company, stage; month or week
    deal: int | None = None
    amount: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Understood:
    """The slash command a question means, ready to run and to show as "Same as `…`"."""

    intent: Intent
    command: str  # "/deal"
    text: str  # "list stuck proposal <@U0ANA>": the command's text as Slack delivers it
    display: str  # "/deal list stuck proposal @ana": for people to read and learn
    heading: str  # "Stuck deals of @ana in Proposal / price negotiation"
    slots: Slots = field(default_factory=Slots)
    changes_data: bool = False  # the caller asks for a Confirm/Cancel click before running

    @property
    def command_line(self) -> str:
        return f"{self.command} {self.text}".rstrip()


@dataclass(frozen=True)
class Choice:
    """One button: a label for people, and what pressing it runs."""

    label: str
    understood: Understood


@dataclass(frozen=True)
class Clarify:
    """Several things fit equally well (or one only roughly): ask which one was meant."""

    prompt: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class NotUnderstood:
    """Nothing it can answer; `suggestions` are the closest questions it can."""

    reply: str
    suggestions: tuple[Choice, ...]


Answer = Understood | Clarify | NotUnderstood
