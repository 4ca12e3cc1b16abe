"""Text as users type it, made safe to store and to compare.

Commands, the new-deal form and imports all take free text; they share these rules so that a
name is cleaned the same way whichever door it came in by.
"""

from __future__ import annotations

import re

# NUL can't be stored in PostgreSQL text and other control characters only garble replies;
# tabs and newlines stay (they separate words).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Slack user ids: U or W, then upper-case letters and digits. An imported owner called
# "Ulrich" or "UREP-1" is a name, not an id, and must never become a mention.
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")


def strip_control(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def one_line(text: str) -> str:
    """Control characters removed and runs of white space (newlines too) made one space."""
    return " ".join(strip_control(text).split())


def is_slack_user_id(value: str | None) -> bool:
    return bool(value) and SLACK_USER_ID.fullmatch(value) is not None
