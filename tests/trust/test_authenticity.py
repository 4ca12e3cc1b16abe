"""Only Slack, only fresh, only once (PRODUCT.md §6): forged or stale requests get 401 and
change nothing; a replayed signed request or a redelivered event acts once."""

from __future__ import annotations

import json
import threading
import time

import pytest

from testkit.dbdump import dump
from testkit.slack_requests import (
    FORM,
    JSON,
    block_actions_body,
    event_body,
    sign,
    slash_command_body,
    view_submission_body,
)
from tests.e2e.conftest import SECRET
from tests.trust.conftest import state


def _bodies(fake_url: str) -> dict[str, tuple[str, str]]:
    form = {
        "name": {"value": {"type": "plain_text_input", "value": "Forged"}},
        "stage": {"value": {"type": "static_select", "selected_option": {"value": "assessment"}}},
        "owner": {"value": {"type": "users_select", "selected_user": "UREP"}},
    }
    return {
        "command": (slash_command_body("/deal", "new Forged 1k", response_url=fake_url), FORM),
        "button": (
            block_actions_body("deal_won", json.dumps({"n": 1, "v": 1}), response_url=fake_url),
            FORM,
        ),
        "modal": (view_submission_body("deal_new", form), FORM),
        "event": (
            event_body({"type": "app_home_opened", "user": "UREP", "tab": "home"}),
            JSON,
        ),
    }


def _tampered(body: str, kind: str) -> dict:
    now = int(time.time())
    if kind == "missing":
        return {"unsigned": True}
    if kind == "wrong":
        return {"signature": "v0=" + "0" * 64}
    if kind == "wrong-secret":
        return {"signature": sign(body, "not-the-secret")["X-Slack-Signature"]}
    if kind == "stale":
        return {"timestamp": now - 5 * 60 - 30}
    if kind == "future":
        return {"timestamp": now + 5 * 60 + 30}
    if kind == "no-timestamp":
        return {"headers": {"X-Slack-Request-Timestamp": None}}
    raise AssertionError(kind)


KINDS = ["missing", "wrong", "wrong-secret", "stale", "future", "no-timestamp", "altered"]


def test_forged_stale_future_and_altered_requests_are_refused(bot, tally):
    bot.command("/deal", "new Acme 12k")
    bot.fake.wait_for("views.publish", 1)  # the creator's Home refresh, after the reply
    before = state(bot)
    calls = len(bot.fake.calls)
    for path, (body, content_type) in _bodies(bot.fake.response_url()).items():
        for kind in KINDS:
            if kind == "altered":
                # Signed as it was; a byte changed on the way.
                headers = sign(body, SECRET, content_type=content_type)
                altered = body.replace("T_TEST", "T_TESX")
                assert altered != body
                status, _, raw = bot.http.request("POST", "/slack/events", altered, headers)
            else:
                status, _, raw = bot.http.post(body, content_type, **_tampered(body, kind))
            assert status == 401, (path, kind, status, raw)
            tally("authenticity", kind)
    time.sleep(0.3)  # anything a listener had queued would have reached the fake by now
    assert state(bot) == before
    assert len(bot.fake.calls) == calls


def test_a_signature_just_inside_the_window_is_accepted(bot):
    body = slash_command_body("/deal", "new Fresh 1k", response_url=bot.fake.url)
    status, _, raw = bot.http.post(body, FORM, timestamp=int(time.time()) - 4 * 60)
    assert status == 200 and "#1" in raw


def test_a_replayed_command_changes_nothing_the_second_time(bot, tally):
    body = slash_command_body(
        "/deal", "new Replayed 1k", trigger_id="111.222.replayed", response_url=bot.fake.url
    )
    first = bot.http.post(body, FORM)
    after_first = state(bot)
    for _ in range(3):
        again = bot.http.post(body, FORM)  # the same signed bytes, within the window
        assert again[0] == 200 and "already handled" in again[2]
        tally("authenticity", "replayed command")
    assert first[0] == 200 and "#1" in first[2]
    assert state(bot) == after_first
    # A new trigger id is a new command.
    assert "#2" in bot.command("/deal", "new Replayed 1k").text


def test_a_change_and_its_replay_key_are_one_write_transaction(bot):
    """The key is recorded in the transaction of the change (one writer lock on SQLite, not
    two); a command that changed nothing records it on its own, and its replay is refused."""
    from sqlalchemy import event

    began: list[int] = []
    engine = bot.services.db.write_engine

    def listener(_connection) -> None:  # the request's own; not follow-ups after the reply
        if not threading.current_thread().name.startswith("followup"):
            began.append(1)

    event.listen(engine, "begin", listener)
    try:
        for text, trigger in (("new Acme 12k", "1.one"), ("move 1 next", "1.two")):
            body = slash_command_body("/deal", text, trigger_id=trigger)
            before = len(began)
            assert bot.http.post(body, FORM)[0] == 200
            assert len(began) - before == 1, text
            assert "already handled" in bot.http.post(body, FORM)[2]
        refused = slash_command_body("/deal", "move 1 nowhere", trigger_id="1.three")
        first = bot.http.post(refused, FORM)[2]
        assert "already handled" not in first and len(_request_keys(bot)) == 3
        assert "already handled" in bot.http.post(refused, FORM)[2]
    finally:
        event.remove(engine, "begin", listener)
    assert "Qualification" in bot.command("/deal", "show 1").text


def test_a_replayed_read_is_answered_again_and_records_no_key(bot, tally):
    """Reads skip the replay check (its write would queue them on SQLite's writer lock): a
    replay changes nothing, and its answer goes to whoever replayed it, not to Slack."""
    bot.command("/deal", "new Acme 12k")
    keys = _request_keys(bot)
    for text in ("show 1", "list", "list stuck share", "help"):
        body = slash_command_body(
            "/deal", text, trigger_id=f"555.{text}", response_url=bot.fake.url
        )
        replies = [bot.http.post(body, FORM) for _ in range(2)]
        # Status and body; the headers carry a Date that may tick over between the two.
        assert [(status, reply) for status, _, reply in replies] == [(200, replies[0][2])] * 2
        assert "already handled" not in replies[1][2], text
        tally("authenticity", "replayed read")
    assert _request_keys(bot) == keys
    # Subcommands that change data are still checked, also when `share` comes first.
    body = slash_command_body("/deal", "share note 1 called", trigger_id="555.note")
    assert "Note added" in bot.http.post(body, FORM)[2]
    assert "already handled" in bot.http.post(body, FORM)[2]


def _request_keys(bot) -> list[str]:
    return [line for line in dump(bot.services.db).splitlines() if "processed_requests" in line]


def test_a_replayed_button_press_acts_once(bot, tally):
    bot.command("/deal", "new Acme 12k")
    body = block_actions_body(
        "deal_next", json.dumps({"n": 1, "v": 1}), response_url=bot.fake.response_url()
    )
    assert bot.http.post(body, FORM)[0] == 200
    bot.fake.wait_for("respond", 1)
    after = state(bot)
    assert bot.http.post(body, FORM)[0] == 200
    tally("authenticity", "replayed button")
    bot.runtime.followups.shutdown(wait=True)
    assert state(bot) == after
    assert "Qualification" in bot.command("/deal", "show 1").text


def test_a_replayed_form_submission_creates_one_deal(bot, tally):
    form = {
        "name": {"value": {"type": "plain_text_input", "value": "Form deal"}},
        "stage": {"value": {"type": "static_select", "selected_option": {"value": "assessment"}}},
        "owner": {"value": {"type": "users_select", "selected_user": "UREP"}},
    }
    body = view_submission_body("deal_new", form, trigger_id="333.444.form")
    assert bot.http.post(body, FORM)[0] == 200
    after = state(bot)
    status, _, raw = bot.http.post(body, FORM)
    tally("authenticity", "replayed form")
    assert status == 200
    assert state(bot) == after, "a replayed submission created a second deal"
    assert "#2" not in bot.command("/deal", "list").text


@pytest.mark.parametrize("retry_header", [False, True])
def test_a_redelivered_event_is_handled_once(bot, tally, retry_header):
    event = {"type": "app_home_opened", "user": "UREP", "tab": "home", "channel": "D0HOME"}
    body = event_body(event, event_id="Ev0REDELIVER")
    headers = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    for attempt in range(3):
        status, _, _ = bot.http.post(
            body, JSON, headers=headers if retry_header and attempt else {}
        )
        assert status == 200
        tally("authenticity", "redelivered event")
    bot.runtime.followups.shutdown(wait=True)
    assert len(bot.fake.calls_to("views.publish")) == 1
