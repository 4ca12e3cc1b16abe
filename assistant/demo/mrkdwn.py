"""Slack's mrkdwn as terminal text: mentions become names, markup becomes (ANSI) style.

Code is protected first (nothing inside backticks is formatted), then `<...>` tokens are
resolved, then emphasis; entities (`&lt;` `&gt;` `&amp;`) are undone last so that text a
user typed never turns into markup on the way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

BOLD, DIM, ITALIC, RESET = "\x1b[1m", "\x1b[2m", "\x1b[3m", "\x1b[0m"
CODE_COLOR = "\x1b[36m"

EMOJI = {
    "warning": "⚠️", "white_check_mark": "✅", "heavy_check_mark": "✔", "x": "❌",
    "tada": "🎉", "trophy": "🏆", "chart_with_upwards_trend": "📈",
    "chart_with_downwards_trend": "📉", "bar_chart": "📊", "hourglass": "⏳",
    "hourglass_flowing_sand": "⏳", "rotating_light": "🚨", "fire": "🔥", "moneybag": "💰",
    "calendar": "📅", "memo": "📝", "bulb": "💡", "no_entry": "⛔", "lock": "🔒",
    "arrow_right": "→", "arrow_up": "↑", "arrow_down": "↓", "small_red_triangle": "▲",
    "small_red_triangle_down": "▼", "red_circle": "🔴", "large_green_circle": "🟢",
    "large_yellow_circle": "🟡", "snail": "🐌", "mag": "🔍", "bell": "🔔", "dart": "🎯",
}  # fmt: skip

# A mark between zero-width spaces is user text shown literally (blocks.common.literal).
_PROTECT = re.compile(r"\u200b([*_~`])\u200b|```(.*?)```|`([^`\n]+)`|<([^<>\n]+)>", re.DOTALL)
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_EMOJI = re.compile(r":([a-z0-9_+\-]+):")
_MENTION = re.compile(r"<([@#][^<>\n]+)>")
_SLOT = re.compile(r"\x00(\d+)\x00")


@dataclass(frozen=True)
class Style:
    """How to show things: who is who, which channel is which, and whether to use colour."""

    names: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    color: bool = False

    def wrap(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.color and text else text


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def link(token: str, style: Style) -> str:
    """One `<...>` token: a user, channel, special mention, date or URL."""
    target, _, label = token.partition("|")
    if target.startswith("@"):
        user = target[1:]
        return "@" + style.names.get(user, label.lstrip("@") or user)
    if target.startswith("#"):
        channel = target[1:]
        return "#" + style.channels.get(channel, label.lstrip("#") or channel)
    if target.startswith("!"):
        if target.startswith(("!subteam", "!date")):
            return label or target[1:].split("^")[0]
        return "@" + (label or target[1:])
    if target.startswith("mailto:"):
        return label or target[len("mailto:") :]
    if label and label != target:
        return f"{label} ({target})"
    return target


def _bare_ids(code: str, style: Style) -> str:
    """Tables show owners as user ids (mentions don't work in code); show names instead,
    padded to the id's width so the columns stay aligned."""
    if not style.names:
        return code
    ids = re.compile(r"\b(" + "|".join(map(re.escape, style.names)) + r")\b")
    code = ids.sub(lambda m: f"@{style.names[m.group(1)]}".ljust(len(m.group(1))), code)
    return "\n".join(line.rstrip() for line in code.splitlines())


def render_mrkdwn(text: str, style: Style | None = None) -> str:
    style = style or Style()
    slots: list[str] = []

    def protect(match: re.Match[str]) -> str:
        mark, block, inline, token = match.groups()
        if mark is not None:
            slots.append(mark)
        elif block is not None:
            # Slack would show a mention inside code raw; a name reads better than an id.
            body = unescape(_MENTION.sub(lambda m: link(m.group(1), style), block.strip("\n")))
            body = _bare_ids(body, style)
            shown = style.wrap("\n".join("  " + line for line in body.splitlines()), CODE_COLOR)
            # A code block stands on lines of its own, as Slack shows it.
            before = "\n" if match.start() and match.string[match.start() - 1] != "\n" else ""
            after = "\n" if match.string[match.end() : match.end() + 1] not in ("", "\n") else ""
            slots.append(before + shown + after)
        elif inline is not None:
            code = unescape(inline)
            slots.append(style.wrap(code, CODE_COLOR) if style.color else f"`{code}`")
        else:
            slots.append(unescape(link(token, style)))
        return f"\x00{len(slots) - 1}\x00"

    text = _PROTECT.sub(protect, text)
    text = _BOLD.sub(lambda m: style.wrap(m.group(1), BOLD), text)
    text = _ITALIC.sub(lambda m: style.wrap(m.group(1), ITALIC), text)
    text = _STRIKE.sub(lambda m: m.group(1), text)
    text = _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)
    text = unescape(text)
    return _SLOT.sub(lambda m: slots[int(m.group(1))], text)
