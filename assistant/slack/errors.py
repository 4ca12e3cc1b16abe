"""What a failed Web API call means: Slack's error code, and whether trying again can help."""

from __future__ import annotations

import http.client
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

# Slack's documented "try again later" answers; any other `ok: false` is final, since sending
# the same request again would get the same answer (not_in_channel, invalid_auth, ...).
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
    }
)


@dataclass(frozen=True)
class Failure:
    reason: str  # Slack's error code, or the network error
    transient: bool
    retry_after: float | None = None  # seconds, from Slack's Retry-After header


def classify(err: BaseException) -> Failure:
    if isinstance(err, SlackApiError):
        response = err.response
        status = getattr(response, "status_code", 200) or 200
        code = _error_code(response) or f"http_{status}"
        transient = status == 429 or status >= 500 or code in TRANSIENT_ERRORS
        return Failure(code, transient, _retry_after(response))
    # Dropped connections, resets, timeouts, DNS failures, URLError: all OSError or
    # HTTPException on the urllib transport WebClient uses.
    if isinstance(err, OSError | http.client.HTTPException):
        return Failure(f"{type(err).__name__}: {err}"[:300], transient=True)
    return Failure(f"{type(err).__name__}: {err}"[:300], transient=False)


def _error_code(response: object) -> str | None:
    try:
        code = response.get("error")  # type: ignore[attr-defined]
    except Exception:  # a non-JSON body (an HTML 502 page) has no fields
        return None
    return str(code) if code else None


def _retry_after(response: object) -> float | None:
    headers = getattr(response, "headers", None) or {}
    for name, value in dict(headers).items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None
