"""Requests are checked before anything else (issue 14, item 2): whatever a stranger sends to
the events path, the answer is 401 (or 400/413 for a body that can't be read), never a 500,
a "Something went wrong" or a traceback in the log, and nothing changes."""

from __future__ import annotations

import http.client
import logging
import socket
import time

import pytest
from slack_sdk.signature import SignatureVerifier

from assistant.domain.limits import MAX_REQUEST_BODY
from testkit.slack_requests import FORM, JSON, slash_command_body
from tests.e2e.conftest import SECRET
from tests.trust.conftest import state

NESTED = 100_000  # far deeper than Python's recursion limit

# Bodies that are not JSON or form data, or that no parser should be asked to read.
UNSIGNED_BODIES: dict[str, tuple[bytes, str]] = {
    "{not json": (b"{not json", JSON),
    "payload=%7Bnot": (b"payload=%7Bnot", FORM),
    "payload={not as json": (b"payload=%7Bnot", JSON),
    "nested list": (b"[" * NESTED + b"]" * NESTED, JSON),
    "nested in an object": (b'{"a":' + b"[" * NESTED + b"]" * NESTED + b"}", JSON),
    "nested payload": (b"payload=" + b"%5B" * NESTED + b"%5D" * NESTED, FORM),
    "not UTF-8": (b'{"type":"\xff\xfe"}', JSON),
    "JSON list": (b"[1, 2]", JSON),
    "empty": (b"", FORM),
}


def _timestamps(now: int) -> dict[str, str]:
    """Timestamp headers that are not the plain seconds Slack sends; each is signed with
    itself, so only its form can be the reason to refuse it."""
    return {
        "abc": "abc",
        "empty": "",
        "fractional": f"{now}.5",
        "400 digits": "9" * 400,
        "negative": f"-{now}",
        "plus sign": f"+{now}",
        "leading space": f" {now}",
        "underscore": f"{str(now)[:4]}_{str(now)[4:]}",
        "hex": hex(now),
        "exponent": "1.7e9",
        "superscript digits": "¹²³",
    }


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def _post_raw(bot, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", bot.server.server_port, timeout=10)
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def _assert_no_traceback(logs) -> None:
    failures = [r for r in logs.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not failures, [f"{r.name}: {r.getMessage()}" for r in failures]
    assert "Traceback" not in logs.text


def test_unsigned_bodies_that_are_not_data_get_401(bot, logs, tally):
    before = state(bot)
    for name, (body, content_type) in UNSIGNED_BODIES.items():
        status, raw = _post_raw(bot, body, {"Content-Type": content_type})
        assert status == 401, (name, status, raw[:200])
        assert "went wrong" not in raw
        tally("gate", "unsigned body that is not data")
    _assert_no_traceback(logs)
    assert state(bot) == before


def test_malformed_timestamps_get_401_even_when_signed_with_themselves(bot, logs, tally):
    before = state(bot)
    body = slash_command_body("/deal", "new Timestamped 1k", response_url=bot.fake.url)
    verifier = SignatureVerifier(SECRET)
    for name, timestamp in _timestamps(int(time.time())).items():
        headers = {
            "Content-Type": FORM,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": verifier.generate_signature(timestamp=timestamp, body=body),
        }
        status, raw = _post_raw(bot, body.encode(), headers)
        assert status == 401, (name, status, raw[:200])
        tally("gate", "malformed timestamp")
    _assert_no_traceback(logs)
    assert state(bot) == before
    assert "#1" in bot.command("/deal", "new Timestamped 1k").text  # the same, well formed


def _headers_only(bot, content_length: str) -> bytes:
    """Send a POST's headers and no body; whatever the server answers, within 5 s."""
    with socket.create_connection(("127.0.0.1", bot.server.server_port), timeout=5) as sock:
        sock.sendall(
            (
                "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {content_length}\r\n"
                "X-Slack-Request-Timestamp: 1\r\nX-Slack-Signature: v0=00\r\n\r\n"
            ).encode()
        )
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except TimeoutError:
            pass  # the server is still waiting for the body: the assertion below says so
        return answer


@pytest.mark.parametrize("megabytes", [MAX_REQUEST_BODY // 1_000_000 + 1, 50, 10**9])
def test_a_body_over_the_limit_is_refused_before_it_is_read(bot, logs, tally, megabytes):
    # No body is sent: a server that tried to read the declared length would still be waiting.
    answer = _headers_only(bot, str(megabytes * 1_000_000))
    assert answer.startswith(b"HTTP/1.0 413") or answer.startswith(b"HTTP/1.1 413"), answer[:80]
    (line,) = [r.getMessage() for r in logs.records if "refused a request" in r.getMessage()]
    assert "limit" in line and "not read" in line  # one line: the size, never the body
    tally("gate", "body over 1 MB, refused unread")
    _assert_no_traceback(logs)


@pytest.mark.parametrize("content_length", ["abc", "-1", "1.5", "1e6", "9" * 40])
def test_a_malformed_content_length_is_a_bad_request(bot, logs, tally, content_length):
    answer = _headers_only(bot, content_length)
    assert answer.split(b" ")[1] == b"400", answer[:80]
    tally("gate", "malformed Content-Length")
    _assert_no_traceback(logs)


def test_a_body_just_under_the_limit_is_still_read_and_checked(bot, tally):
    filler = "x" * (MAX_REQUEST_BODY - 2000)
    body = slash_command_body("/deal", "list", response_url=bot.fake.url) + "&filler=" + filler
    assert len(body) < MAX_REQUEST_BODY
    status, _, raw = bot.http.post(body, FORM)
    assert status == 200 and "went wrong" not in raw
    assert bot.http.post(body, FORM, signature="v0=" + "0" * 64)[0] == 401


@pytest.mark.parametrize(
    "where", [{"text": "new The payload deal 1k"}, {"channel_name": "payload"},
              {"team_domain": "payload-co"}, {"user_name": "payload"}],
    ids=["text", "channel", "team", "user"],
)  # fmt: skip
def test_a_command_that_says_payload_is_answered(bot, tally, where):
    """Bolt read any form body containing the word "payload" as an interaction payload, found
    none, and answered 404: Slack showed the user an error for a plain command."""
    text = where.pop("text", "new Acme 1k")
    result = bot.command("/deal", text, **where)
    assert result.status == 200 and "#1" in result.text, result.raw[:300]
    tally("gate", "command saying 'payload'")
