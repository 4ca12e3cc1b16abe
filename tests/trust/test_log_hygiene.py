"""Logs can't be forged or flooded (issue 14, item 3): a request that fails verification is
logged in one line, its body clipped to a few hundred characters with newlines and control
characters escaped; Bolt's own lines that carry a body are clipped the same way."""

from __future__ import annotations

import json
import logging
import time

import pytest
from slack_bolt.request import BoltRequest

from assistant.domain.limits import MAX_LOGGED, MAX_REQUEST_BODY
from assistant.logsafe import clip
from testkit.slack_requests import FORM, JSON, block_actions_body, sign

MARKER = "FORGEDRECORD"
# What an attacker would put in a body: a fake record on a line of its own, terminal
# escapes, a carriage return, Unicode's line separator, bidi overrides; then bulk.
HOSTILE = (
    '{"type":"event_callback","event":{"text":"hi\n'
    f"2026-12-04 05:00:00,000 INFO assistant.services.roles: {MARKER} admin granted to UEVIL\n"
    "\r\x1b[2J\x1b[31mred\x00\u2028\u2029\u202eevil\u2066"
)
LONGEST_LINE = MAX_LOGGED * 6 + 400  # every shown character escaped, plus the line's words


@pytest.fixture
def logs(caplog):
    """Every logger at DEBUG, put back afterwards. Bolt's loggers take the root's level when
    an app is built, so they are set here by name."""
    caplog.set_level(logging.DEBUG)
    names = ("slack_bolt", "slack_bolt.App", "slack_bolt.RequestVerification", "assistant")
    before = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield caplog
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


def _records_showing(logs, marker: str) -> list[str]:
    return [r.getMessage() for r in logs.records if marker in r.getMessage()]


def _assert_one_safe_line(line: str) -> None:
    assert len(line) <= LONGEST_LINE, len(line)
    for char in ("\n", "\r", "\x1b", "\x00", "\u2028", "\u2029", "\u202e", "\u2066"):
        assert char not in line, repr(char)


@pytest.mark.parametrize(
    "size", [len(HOSTILE) + 2, 10_000, MAX_REQUEST_BODY - 10], ids=["short", "10k", "1mb"]
)
@pytest.mark.parametrize("forgery", ["unsigned", "wrong signature", "stale"])
def test_a_refused_request_is_one_clipped_escaped_line(bot, logs, tally, size, forgery):
    body = HOSTILE + "A" * (size - len(HOSTILE) - 2) + '"}'
    tamper = {
        "unsigned": {"unsigned": True},
        "wrong signature": {"signature": "v0=" + "0" * 64},
        "stale": {"timestamp": int(time.time()) - 3600},
    }[forgery]
    status, _, _ = bot.http.post(body, JSON, **tamper)
    assert status == 401
    lines = _records_showing(logs, MARKER)
    assert len(lines) == 1, lines[:3]
    _assert_one_safe_line(lines[0])
    assert "\\n2026-12-04" in lines[0]  # the newline shown as an escape, not obeyed
    if size > MAX_LOGGED:
        assert f"({len(body.encode()):,} bytes)" in lines[0]
    tally("logs", "refused request logged in one clipped line")


def test_bolts_own_verification_line_is_clipped(bot, logs, tally):
    """Behind the gate Bolt's check never fails, but Bolt run without it (as Socket Mode's
    fallback or another adapter would) must not write a body whole either."""
    # Valid JSON, or Bolt would fail parsing it before its check: the newlines sit between
    # its tokens, where JSON allows them.
    body = (
        '{"type":"event_callback",\n'
        f'"x":"2026-12-04 05:00:00,000 INFO assistant: {MARKER} admin granted to UEVIL",\r\n'
        '"y":"\u2028\u202eevil' + "B" * 200_000 + '"}'
    )
    headers = sign(body, "not-the-secret", content_type=JSON)
    response = bot.app.dispatch(BoltRequest(body=body, headers=headers))
    assert response.status == 401
    lines = _records_showing(logs, MARKER)
    assert len(lines) == 1 and "Invalid request signature" in lines[0], lines[:3]
    _assert_one_safe_line(lines[0])
    tally("logs", "Bolt's own line with a body, clipped")


def test_bolts_unhandled_request_line_is_clipped(bot, logs, tally):
    """A signed click on a button no listener handles: Bolt logs the whole body (and a code
    suggestion over many lines); here, one clipped line."""
    value = HOSTILE + "C" * 50_000
    status, _, _ = bot.http.post(block_actions_body("no_such_action", value), FORM)
    assert status == 404  # Bolt's answer for a request no listener takes
    lines = _records_showing(logs, MARKER) or [
        r.getMessage() for r in logs.records if "Unhandled request" in r.getMessage()
    ]
    assert lines, "Bolt logged nothing about the unhandled request"
    for line in lines:
        _assert_one_safe_line(line)
    tally("logs", "Bolt's own line with a body, clipped")


def test_clip_escapes_every_character_that_breaks_a_line_or_hides_text():
    for code in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, 0x202E, 0x2066, 0x200B]:
        shown = clip(f"a{chr(code)}b")
        assert chr(code) not in shown and shown.startswith("a\\") and shown.endswith("b")
    assert clip("x" * 5000) == "x" * MAX_LOGGED + "… (5,000 characters)"
    assert clip(b"\xff" * 3, 2) == "\ufffd\ufffd… (3 bytes)"
    assert clip(json.dumps({"ok": 1})) == '{"ok": 1}'
