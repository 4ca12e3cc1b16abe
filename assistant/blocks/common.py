"""Pieces every message is made of, and the limits Slack puts on them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from assistant.domain.text import is_slack_user_id

# Slack's documented limits: 50 blocks a message, 3,000 characters a section text,
# 150 characters a header, 10 fields a section, 40,000 characters of a message's text. A
# reply's fallback is kept to 3,000: it is what notifications and screen readers get.
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FALLBACK_TEXT = 3000
EPHEMERAL = "ephemeral"
IN_CHANNEL = "in_channel"


@dataclass
class Reply:
    """A message: blocks for Slack, `text` for notifications and anything without blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    response_type: str = EPHEMERAL
    # Set when the reply should replace the message a button was pressed on.
    replace_original: bool = False

    def to_dict(self) -> dict:
        payload: dict = {"text": _clip(self.text, MAX_FALLBACK_TEXT)}
        if self.blocks:
            payload["blocks"] = [b.to_dict() for b in self.blocks[:MAX_BLOCKS]]
        payload["response_type"] = self.response_type
        return payload


def escape(text: object) -> str:
    """Make user text inert in mrkdwn: `<!channel>` or `<@U1>` typed into a deal name must
    not ping anyone, and `&`/`<`/`>` must show as typed (Slack's escaping rules)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Slack has no escape for its formatting marks; a zero-width space on each side of one breaks
# the pattern (`*Big*` can no longer open or close bold) and shows nothing.
_MARKS = re.compile(r"([*_~`])")
_ZWSP = "\u200b"


def literal(text: object) -> str:
    """User text in mrkdwn, shown exactly as typed: inert (`escape`), and with formatting
    marks that format nothing (`*`, `_`, `~`, backticks)."""
    return _MARKS.sub(_ZWSP + r"\1" + _ZWSP, escape(text))


def unescape(text: str) -> str:
    """Slack sends `&`, `<`, `>` in command text as entities; undo that for storage."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(markdown: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=_clip(markdown, MAX_SECTION_TEXT)))


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=_clip(text, MAX_HEADER_TEXT))


def context(*markdown: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=_clip(m, 2000)) for m in markdown[:10]])


def divider() -> DividerBlock:
    return DividerBlock()


def button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(text=text[:75], action_id=action_id, value=value[:2000], style=style)


def actions(block_id: str, *buttons: ButtonElement) -> ActionsBlock:
    return ActionsBlock(block_id=block_id, elements=list(buttons[:25]))


def sections_from_lines(lines: Sequence[str], limit: int = MAX_SECTION_TEXT) -> list[SectionBlock]:
    """Pack lines into as few sections as fit the 3,000-character limit."""
    blocks: list[SectionBlock] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = _clip(line, limit)
        if current and size + len(line) + 1 > limit:
            blocks.append(section("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        blocks.append(section("\n".join(current)))
    return blocks


def code_table(rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A monospace table; `align` has one letter per column, `r` for right-aligned. A cell
    may hold several lines (a wrapped name): its row then takes as many lines."""
    if not rows:
        return ""
    split = [[str(cell).split("\n") for cell in row] for row in rows]
    widths = [max(len(line) for row in split for line in row[i]) for i in range(len(rows[0]))]
    lines = []
    for row in split:
        for depth in range(max(len(cell) for cell in row)):
            cells = []
            for i, cell in enumerate(row):
                text = cell[depth] if depth < len(cell) else ""
                right = i < len(align) and align[i] == "r"
                cells.append(text.rjust(widths[i]) if right else text.ljust(widths[i]))
            lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def fenced(text: str) -> str:
    return f"```\n{text}\n```"


def mention(user_id: str | None) -> str:
    """A user reference that Slack renders as their name; imported owners stay plain text."""
    if not user_id:
        return "nobody"
    if is_slack_user_id(user_id):  # an imported owner called "Ulrich" stays text
        return f"<@{user_id}>"
    return literal(user_id)


def channel(channel_id: str) -> str:
    return f"<#{channel_id}>"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def days(value: float) -> str:
    """Days as people say them: `3.5 days`, `1 day`, `<1 day`."""
    if value < 1:
        hours = round(value * 24)
        return "under an hour" if hours < 1 else plural(hours, "hour")
    rounded = round(value, 1)
    text = f"{rounded:,.1f}".removesuffix(".0")
    return f"{text} day" if text == "1" else f"{text} days"


def local_date(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d")


def error_reply(message: str, usage: str | None = None) -> Reply:
    lines = [f":warning: {message}"]
    if usage:
        lines.append(f"Usage: `{escape(usage)}`")
    text = "\n".join(lines)
    return Reply(text=text, blocks=[section(text)])


def more_line(shown: int, total: int, what: str = "") -> str | None:
    if total <= shown:
        return None
    return f"…and {total - shown:,} more{(' ' + what) if what else ''}."
