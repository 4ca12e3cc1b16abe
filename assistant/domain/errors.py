"""Domain errors: each one carries what a user needs to fix their input.

They are raised deep inside services and parsers and turned into friendly replies at the
edge (commands, buttons, modals); the message text is written for the person who typed the
command, never for a developer.
"""

from __future__ import annotations

from collections.abc import Sequence

ECHO_LIMIT = 60


def shown(text: str) -> str:
    """What the user typed, clipped: echoing a pasted page would bury the useful part."""
    # Echoes sit in `code`: a backtick typed in them would end it early and format the rest.
    text = " ".join(str(text).split()).replace("`", "'")
    return text if len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 1] + "…"


class DomainError(Exception):
    """Base of every error that is the user's to fix; `str(err)` is the reply."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """Something typed could not be understood (an amount, a date, a period...)."""


class NotFound(DomainError):
    """A deal, lead, subscription or stage reference matched nothing."""


class UnknownDeal(NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(f"No deal matches `{shown(reference)}`.")
        self.reference = reference


class UnknownLead(NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(f"No lead matches `{shown(reference)}`.")
        self.reference = reference


class AmbiguousReference(DomainError):
    """A name fragment matched several records; nothing was changed."""

    def __init__(self, reference: str, candidates: Sequence[str], example: str = "#12") -> None:
        listed = ", ".join(candidates[:10])
        more = f" and {len(candidates) - 10} more" if len(candidates) > 10 else ""
        super().__init__(
            f"`{shown(reference)}` matches {len(candidates)} records: {listed}{more}. "
            f"Use the number (e.g. `{example}`) to pick one."
        )
        self.reference = reference
        self.candidates = list(candidates)


class UnknownStage(DomainError):
    def __init__(self, text: str, suggestion: str | None, choices: Sequence[str]) -> None:
        hint = f", did you mean `{suggestion}`?" if suggestion else ""
        listing = ", ".join(f"`{c}`" for c in choices)
        super().__init__(f"Unknown stage `{shown(text)}`{hint} Stages: {listing}.")
        self.text = text
        self.suggestion = suggestion
        self.choices = list(choices)


class NotAllowed(DomainError):
    """The caller's role does not permit the action; says who may."""

    def __init__(self, action: str, who_may: str) -> None:
        super().__init__(f"You can't {action}: only {who_may} can.")
        self.action = action
        self.who_may = who_may


class ChangedMeanwhile(DomainError):
    """The record changed since the caller last saw it (a stale button, say)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} was changed by someone else meanwhile; look again and retry.")


class InvalidTransition(DomainError):
    """A move that the pipeline rules forbid (moving a closed deal, back from the first stage)."""
