"""Signed requests exactly as Slack sends them over HTTP, and a small client to send them.

Shapes follow the real payloads in tests/fixtures/slack (see SOURCES.md there): slash
commands are a plain form body; block_actions and view_submission are a form body with a single
`payload=<JSON>` field; events are JSON. The signature covers the exact raw body bytes.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

# Default response_url when a test does not pass one: loopback port 9 (discard) refuses the
# connection at once, so a forgotten response_url can never reach the real hooks.slack.com.
UNROUTABLE_RESPONSE_URL = "http://127.0.0.1:9/respond/unset"

_seq = itertools.count(1)


def _next_id() -> int:
    return next(_seq)


def _trigger_id() -> str:
    n = _next_id()
    return f"{n}.{n}.{n:032x}"


def sign(
    body: str, secret: str, timestamp: int | None = None, content_type: str | None = None
) -> dict[str, str]:
    """Headers Slack adds to a request: timestamp, `v0=` HMAC signature and content type."""
    ts = int(time.time()) if timestamp is None else timestamp
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(ts), body=body)
    if content_type is None:
        content_type = JSON if body.lstrip().startswith("{") else FORM
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature,
    }


def slash_command_body(
    command: str,
    text: str = "",
    user_id: str = "UREP",
    team_id: str = "T_TEST",
    channel_id: str = "C_GENERAL",
    response_url: str = UNROUTABLE_RESPONSE_URL,
    trigger_id: str | None = None,
    *,
    user_name: str | None = None,
    channel_name: str = "general",
    team_domain: str = "test-team",
    api_app_id: str = "A_TEST",
) -> str:
    # Field order and names as Slack sends them (verification token is deprecated but present).
    fields = {
        "token": "verification_token",
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or _trigger_id(),
    }
    return urlencode(fields)


def _user(user_id: str, team_id: str) -> dict[str, str]:
    name = user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _team(team_id: str) -> dict[str, Any]:
    return {"id": team_id, "domain": "test-team"}


def _payload_form(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def block_actions_body(
    action_id: str,
    value: str | None = None,
    user_id: str = "UREP",
    team_id: str = "T_TEST",
    channel_id: str = "C_GENERAL",
    message_ts: str = "1700000000.000001",
    response_url: str = UNROUTABLE_RESPONSE_URL,
    view: dict[str, Any] | None = None,
    block_id: str = "actions",
    *,
    action: dict[str, Any] | None = None,
    message: dict[str, Any] | None = None,
    trigger_id: str | None = None,
) -> str:
    """A button click. With `view`, the click happened in a modal or App Home (no channel, no
    response_url, like Slack); otherwise on a message. `action` replaces the default button."""
    act = action or {
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": "Button", "emoji": True},
        "value": value,
        "type": "button",
        "action_ts": f"{int(time.time())}.000001",
    }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": "A_TEST",
        "token": "verification_token",
        "trigger_id": trigger_id or _trigger_id(),
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V_TEST")}
        payload["view"] = view
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": "general"}
        payload["message"] = message or {
            "type": "message",
            "user": "UBOT",
            "ts": message_ts,
            "text": "",
            "blocks": [],
        }
        payload["response_url"] = response_url
        payload["state"] = {"values": {}}
    payload["actions"] = [act]
    return _payload_form(payload)


def view_submission_body(
    callback_id: str,
    state_values: dict[str, dict[str, Any]],
    user_id: str = "UREP",
    team_id: str = "T_TEST",
    private_metadata: str = "",
    *,
    view_id: str = "V_TEST",
    blocks: list[dict[str, Any]] | None = None,
    trigger_id: str | None = None,
) -> str:
    """A modal submission; `state_values` is view.state.values: {block_id: {action_id: {...}}}."""
    view = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": blocks or [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": state_values},
        "hash": "1700000000.abcdefgh",
        "title": {"type": "plain_text", "text": "Sales"},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Cancel"},
        "submit": {"type": "plain_text", "text": "Submit"},
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": "A_TEST",
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": "B_BOT",
    }
    payload = {
        "type": "view_submission",
        "team": _team(team_id),
        "user": _user(user_id, team_id),
        "api_app_id": "A_TEST",
        "token": "verification_token",
        "trigger_id": trigger_id or _trigger_id(),
        "view": view,
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }
    return _payload_form(payload)


def event_body(
    event: dict[str, Any],
    team_id: str = "T_TEST",
    event_id: str | None = None,
    event_time: int | None = None,
) -> str:
    """An Events API envelope; pass the same event_id twice to simulate Slack's redelivery."""
    now = int(time.time()) if event_time is None else event_time
    envelope = {
        "token": "verification_token",
        "team_id": team_id,
        "api_app_id": "A_TEST",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{_next_id():08d}",
        "event_time": now,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": "UBOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-event-{team_id}",
    }
    return json.dumps(envelope)


def url_verification_body(
    challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
) -> str:
    return json.dumps(
        {"token": "verification_token", "challenge": challenge, "type": "url_verification"}
    )


Response = tuple[int, dict[str, str], str]


class SlackHttpClient:
    """Posts signed requests to the app, one keep-alive connection per calling thread."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        path: str = "/slack/events",
        response_url: str = UNROUTABLE_RESPONSE_URL,
        timeout: float = 10,
    ) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.signing_secret = signing_secret
        self.path = path
        self.response_url = response_url
        self.timeout = timeout
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def request(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
    ) -> Response:
        data = body.encode()
        hdrs = dict(headers or {})
        for attempt in (1, 2):
            conn = self._connection()
            reused = conn.sock is not None
            try:
                conn.request(method, path, body=data, headers=hdrs)
                resp = conn.getresponse()
                text = resp.read().decode()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, text
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                # A server may close an idle keep-alive socket; only then is a resend safe.
                if not reused or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(
        self,
        body: str,
        content_type: str | None = None,
        headers: dict[str, str | None] | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
        *,
        unsigned: bool = False,
        path: str | None = None,
    ) -> Response:
        """Sign and post `body`. `signature` forces a (wrong) signature; `unsigned` sends no
        Slack headers; a header mapped to None in `headers` is removed."""
        if unsigned:
            hdrs: dict[str, str] = {"Content-Type": content_type or FORM}
        else:
            hdrs = sign(body, self.signing_secret, timestamp, content_type)
            if signature is not None:
                hdrs["X-Slack-Signature"] = signature
        for name, value in (headers or {}).items():
            if value is None:
                hdrs.pop(name, None)
            else:
                hdrs[name] = value
        return self.request("POST", path or self.path, body, hdrs)

    def command(self, command: str, text: str = "", **kwargs: Any) -> Response:
        kwargs.setdefault("response_url", self.response_url)
        return self.post(slash_command_body(command, text, **kwargs), FORM)

    def action(self, action_id: str, value: str | None = None, **kwargs: Any) -> Response:
        kwargs.setdefault("response_url", self.response_url)
        return self.post(block_actions_body(action_id, value, **kwargs), FORM)

    def submit_view(
        self, callback_id: str, state_values: dict[str, dict[str, Any]], **kwargs: Any
    ) -> Response:
        return self.post(view_submission_body(callback_id, state_values, **kwargs), FORM)

    def event(self, event: dict[str, Any], **kwargs: Any) -> Response:
        return self.post(event_body(event, **kwargs), JSON)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
            self._local = threading.local()

    def __enter__(self) -> SlackHttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
