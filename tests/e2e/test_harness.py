"""The end-to-end harness itself: fake Slack, signed requests, and the WSGI layer around Bolt."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

from assistant.web import create_wsgi_app, start_in_thread
from testkit.fake_slack import FakeSlack
from testkit.slack_requests import (
    FORM,
    JSON,
    SlackHttpClient,
    block_actions_body,
    event_body,
    sign,
    slash_command_body,
    url_verification_body,
    view_submission_body,
)

SECRET = "test-signing-secret"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack.start() as server:
        yield server


class Harness:
    """A minimal Bolt app with a /ping command, served over real HTTP."""

    def __init__(self, fake: FakeSlack, retry: bool) -> None:
        self.ran: list[str] = []
        self.healthy = True
        handlers = [RateLimitErrorRetryHandler(max_retry_count=2)] if retry else []
        client = WebClient(base_url=fake.url, token="xoxb-test")
        client.retry_handlers.extend(handlers)
        # Starts after the fake: App(token=...) calls auth.test while being built.
        self.app = App(signing_secret=SECRET, client=client, process_before_response=True)
        self.app.command("/ping")(self._ping)
        self.server, _, self.base_url = start_in_thread(
            create_wsgi_app(self.app, self._health, signing_secret=SECRET)
        )
        self.http = SlackHttpClient(self.base_url, SECRET, response_url=fake.response_url("ping"))

    def _ping(self, ack: Any, respond: Any, client: WebClient, command: dict[str, Any]) -> None:
        ack()
        self.ran.append(command["text"])
        respond("pong")
        client.chat_postMessage(channel=command["channel_id"], text=f"pinged: {command['text']}")

    def _health(self) -> bool:
        if isinstance(self.healthy, Exception):
            raise self.healthy
        return self.healthy

    def close(self) -> None:
        self.http.close()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def harness(fake: FakeSlack) -> Iterator[Harness]:
    h = Harness(fake, retry=True)
    yield h
    h.close()


def test_signed_command_is_acked_and_effects_reach_fake_slack(harness: Harness, fake: FakeSlack):
    status, _, _ = harness.http.command("/ping", "hello")

    assert status == 200
    assert harness.ran == ["hello"]
    (reply,) = fake.wait_for("respond:ping")
    assert reply.args["text"] == "pong"
    (post,) = fake.wait_for("chat.postMessage")
    assert (post.args["channel"], post.args["text"]) == ("C_GENERAL", "pinged: hello")
    assert post.token == "xoxb-test"
    assert fake.calls_to("auth.test"), "Bolt verifies its token at startup"


@pytest.mark.parametrize(
    "tamper",
    [
        {"unsigned": True},
        {"signature": "v0=" + "0" * 64},
        {"timestamp": int(time.time()) - 6 * 60},
        {"headers": {"X-Slack-Request-Timestamp": None}},
    ],
    ids=["unsigned", "wrong-signature", "stale", "no-timestamp"],
)
def test_bad_signatures_are_rejected_before_any_listener(
    harness: Harness, fake: FakeSlack, tamper: dict[str, Any]
):
    body = slash_command_body("/ping", "x", response_url=fake.response_url("ping"))

    status, _, _ = harness.http.post(body, FORM, **tamper)

    assert status == 401
    assert harness.ran == []
    assert fake.responses() == [] and fake.calls_to("chat.postMessage") == []


def test_rate_limited_post_is_retried_with_retry_handler(harness: Harness, fake: FakeSlack):
    fake.fail_next("chat.postMessage", times=1, status=429, retry_after=0)

    status, _, _ = harness.http.command("/ping", "again")

    assert status == 200
    posts = fake.calls_to("chat.postMessage")
    assert [c.status for c in posts] == [429, 200]
    assert posts[1].args["text"] == "pinged: again"


def test_health_check_reports_ready_and_not_ready(harness: Harness):
    assert harness.http.get("/healthz")[0::2] == (200, '{"ok": true}')
    harness.healthy = False
    assert harness.http.get("/healthz")[0::2] == (503, '{"ok": false}')
    harness.healthy = RuntimeError("db down")  # type: ignore[assignment]
    assert harness.http.get("/healthz")[0] == 503


def test_unknown_paths_and_methods_are_404(harness: Harness):
    assert harness.http.get("/nope")[0] == 404
    assert harness.http.get("/slack/events")[0] == 404
    assert harness.http.get("/slack/install")[0] == 404  # OAuth is not configured here
    assert harness.http.post("{}", JSON, path="/elsewhere")[0] == 404


def test_unexpected_adapter_error_is_a_plain_json_500(harness: Harness):
    with mock.patch.object(harness.app, "dispatch", side_effect=RuntimeError("boom")):
        status, headers, text = harness.http.command("/ping")

    assert status == 500
    assert json.loads(text) == {"ok": False}
    assert "Traceback" not in text and headers["content-type"].startswith("application/json")


def test_url_verification_echoes_the_challenge(harness: Harness):
    status, _, text = harness.http.post(url_verification_body("abc123"), JSON)
    assert (status, json.loads(text)) == (200, {"challenge": "abc123"})


# -- the fixtures of real Slack payloads -----------------------------------------------------------


def test_official_signing_example_matches_our_signature():
    meta = json.loads((FIXTURES / "slash_command_official_signing_example.meta.json").read_text())
    body = (FIXTURES / meta["body_file"]).read_text()
    ts = int(meta["headers"]["X-Slack-Request-Timestamp"])

    headers = sign(body, meta["signing_secret"], timestamp=ts)

    assert headers == meta["headers"]
    verifier = SignatureVerifier(meta["signing_secret"], clock=mock.Mock(now=lambda: ts + 10))
    assert verifier.is_valid(body, str(ts), headers["X-Slack-Signature"])
    # Same timestamp with today's clock: a correct verifier refuses the replay.
    assert not SignatureVerifier(meta["signing_secret"]).is_valid_request(body, headers)


def test_real_slack_bodies_are_accepted_by_bolt(harness: Harness):
    seen: list[str] = []
    app = harness.app
    app.command("/hello-world")(lambda ack: (ack(), seen.append("command")))
    app.action("a")(lambda ack, body: (ack(), seen.append(body["actions"][0]["value"])))
    app.view("view-id")(lambda ack, view: (ack(), seen.append(view["private_metadata"])))
    app.event("app_home_opened")(lambda event: seen.append(event["tab"]))

    def form_payload(name: str) -> str:
        from urllib.parse import urlencode

        return urlencode({"payload": (FIXTURES / name).read_text()})

    bodies = [
        ((FIXTURES / "slash_command_bolt_test.body.txt").read_text(), FORM),
        (form_payload("block_actions_bolt_test.json"), FORM),
        (form_payload("view_submission_bolt_test.json"), FORM),
        ((FIXTURES / "app_home_opened_event_callback_bolt_test.json").read_text(), JSON),
    ]
    for body, ctype in bodies:
        assert harness.http.post(body, ctype)[0] == 200

    assert seen == ["command", "click_me_123", "This is for you!", "messages"]


def _keys(form_body: str) -> set[str]:
    from urllib.parse import parse_qsl

    return set(dict(parse_qsl(form_body, keep_blank_values=True)))


def _payload(form_body: str) -> dict[str, Any]:
    from urllib.parse import parse_qsl

    return json.loads(dict(parse_qsl(form_body))["payload"])


def test_builders_have_the_fields_of_real_payloads():
    real_command = _keys((FIXTURES / "slash_command_bolt_test.body.txt").read_text())
    socket_command = json.loads(
        (FIXTURES / "slash_command_socket_mode_envelope_sdk_test.json").read_text()
    )["payload"]
    ours = _keys(slash_command_body("/deal", "list"))
    assert (real_command - {"enterprise_id", "enterprise_name"}) <= ours
    assert set(socket_command) <= ours

    real_action = json.loads((FIXTURES / "block_actions_bolt_test.json").read_text())
    our_action = _payload(block_actions_body("a", "v"))
    assert set(real_action) <= set(our_action)
    assert set(real_action["actions"][0]) <= set(our_action["actions"][0])
    assert set(real_action["container"]) <= set(our_action["container"])

    real_view = json.loads((FIXTURES / "view_submission_bolt_test.json").read_text())
    our_view = _payload(view_submission_body("cb", {"b": {"a": {"type": "x", "value": "1"}}}))
    assert set(real_view) <= set(our_view)
    assert set(real_view["view"]) <= set(our_view["view"])

    real_event = json.loads(
        (FIXTURES / "app_home_opened_event_callback_bolt_test.json").read_text()
    )
    our_event = json.loads(event_body({"type": "app_home_opened", "user": "U1", "tab": "home"}))
    assert set(real_event) - {"enterprise_id"} <= set(our_event)


# -- the fake's own behaviour ----------------------------------------------------------------------


def test_fake_records_form_and_json_and_decodes_json_fields(fake: FakeSlack):
    client = WebClient(base_url=fake.url, token="xoxb-test")
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    client.chat_postMessage(channel="C1", text="hi", blocks=blocks)  # JSON body
    client.api_call("chat.postEphemeral", data={"channel": "C1", "blocks": json.dumps(blocks)})

    json_call, form_call = fake.calls
    assert json_call.args["blocks"] == blocks and json_call.headers["content-type"].startswith(
        "application/json"
    )
    assert form_call.args["blocks"] == blocks
    assert form_call.raw_args["blocks"] == json.dumps(blocks)


def test_fake_default_answers(fake: FakeSlack):
    client = WebClient(base_url=fake.url, token="xoxb-test")
    fake.users["UBOSS"] = {"is_admin": True}

    assert client.auth_test()["team_id"] == "T_TEST"
    assert client.users_info(user="UBOSS")["user"]["is_admin"] is True
    assert client.users_info(user="UREP")["user"]["is_admin"] is False
    ts1 = client.chat_postMessage(channel="C1", text="a")["ts"]
    ts2 = client.chat_postMessage(channel="C1", text="b")["ts"]
    assert ts1 < ts2
    assert client.views_open(trigger_id="t", view={"type": "modal"})["view"]["id"]
    assert client.conversations_info(channel="C1")["channel"]["id"] == "C1"
    assert client.team_info()["team"]["id"] == "T_TEST"
    assert client.api_call("made.up")["ok"] is True


def test_fake_accepts_file_uploads(fake: FakeSlack):
    client = WebClient(base_url=fake.url, token="xoxb-test")

    client.files_upload_v2(channel="C1", content=b"\x89PNG...", filename="funnel.png", title="F")

    (upload,) = fake.uploads()
    assert upload.files["file"] == b"\x89PNG..."
    (complete,) = fake.calls_to("files.completeUploadExternal")
    assert complete.args["files"][0]["title"] == "F"


def test_fake_fault_injection(fake: FakeSlack):
    client = WebClient(base_url=fake.url, token="xoxb-test")

    fake.fail_next("chat.postMessage", status=200, body={"ok": False, "error": "not_in_channel"})
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x")
    assert err.value.response["error"] == "not_in_channel"

    fake.fail_next("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 500

    # WebClient retries a dropped connection once by default (ConnectionErrorRetryHandler).
    fake.fail_next("chat.postMessage", mode="drop")
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in fake.calls_to("chat.postMessage")][-2:] == [None, 200]

    fake.delay("chat.update", 0.3)
    start = time.monotonic()
    client.chat_update(channel="C1", ts="1.2", text="y")
    assert time.monotonic() - start >= 0.3


def test_wait_for_blocks_until_calls_arrive_and_times_out(fake: FakeSlack):
    import threading

    client = WebClient(base_url=fake.url, token="xoxb-test")
    threading.Timer(0.2, lambda: client.chat_postMessage(channel="C1", text="late")).start()
    assert fake.wait_for("chat.postMessage", timeout=5)[0].args["text"] == "late"
    with pytest.raises(AssertionError, match="views.open"):
        fake.wait_for("views.open", timeout=0.1)
    fake.reset()
    assert fake.calls == []
