"""A fake Slack Web API on loopback that records every call.

Point `WebClient(base_url=fake.url)` and every `response_url` at it, then assert on what Slack
would have received. Modelled on bolt-python's tests/mock_web_api_server, written from scratch.

Call names: Web API methods keep their name (`chat.postMessage`); calls to a response URL are
named `respond:<name>`; file bytes posted to an upload URL are named `upload:<file_id>`. Any
helper that takes a method also accepts the bare prefix (`respond`, `upload`) to match them all.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import logging
import socketserver
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

logger = logging.getLogger(__name__)

TEAM_ID = "T_TEST"
BOT_USER_ID = "UBOT"
BOT_ID = "B_BOT"

Answer = dict[str, Any] | Callable[["Call"], dict[str, Any]]


@dataclass
class Call:
    """One request the fake received."""

    method: str
    args: dict[str, Any]  # query + body; JSON-looking form fields decoded (blocks -> list)
    headers: dict[str, str]  # lower-cased names
    files: dict[str, bytes]
    at: float  # time.monotonic() on arrival
    raw_args: dict[str, str] = field(default_factory=dict)  # form/query values as sent
    body: bytes = b""
    path: str = ""
    status: int | None = None  # what the fake answered; None when the connection was dropped

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return (
            auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else self.args.get("token")
        )


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    body: Any
    mode: str  # "http" answers with status/body; "drop" closes the socket without answering


def _matches(call_method: str, wanted: str) -> bool:
    return call_method == wanted or call_method.startswith(wanted + ":")


def _maybe_json(value: str) -> Any:
    # WebClient form-encodes lists/dicts (blocks, files, ...) as JSON strings; decode them so
    # tests can inspect structure, while raw_args keeps the exact wire value.
    if value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeSlack:
    """Threaded HTTP server impersonating slack.com/api, response URLs and file upload URLs."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.team: dict[str, Any] = {"id": TEAM_ID, "name": "Test Team", "domain": "test-team"}
        self.oauth_response: dict[str, Any] = _default_oauth_response()
        self._answers: dict[str, Answer] = {}
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._delays: dict[str, float] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    @classmethod
    def start(cls) -> FakeSlack:
        return cls()._serve()

    def _serve(self) -> FakeSlack:
        self._server = _Server(("127.0.0.1", 0), _make_handler(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self if self._server is not None else self._serve()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "FakeSlack is not running"
        return self._server.server_address[1]

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def url(self) -> str:
        """Base URL for `WebClient(base_url=...)` / SLACK_API_URL; trailing slash matters."""
        return f"{self.root}api/"

    def response_url(self, name: str = "default") -> str:
        return f"{self.root}respond/{name}"

    # -- configuration ---------------------------------------------------------------------------
    def set_response(self, method: str, answer: Answer) -> None:
        """Replace the default answer of a method (a dict, or a function of the Call)."""
        with self._lock:
            self._answers[method] = answer

    def fail_next(
        self,
        method: str,
        times: int = 1,
        status: int = 429,
        retry_after: int | None = 1,
        body: Any = None,
        mode: str = "http",
    ) -> None:
        """Make the next `times` calls fail. `status=200, body={"ok": False, "error": ...}` gives
        a Slack API error; `mode="drop"` closes the connection without any response."""
        if mode not in ("http", "drop"):
            raise ValueError(f"unknown fault mode {mode!r}")
        if body is None and mode == "http":
            body = {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"}
        with self._lock:
            for _ in range(times):
                self._faults[method].append(_Fault(status, retry_after, body, mode))

    def delay(self, method: str, seconds: float) -> None:
        """Delay every answer to `method` until reset (or `delay(method, 0)`)."""
        with self._lock:
            self._delays[method] = seconds

    def reset(self) -> None:
        """Forget calls, faults, delays and all configuration; keep the server running."""
        with self._lock:
            self.calls.clear()
            self._answers.clear()
            self._faults.clear()
            self._delays.clear()
            self.users.clear()
            self.channels.clear()
            self.team = {"id": TEAM_ID, "name": "Test Team", "domain": "test-team"}
            self.oauth_response = _default_oauth_response()

    # -- inspection ------------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if _matches(c.method, method)]

    def responses(self, name: str | None = None) -> list[Call]:
        """Calls to response URLs (what Bolt's `respond()` posted), optionally for one name."""
        return self.calls_to("respond" if name is None else f"respond:{name}")

    def uploads(self) -> list[Call]:
        return self.calls_to("upload")

    def wait_for(self, method: str, count: int = 1, timeout: float = 5) -> list[Call]:
        """Block until `count` calls to `method` arrived (follow-ups happen after ack)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self.calls if _matches(c.method, method)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(
                        f"waited {timeout}s for {count} call(s) to {method}, got {len(found)}; "
                        f"all calls: {seen}"
                    )
                self._lock.wait(remaining)

    # -- request handling (runs on server threads) -----------------------------------------------
    def _take_fault(self, method: str) -> tuple[_Fault | None, float]:
        with self._lock:
            fault = None
            for key in (method, method.split(":", 1)[0]):
                if self._faults.get(key):
                    fault = self._faults[key].popleft()
                    break
            delay = self._delays.get(method, self._delays.get(method.split(":", 1)[0], 0))
            return fault, delay

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
            self._lock.notify_all()

    def _answer(self, call: Call) -> dict[str, Any] | str:
        kind = call.method.split(":", 1)[0]
        if kind == "respond":
            return {"ok": True}
        if kind == "upload":
            return f"OK - {len(call.files.get('file', b''))}"
        with self._lock:
            custom = self._answers.get(call.method)
        if custom is not None:
            return custom(call) if callable(custom) else custom
        default = getattr(self, "_answer_" + call.method.replace(".", "_"), None)
        return default(call) if default else {"ok": True}

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    # Default answers, shaped like Slack's documented responses (only the fields we read).
    def _answer_auth_test(self, call: Call) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://test-team.slack.com/",
            "team": self.team["name"],
            "user": "bot",
            "team_id": self.team["id"],
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _answer_chat_postMessage(self, call: Call) -> dict[str, Any]:
        ts = self._next_ts()
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts}
        message.update({k: call.args[k] for k in ("text", "blocks") if k in call.args})
        return {"ok": True, "channel": call.args.get("channel"), "ts": ts, "message": message}

    def _answer_chat_postEphemeral(self, call: Call) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _answer_chat_update(self, call: Call) -> dict[str, Any]:
        return {
            "ok": True,
            "channel": call.args.get("channel"),
            "ts": call.args.get("ts"),
            "text": call.args.get("text", ""),
        }

    def _view(self, call: Call) -> dict[str, Any]:
        view = call.args.get("view")
        view = dict(view) if isinstance(view, dict) else {}
        view.setdefault("id", call.args.get("view_id") or f"V{next(self._ids):05d}")
        view.update({"team_id": self.team["id"], "hash": self._next_ts(), "state": {"values": {}}})
        return {"ok": True, "view": view}

    _answer_views_open = _answer_views_publish = _answer_views_update = _answer_views_push = _view

    def _answer_users_info(self, call: Call) -> dict[str, Any]:
        user_id = call.args.get("user", "")
        user = {
            "id": user_id,
            "team_id": self.team["id"],
            "name": user_id.lower(),
            "real_name": user_id,
            "is_admin": False,
            "is_owner": False,
            "is_bot": False,
            "deleted": False,
            "tz": "UTC",
            "tz_offset": 0,
            "profile": {"display_name": user_id.lower(), "real_name": user_id},
        }
        with self._lock:
            user.update(self.users.get(user_id, {}))
        return {"ok": True, "user": user}

    def _answer_conversations_info(self, call: Call) -> dict[str, Any]:
        channel_id = call.args.get("channel", "")
        channel = {
            "id": channel_id,
            "name": channel_id.lower(),
            "is_channel": True,
            "is_private": False,
            "is_member": True,
            "is_archived": False,
        }
        with self._lock:
            channel.update(self.channels.get(channel_id, {}))
        return {"ok": True, "channel": channel}

    def _answer_team_info(self, call: Call) -> dict[str, Any]:
        return {"ok": True, "team": dict(self.team)}

    def _answer_oauth_v2_access(self, call: Call) -> dict[str, Any]:
        return json.loads(json.dumps(self.oauth_response))  # a copy callers cannot mutate

    def _answer_files_getUploadURLExternal(self, call: Call) -> dict[str, Any]:
        file_id = f"F{next(self._ids):05d}"
        return {"ok": True, "upload_url": f"{self.root}upload/{file_id}", "file_id": file_id}

    def _answer_files_completeUploadExternal(self, call: Call) -> dict[str, Any]:
        files = call.args.get("files")
        files = files if isinstance(files, list) else []
        return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}


def _default_oauth_response() -> dict[str, Any]:
    return {
        "ok": True,
        "access_token": "xoxb-installed",
        "token_type": "bot",
        "scope": "commands,chat:write",
        "bot_user_id": BOT_USER_ID,
        "app_id": "A_TEST",
        "team": {"id": TEAM_ID, "name": "Test Team"},
        "enterprise": None,
        "is_enterprise_install": False,
        "authed_user": {"id": "UINSTALLER", "scope": "", "token_type": "user"},
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) that can stall in sandboxes.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)


def _parse_body(content_type: str, body: bytes) -> tuple[dict[str, str], Any, dict[str, bytes]]:
    """Return (raw form fields, decoded args, files) for a JSON, form or multipart body."""
    raw: dict[str, str] = {}
    files: dict[str, bytes] = {}
    if not body:
        return raw, {}, files
    if content_type.startswith("application/json"):
        return raw, json.loads(body), files
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename():
                files[name] = payload
            else:
                raw[name] = payload.decode()
    else:
        raw = dict(parse_qsl(body.decode(), keep_blank_values=True))
    return raw, {k: _maybe_json(v) for k, v in raw.items()}, files


def _make_handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so clients that pool connections work

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            prefix, _, rest = parts.path.lstrip("/").partition("/")
            kinds = {"api": "{}", "respond": "respond:{}", "upload": "upload:{}"}
            if prefix not in kinds or not rest:
                self._send(404, {"ok": False, "error": "unknown_path"})
                return
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            raw: dict[str, str] = {}
            args: Any = {}
            if prefix == "upload":
                # The upload URL takes the file's raw bytes as the body, whatever the content type.
                files = {"file": body}
            else:
                try:
                    raw, args, files = _parse_body(self.headers.get("Content-Type", ""), body)
                except ValueError:
                    self._send(400, {"ok": False, "error": "invalid_body"})
                    return
            call = Call(
                method=kinds[prefix].format(rest),
                args={**query, **args},
                headers={k.lower(): v for k, v in self.headers.items()},
                files=files,
                at=time.monotonic(),
                raw_args={**query, **raw},
                body=body,
                path=parts.path,
            )
            fault, delay = fake._take_fault(call.method)
            # Status is settled before recording so a waiter never sees a half-filled Call.
            call.status = (fault.status if fault.mode == "http" else None) if fault else 200
            fake._record(call)
            if delay:
                time.sleep(delay)
            if fault is not None and fault.mode == "drop":
                self.close_connection = True  # the server closes the socket; no status line
                return
            if fault is not None:
                extra = {}
                if fault.status == 429 and fault.retry_after is not None:
                    extra["Retry-After"] = str(fault.retry_after)
                self._send(fault.status, fault.body, extra)
                return
            try:
                answer = fake._answer(call)
            except Exception:  # a broken test answer should surface, not hang the client
                logger.exception("FakeSlack answer for %s failed", call.method)
                call.status = 500
                self._send(500, {"ok": False, "error": "fake_answer_failed"})
                return
            self._send(200, answer)

        def _send(self, status: int, answer: Any, headers: dict[str, str] | None = None) -> None:
            is_text = isinstance(answer, str)
            data = answer.encode() if is_text else json.dumps(answer).encode()
            self.send_response(status)
            ctype = "text/plain; charset=utf-8" if is_text else "application/json; charset=utf-8"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("FakeSlack: " + format, *args)

    return Handler
