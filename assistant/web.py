"""The HTTP face of the bot: a WSGI router around Bolt plus a small threaded server.

Bolt's own WSGI adapter answers only its events path (and OAuth pages); we add a health check
and make sure no request ever ends as a bare 500 with a traceback (PRODUCT.md §2). A POST to
the events path passes a gate first (`slack/verify.py`): a body over the size limit is refused
before it is read, and only a body Slack signed, with a well-formed fresh timestamp, and shaped
as Slack shapes its payloads (`slack/payloads.py`) reaches Bolt.
"""

from __future__ import annotations

import io
import json
import logging
import socketserver
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from assistant.logsafe import clip
from assistant.slack import payloads
from assistant.slack.verify import Refusal, body_length, signature_problem

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)
access_logger = logging.getLogger(__name__ + ".access")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]


def _healthy(health_check: Callable[[], bool]) -> bool:
    try:
        return bool(health_check())
    except Exception:
        # A failing probe (database down, ...) means "not ready", never a crash of the server.
        logger.warning("health check raised", exc_info=True)
        return False


def _refuse(
    start_response: StartResponse, refusal: Refusal, environ: WSGIEnvironment, body: bytes
) -> Iterable[bytes]:
    # One line, whatever was sent: the body clipped and escaped, so a 50 MB POST is not a
    # 50 MB line and a newline in it cannot forge a record of its own.
    logger.warning(
        "refused a request to %s: %s (timestamp %s; body %s)",
        clip(environ.get("PATH_INFO", "")),
        refusal.reason,
        clip(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "none"), 40),
        clip(body) if body else "not read",
    )
    status = {400: "400 Bad Request", 401: "401 Unauthorized", 413: "413 Content Too Large"}
    # The same answer as Bolt's for a bad signature; the reason stays in our log.
    return _json(start_response, status[refusal.status], {"error": "invalid request"})


# What someone who typed a slash command reads when Slack sent us something we can't use.
MALFORMED_COMMAND = (
    "That request reached the bot incomplete, so nothing was done. Please try again."
)


def _ignore(
    start_response: StartResponse, malformed: payloads.Malformed, body: bytes
) -> Iterable[bytes]:
    """A signed payload we can't read: 200 (Slack would retry an error) and nothing done."""
    logger.warning("ignored a malformed Slack payload: %s (body %s)", malformed.reason, clip(body))
    if malformed.is_command:
        return _json(
            start_response, "200 OK", {"response_type": "ephemeral", "text": MALFORMED_COMMAND}
        )
    start_response("200 OK", [("Content-Length", "0")])
    return [b""]


def _content_type(environ: WSGIEnvironment) -> str | None:
    # As Bolt reads it (request/internals.py, extract_content_type).
    value = environ.get("CONTENT_TYPE")
    return value.split(";")[0] if value else None


def _signed_body(environ: WSGIEnvironment, signing_secret: str) -> tuple[bytes, Refusal | None]:
    """The body, read no further than its declared length, and why it is refused if it is."""
    length = body_length(environ.get("CONTENT_LENGTH"))
    if isinstance(length, Refusal):
        return b"", length
    try:
        body = environ["wsgi.input"].read(length) if length else b""
    except OSError as err:  # the client went away or stalled past the socket timeout
        return b"", Refusal(400, f"body not received ({type(err).__name__})")
    if len(body) != length:
        return body, Refusal(400, f"body shorter than its Content-Length ({len(body):,})")
    problem = signature_problem(
        signing_secret,
        body,
        environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
        environ.get("HTTP_X_SLACK_SIGNATURE"),
    )
    return body, Refusal(401, problem) if problem else None


PARSED_BODY = "assistant.parsed_body"  # the WSGI environ key of the body as checked


class _SlackHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, with bodies read as the gate read them (`payloads.parse`)."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        raw = request.get_body()
        bolt_request = BoltRequest(
            body=raw, query=request.query_string, headers=request.get_headers()
        )
        parsed = request.environ.get(PARSED_BODY)
        if parsed is None:  # a GET (the OAuth pages): no body was checked
            parsed = payloads.parse(raw, bolt_request.content_type)
        return self.app.dispatch(payloads.read_as_parsed(bolt_request, parsed))


def create_wsgi_app(
    bolt_app: App,
    health_check: Callable[[], bool],
    *,
    signing_secret: str,
    events_path: str = EVENTS_PATH,
) -> WSGIApplication:
    """Route Slack traffic to Bolt, `GET /healthz` to `health_check`, everything else to 404.
    Events are checked against `signing_secret` before Bolt sees them."""
    slack_handler = _SlackHandler(bolt_app, path=events_path)
    oauth_flow = bolt_app.oauth_flow
    # Only when OAuth is configured do the install page and redirect exist.
    oauth_paths = {oauth_flow.install_path, oauth_flow.redirect_uri_path} if oauth_flow else set()

    def wsgi_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and method == "GET":
            if _healthy(health_check):
                return _json(start_response, "200 OK", {"ok": True})
            return _json(start_response, "503 Service Unavailable", {"ok": False})
        is_slack = (method == "POST" and path == events_path) or (
            method == "GET" and path in oauth_paths
        )
        if not is_slack:
            return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})
        if method == "POST":
            body, refusal = _signed_body(environ, signing_secret)
            if refusal is not None:
                return _refuse(start_response, refusal, environ, body)
            parsed, malformed = payloads.checked(body.decode(), _content_type(environ))
            if malformed is not None:
                return _ignore(start_response, malformed, body)
            # Bolt reads the body again, from the bytes already read and checked; it is given
            # them as read here too (`_SlackHandler`), not parsed a third time.
            environ = {
                **environ,
                "wsgi.input": io.BytesIO(body),
                "CONTENT_LENGTH": str(len(body)),
                PARSED_BODY: parsed,
            }
        try:
            # Bolt's adapter builds the whole body before calling start_response, so an error
            # here has not sent anything yet and a clean JSON 500 can still go out.
            return slack_handler(environ, start_response)
        except Exception:
            logger.exception("unexpected error handling %s %s", method, path)
            return _json(start_response, "500 Internal Server Error", {"ok": False})

    return wsgi_app


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    # Slack retries a request that is not answered in 3 s, so one slow request must not block
    # the others; daemon threads let the process exit without waiting for stragglers.
    daemon_threads = True

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) that can stall startup.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)
        self.setup_environ()


class _QuietHandler(WSGIRequestHandler):
    """Send wsgiref's stderr access log to logging instead."""

    # A client that stops sending half way frees its thread after this many seconds (Slack
    # itself gives up on an answer after 3).
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        # The request line is the client's own text (and wsgiref's escaping is in the method
        # this replaces).
        access_logger.debug("%s %s", self.address_string(), clip(format % args))


def _make_server(wsgi_app: WSGIApplication, host: str, port: int) -> WSGIServer:
    return make_server(
        host, port, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )


def serve(wsgi_app: WSGIApplication, host: str, port: int) -> None:
    """Serve until interrupted (Ctrl-C / SIGINT)."""
    server = _make_server(wsgi_app, host, port)
    logger.info("listening on http://%s:%s", host, server.server_port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("shutting down")
    finally:
        server.server_close()


def start_in_thread(
    wsgi_app: WSGIApplication, host: str = "127.0.0.1", port: int = 0
) -> tuple[WSGIServer, threading.Thread, str]:
    """Serve in a daemon thread; returns (server, thread, base URL without trailing slash).
    Stop with `server.shutdown(); server.server_close()`."""
    server = _make_server(wsgi_app, host, port)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    return server, thread, f"http://{host}:{server.server_port}"
