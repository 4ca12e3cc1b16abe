"""Web API clients, configured once for the bot and once for the digest scheduler."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

TIMEOUT_SECONDS = 10


def web_client(base_url: str, token: str | None) -> WebClient:
    """The bot's client: waits out 429s (Slack's Retry-After) and retries 5xx and dropped
    connections, which WebClient does not do for rate limits by default."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def scheduler_client(base_url: str, token: str | None) -> WebClient:
    """The digest scheduler's client retries 429s once and nothing else: its own retries are
    kept in the database, and a client retrying a 5xx could post one digest twice."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
