"""Block Kit as readable terminal text: what a Slack user would see, minus the pixels.

Headers are underlined titles, sections their text, fields two columns, context lines dimmed,
buttons `[ Won ]`, images `[image: title]`. The input is the JSON form of the blocks
(`block.to_dict()`), the same that Slack receives.
"""

from __future__ import annotations

import re
from itertools import zip_longest

from assistant.blocks.common import Reply, escape
from assistant.demo.mrkdwn import BOLD, DIM, EMOJI, Style, render_mrkdwn

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_EMOJI = re.compile(r":([a-z0-9_+\-]+):")
RULE_WIDTH = 60


def visible_len(text: str) -> int:
    return len(_ANSI.sub("", text))


def render_reply(reply: Reply, style: Style | None = None) -> str:
    payload = reply.to_dict()
    if payload.get("blocks"):
        return render_blocks(payload["blocks"], style)
    return render_mrkdwn(payload.get("text", ""), style)


def render_blocks(blocks: list[dict], style: Style | None = None) -> str:
    style = style or Style()
    lines: list[str] = []
    for block in blocks:
        text = _block(block, style)
        if text is None:
            continue
        if block.get("type") == "header" and lines:
            lines.append("")
        lines.append(text)
    return "\n".join(lines)


def text_object(obj: dict | str | None, style: Style) -> str:
    if obj is None:
        return ""
    if isinstance(obj, str):
        return render_mrkdwn(obj, style)
    if obj.get("type") == "mrkdwn":
        return render_mrkdwn(obj.get("text", ""), style)
    return _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), obj.get("text", ""))


def element(obj: dict, style: Style) -> str:
    """An interactive element or image, as a bracketed token."""
    kind = obj.get("type")
    if kind == "button":
        label = f"[ {text_object(obj.get('text'), style)} ]"
        return style.wrap(label, BOLD) if obj.get("style") == "primary" else label
    if kind == "image":
        return f"[image: {obj.get('title', {}).get('text') or obj.get('alt_text', '')}]"
    if kind == "overflow":
        return "[ ⋯ ]"
    if kind in ("datepicker", "timepicker"):
        return f"[ {obj.get('initial_date') or obj.get('initial_time') or kind} ]"
    placeholder = obj.get("initial_option", {}).get("text") or obj.get("placeholder")
    return f"[ {text_object(placeholder, style) or kind} ▾ ]"


def _block(block: dict, style: Style) -> str | None:
    kind = block.get("type")
    if kind == "header":
        title = text_object(block.get("text"), style)
        return style.wrap(title, BOLD) + "\n" + "─" * min(visible_len(title), RULE_WIDTH)
    if kind == "section":
        parts = [text_object(block["text"], style)] if block.get("text") else []
        if block.get("fields"):
            parts.append(two_columns([text_object(f, style) for f in block["fields"]]))
        if block.get("accessory"):
            parts.append(element(block["accessory"], style))
        return "\n".join(parts)
    if kind == "divider":
        return style.wrap("─" * RULE_WIDTH, DIM)
    if kind == "context":
        items = [
            element(e, style) if e.get("type") == "image" else text_object(e, style)
            for e in block.get("elements", [])
        ]
        return style.wrap("  ".join(items), DIM)
    if kind == "actions":
        return "  ".join(element(e, style) for e in block.get("elements", []))
    if kind == "image":
        return element(block, style)
    if kind == "rich_text":
        return render_mrkdwn(_rich_text(block.get("elements", [])), style)
    if kind == "input":
        label = text_object(block.get("label"), style)
        return f"{label}: {element(block.get('element', {}), style)}"
    return None


def two_columns(cells: list[str], gap: int = 4) -> str:
    """Fields as Slack lays them out: pairs side by side, the left column padded."""
    lefts = cells[0::2]
    width = max((visible_len(line) for cell in lefts for line in cell.splitlines()), default=0)
    rows: list[str] = []
    for left, right in zip_longest(lefts, cells[1::2], fillvalue=""):
        for a, b in zip_longest(left.splitlines(), right.splitlines(), fillvalue=""):
            pad = " " * (width - visible_len(a) + gap) if b else ""
            rows.append((a + pad + b).rstrip())
    return "\n".join(rows)


def _rich_text(elements: list[dict]) -> str:
    """Rich text back to mrkdwn, so it goes through one renderer."""
    out: list[str] = []
    for item in elements:
        kind = item.get("type")
        if kind in ("rich_text_section", "rich_text_quote", "rich_text_preformatted"):
            text = "".join(_rich_piece(p) for p in item.get("elements", []))
            out.append(f"```{text}```" if kind == "rich_text_preformatted" else text)
        elif kind == "rich_text_list":
            out.extend("• " + _rich_text([sub]) for sub in item.get("elements", []))
    return "\n".join(out)


def _rich_piece(piece: dict) -> str:
    kind = piece.get("type")
    if kind == "user":
        return f"<@{piece.get('user_id')}>"
    if kind == "channel":
        return f"<#{piece.get('channel_id')}>"
    if kind == "link":
        return f"<{piece.get('url')}|{piece.get('text') or piece.get('url')}>"
    if kind == "emoji":
        return f":{piece.get('name')}:"
    style = piece.get("style") or {}
    text = escape(piece.get("text", ""))
    return f"*{text}*" if style.get("bold") and text.strip() else text
