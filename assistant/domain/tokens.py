"""Split slash-command text into arguments the way people type them in Slack.

Unlike `shlex`, this never raises: an unbalanced quote runs to the end of the text, and an
apostrophe inside a word (`Mario's`, with the straight or the curly `’` that macOS and phones
insert) is a letter, not a quote.
"""

from __future__ import annotations

import re

# Opening and closing quotes of each kind are interchangeable: keyboards and autocorrect mix
# “…”, ”…” and „…“, so any double quote closes a double-quoted run.
_DOUBLE_QUOTES = frozenset('"“”„')
_SINGLE_QUOTES = frozenset("'‘’")
# Not `isspace()` characters, but invisible and pasted along from rich text all the same.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# Slack's own markup: mentions, channels, `<!here>`, links and mailto links.
_SLACK_ESCAPE_RE = re.compile(r"<(?:[@#!]|mailto:|https?:)", re.IGNORECASE)


def _is_space(char: str) -> bool:
    return char.isspace() or char in _INVISIBLE


def _quote_can_open(current: list[str]) -> bool:
    # A quote opens only at the start of a word or of a `key:` value, so apostrophes are letters.
    return not current or current[-1] == ":"


def _single_closes(text: str, index: int) -> bool:
    # A single quote ends a quoted run only before a space or the end; `'Mario's pizza'` is one.
    return index + 1 == len(text) or _is_space(text[index + 1])


def split_args(text: str) -> list[str]:
    """Split on whitespace; quotes group words; `<...>` (Slack mentions/links) stay whole."""
    tokens: list[str] = []
    current: list[str] = []
    in_token = False  # separate from `current` so that `""` still yields an empty argument
    index = 0
    while index < len(text):
        char = text[index]
        if _is_space(char):
            if in_token:
                tokens.append("".join(current))
                current, in_token = [], False
            index += 1
            continue
        in_token = True
        if not current and _SLACK_ESCAPE_RE.match(text, index) and ">" in text[index:]:
            # `<@U1|Jo Smith>` may carry spaces in its label; it is still one argument.
            end = text.index(">", index)
            current.extend(text[index : end + 1])
            index = end + 1
            continue
        is_double = char in _DOUBLE_QUOTES
        if (is_double or char in _SINGLE_QUOTES) and _quote_can_open(current):
            index += 1
            quoted: list[str] = []
            while index < len(text):
                inner = text[index]
                if is_double and inner in _DOUBLE_QUOTES:
                    break
                if not is_double and inner in _SINGLE_QUOTES and _single_closes(text, index):
                    break
                quoted.append(inner)
                index += 1
            index += 1  # past the closing quote, or past the end when there was none
            # Inside quotes, runs of (non-breaking) spaces still mean one space.
            visible = "".join(c for c in quoted if c not in _INVISIBLE)
            current.extend(" ".join(visible.split()))
            continue
        current.append(char)
        index += 1
    if in_token:
        tokens.append("".join(current))
    return tokens


_KEY_VALUE_RE = re.compile(r"([A-Za-z_]+):(.*)", re.DOTALL)


def split_key_value(token: str) -> tuple[str, str] | None:
    """`stage:prop` -> ("stage", "prop"); mentions, URLs and times like `09:00` -> None."""
    match = _KEY_VALUE_RE.fullmatch(token)
    if match is None:
        return None
    key, value = match[1].lower(), match[2]
    if value.startswith("//"):  # http://..., https://..., any scheme with an authority
        return None
    return key, value
