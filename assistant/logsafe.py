"""Anything a user or a stranger sent, made fit for one log line.

A log is read one line per record (by people, grep and log shippers), so text that carries a
newline can forge a record of its own, terminal escapes can rewrite what an operator sees, and
a 50 MB body sent once would be a 50 MB line. Every log line that shows such text passes it
through `clip()`: at most a few hundred characters, with newlines, control and bidi characters
written as escapes.
"""

from __future__ import annotations

import logging
import re

from assistant.domain.limits import MAX_LOGGED

# C0 and C1 controls and DEL; Unicode's line and paragraph separators (some readers break
# lines there); zero-width and bidi formatting, which reorder or hide what is shown.
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def clip(value: object, limit: int = MAX_LOGGED) -> str:
    """`value` as one line: its first `limit` characters (bytes, for bytes) with escapes, and
    when it was longer, how long it was."""
    if isinstance(value, bytes | bytearray):
        total, unit = len(value), "bytes"
        text = bytes(value[:limit]).decode(errors="replace")
    else:
        text = value if isinstance(value, str) else str(value)
        total, unit = len(text), "characters"
        text = text[:limit]
    shown = UNSAFE.sub(_escape, text)
    return f"{shown}… ({total:,} {unit})" if total > limit else shown


class OneLine(logging.Filter):
    """Rewrites every record of a logger as one clipped line. For libraries' loggers that put
    a request body into their messages (Bolt's signature check and its "unhandled request")."""

    def __init__(self, limit: int = MAX_LOGGED) -> None:
        super().__init__()
        self.limit = limit

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = clip(record.getMessage(), self.limit), None
        return True


def one_line_logs(*logger_names: str) -> None:
    """Make these loggers' records one clipped line each (once, however often called)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OneLine) for f in logger.filters):
            logger.addFilter(OneLine())
