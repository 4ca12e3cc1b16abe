"""Questions in plain words ("what's stuck in proposal?") turned into the slash command that
answers them (`/deal list stuck proposal`), deterministically, without a language model.

Pure: it imports only `assistant.domain` and rapidfuzz; the caller builds the Vocabulary from
the workspace's data, runs the command, and shows "Same as `…`" so people learn the commands.
"""

from assistant.ask.model import (
    Answer,
    Choice,
    Clarify,
    Intent,
    NotUnderstood,
    Slots,
    Understood,
)
from assistant.ask.understand import understand
from assistant.ask.vocabulary import DealName, Person, Stage, Vocabulary

__all__ = [
    "Answer",
    "Choice",
    "Clarify",
    "DealName",
    "Intent",
    "NotUnderstood",
    "Person",
    "Slots",
    "Stage",
    "Understood",
    "Vocabulary",
    "understand",
]
