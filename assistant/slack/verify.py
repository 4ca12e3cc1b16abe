"""Is this request from Slack? Checked on the raw bytes, before anything reads them as data.

Bolt parses a body (JSON or form) before its own signature check, so a stranger's body that
is not valid JSON, or nested deeper than the parser can go, used to fail inside Bolt with a
500; a timestamp header that is not a plain number ("abc", "1.5", 400 digits) failed inside
`SignatureVerifier.is_valid`. Here the length is checked before the body is read, the
timestamp must be the digits Slack sends, and the signature is checked on the exact bytes
received; only then is the body decoded.
"""

from __future__ import annotations

import hmac
import re
import time
from dataclasses import dataclass

from slack_sdk.signature import SignatureVerifier

from assistant.domain.limits import MAX_REQUEST_BODY

# Slack signs requests for 5 minutes either side of now (its documented replay window).
WINDOW_SECONDS = 5 * 60
# Seconds since 1970 as ASCII digits: `int()` would also take " 12", "+12", "1_2" and
# other scripts' digits, none of which Slack sends.
TIMESTAMP = re.compile(r"[0-9]{1,12}")
CONTENT_LENGTH = re.compile(r"[0-9]{1,16}")


@dataclass(frozen=True)
class Refusal:
    status: int  # 400, 401 or 413
    reason: str  # for the log line; never sent back


def body_length(content_length: str | None) -> int | Refusal:
    """How many bytes to read, from the Content-Length header, or why not to read any."""
    value = (content_length or "").strip()
    if not value:
        return 0  # no body: the signature check refuses it, unless it is a GET
    if CONTENT_LENGTH.fullmatch(value) is None:
        return Refusal(400, "malformed Content-Length")
    length = int(value)
    if length > MAX_REQUEST_BODY:
        return Refusal(413, f"body of {length:,} bytes (limit {MAX_REQUEST_BODY:,})")
    return length


def signature_problem(
    secret: str, body: bytes, timestamp: str | None, signature: str | None, now: float | None = None
) -> str | None:
    """Why this body, timestamp and signature are not Slack's, or None when they are."""
    if not timestamp:
        return "no timestamp"
    if TIMESTAMP.fullmatch(timestamp) is None:
        return "malformed timestamp"
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > WINDOW_SECONDS:
        return "timestamp outside the 5-minute window"
    if not signature:
        return "no signature"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"  # Slack sends UTF-8; the signature covers the decoded text
    # The window is checked above, against `now`; this is is_valid() without its own clock.
    expected = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=text)
    if expected is None or not hmac.compare_digest(expected.encode(), signature.encode()):
        return "wrong signature"
    return None
