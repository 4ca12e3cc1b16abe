"""Signed but malformed payloads never give a 500 (issue 14, item 4): Slack signed it, but it is
not shaped as Slack shapes its payloads. The answer is a 200 with nothing done (a slash command
gets a line saying so), and one log line."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest

from assistant.slack.payloads import problem
from assistant.web import MALFORMED_COMMAND
from testkit.slack_requests import (
    FORM,
    JSON,
    block_actions_body,
    event_body,
    slash_command_body,
    view_submission_body,
)
from tests.trust.conftest import state

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"
NESTED = 100_000

Change = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Change:
    """Set (or, with `...`, remove) a field, `view.state` style."""

    def change(payload: Any) -> None:
        *parents, last = path.split(".")
        for key in parents:
            payload = payload[int(key)] if key.isdigit() else payload[key]
        if value is ...:
            payload.pop(last, None)
        else:
            payload[last] = value

    return change


def _form_payload(body: str) -> dict[str, Any]:
    return json.loads(parse_qs(body)["payload"][0])


def _submission() -> dict[str, Any]:
    form = {"name": {"value": {"type": "plain_text_input", "value": "Malformed"}}}
    return _form_payload(view_submission_body("deal_new", form))


def _click() -> dict[str, Any]:
    return _form_payload(block_actions_body("deal_won", json.dumps({"n": 1, "v": 1})))


INTERACTIONS: dict[str, tuple[Callable[[], dict[str, Any]], Change]] = {
    "view_submission, user missing": (_submission, _set("user", ...)),
    "view_submission, user null": (_submission, _set("user", None)),
    "view_submission, user a string": (_submission, _set("user", "UREP")),
    "view_submission, user without id": (_submission, _set("user", {"name": "rep"})),
    "view_submission, user id a number": (_submission, _set("user", {"id": 5})),
    "view_submission, view missing": (_submission, _set("view", ...)),
    "view_submission, view null": (_submission, _set("view", None)),
    "view_submission, view a list": (_submission, _set("view", [])),
    "view_submission, no callback_id": (_submission, _set("view.callback_id", ...)),
    "view_submission, state a number": (_submission, _set("view.state", 5)),
    "view_submission, values a list": (_submission, _set("view.state.values", [])),
    "block_actions, actions []": (_click, _set("actions", [])),
    "block_actions, actions missing": (_click, _set("actions", ...)),
    "block_actions, actions null": (_click, _set("actions", None)),
    "block_actions, action a number": (_click, _set("actions", [5])),
    "block_actions, action without action_id": (_click, _set("actions", [{"value": "x"}])),
    "block_actions, user null": (_click, _set("user", None)),
    "block_actions, team a number": (_click, _set("team", 5)),
    "block_actions, channel a number": (_click, _set("channel", 5)),
    "block_actions, message a string": (_click, _set("message", "hi")),
    "block_actions, type a number": (_click, _set("type", 5)),
}

HOME = {"type": "app_home_opened", "user": "UREP", "tab": "home", "channel": "D0HOME"}
MENTION = {"type": "app_mention", "user": "UREP", "text": "<@UBOT> list", "channel": "C1"}
EVENTS: dict[str, tuple[dict[str, Any], Change]] = {
    "app_home_opened, user a number": (HOME, _set("event.user", 5)),
    "app_home_opened, user a list": (HOME, _set("event.user", ["UREP"])),
    "app_home_opened, user true": (HOME, _set("event.user", True)),
    "app_mention, user a number": (MENTION, _set("event.user", 5)),
    "app_mention, user an object with a number id": (MENTION, _set("event.user", {"id": 5})),
    "app_mention, text a number": (MENTION, _set("event.text", 5)),
    "app_mention, channel a number": (MENTION, _set("event.channel", 5)),
    "event null": (MENTION, _set("event", None)),
    "event a string": (MENTION, _set("event", "app_mention")),
    "event without type": (MENTION, _set("event.type", ...)),
    "authorizations of numbers": (MENTION, _set("authorizations", [5])),
    "authorizations a string": (MENTION, _set("authorizations", "x")),
    "team_id an object": (MENTION, _set("authorizations.0.team_id", {"id": 5})),
}

OTHER_BODIES: dict[str, tuple[str, str]] = {
    "JSON list": ("[1, 2]", JSON),
    "JSON empty list": ("[]", JSON),
    "JSON string": ('"event_callback"', JSON),
    "JSON number": ("5", JSON),
    "JSON null": ("null", JSON),
    "JSON true": ("true", JSON),
    "payload=5": ("payload=5", FORM),
    "payload=string": ("payload=" + urlencode({"": '"x"'})[1:], FORM),
    "payload=null": ("payload=null", FORM),
    "payload=[]": ("payload=%5B%5D", FORM),
    "payload=not JSON": ("payload=%7Bnot", FORM),
    "JSON not JSON": ("{not json", JSON),
    "JSON nested past the parser": ('{"a":' + "[" * NESTED + "]" * NESTED + "}", JSON),
    "JSON nested 100 deep": ('{"a":' + "[" * 99 + "]" * 99 + "}", JSON),
    "payload nested past the parser": ("payload=" + "%5B" * NESTED + "%5D" * NESTED, FORM),
}

COMMANDS: dict[str, Change] = {
    "command, user_id missing": _set("user_id", ...),
    "command, user_id empty": _set("user_id", ""),
    "command, team_id missing": _set("team_id", ...),
}


def _command_body(change: Change) -> str:
    fields = {k: v[0] for k, v in parse_qs(slash_command_body("/deal", "new Malformed 1k")).items()}
    change(fields)
    return urlencode(fields)


def _cases() -> list[tuple[str, str, str, str, bool]]:
    """(group, name, body, content type, is a command) for every malformed payload."""
    cases = []
    for name, (make, change) in INTERACTIONS.items():
        payload = make()
        change(payload)
        group = name.split(",")[0]
        cases.append((group, name, urlencode({"payload": json.dumps(payload)}), FORM, False))
    for name, (event, change) in EVENTS.items():
        envelope = json.loads(event_body(json.loads(json.dumps(event))))
        change(envelope)
        cases.append(("event", name, json.dumps(envelope), JSON, False))
    for name, (body, content_type) in OTHER_BODIES.items():
        cases.append(("body not an object, or not JSON", name, body, content_type, False))
    for name, change in COMMANDS.items():
        cases.append(("slash command", name, _command_body(change), FORM, True))
    numbered = json.dumps({"command": 5, "user_id": "U", "team_id": "T_TEST"})
    cases.append(("slash command", "command a number, as JSON", numbered, JSON, True))
    return cases


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def test_signed_malformed_payloads_get_200_and_change_nothing(bot, logs, tally):
    bot.command("/deal", "new Acme 12k")
    bot.fake.wait_for("views.publish", 1)  # the creator's Home refresh, after the reply
    before, calls = state(bot), len(bot.fake.calls)
    for group, name, body, content_type, is_command in _cases():
        logs.clear()
        status, _, raw = bot.http.post(body, content_type)
        assert status == 200, (name, status, raw[:300])
        assert "went wrong" not in raw, name
        if is_command:
            assert json.loads(raw) == {"response_type": "ephemeral", "text": MALFORMED_COMMAND}
        else:
            assert raw == "", (name, raw[:300])
        failures = [r for r in logs.records if r.exc_info or r.levelno >= logging.ERROR]
        assert not failures, (name, [r.getMessage() for r in failures])
        lines = [
            r.getMessage() for r in logs.records if "malformed Slack payload" in r.getMessage()
        ]
        assert len(lines) == 1 and "\n" not in lines[0], (name, lines)
        tally("malformed", group)
    time.sleep(0.3)  # anything a listener had queued would have reached the fake by now
    bot.runtime.followups.shutdown(wait=True)
    assert state(bot) == before
    assert len(bot.fake.calls) == calls


def test_real_payloads_pass_the_shape_check():
    """Slack's own payloads (tests/fixtures/slack) and every body the test helpers build."""
    checked = 0
    for path in sorted(FIXTURES.glob("*")):
        if path.name.endswith(".body.txt"):
            assert problem(path.read_text().strip(), FORM) is None, path.name
            checked += 1
        elif path.suffix == ".json" and "manifest" not in path.name and "meta" not in path.name:
            data = json.loads(path.read_text())
            data = data.get("payload", data) if "envelope" in path.name else data
            if "inner_event" in path.name:
                data = json.loads(event_body(data))
            assert problem(json.dumps(data), JSON) is None, path.name
            checked += 1
    helpers = [
        (view_submission_body("deal_new", {}), FORM),
        (block_actions_body("deal_won", "x"), FORM),
        (block_actions_body("deal_won", "x", view={"id": "V1", "callback_id": ""}), FORM),
        (slash_command_body("/deal", "list payload"), FORM),
        (event_body(HOME), JSON),
        (event_body(MENTION), JSON),
        (event_body({"type": "user_change", "user": {"id": "U1", "name": "x"}}), JSON),
        (event_body({"type": "channel_created", "channel": {"id": "C1", "name": "x"}}), JSON),
        (event_body({"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}), JSON),
        (json.dumps({"type": "url_verification", "challenge": "abc", "token": "t"}), JSON),
    ]
    for body, content_type in helpers:
        assert problem(body, content_type) is None, body[:200]
    assert checked >= 6
