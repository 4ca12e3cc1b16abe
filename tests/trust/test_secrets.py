"""The bot token and the signing secret never appear in logs, replies or anything sent to
Slack other than the token's own Authorization header, across a session that goes through
successes, refusals, bad input, forged requests and Slack faults."""

from __future__ import annotations

import json
import logging
import time

import pytest

from assistant.config import Settings
from testkit.slack_requests import FORM, slash_command_body
from tests.e2e.conftest import SECRET, TOKEN


@pytest.fixture
def every_library_at_debug(caplog):
    """Debug output of every library, put back afterwards: a logger left at DEBUG (sqlalchemy
    echoing every statement) changes what later tests' log assertions see."""
    caplog.set_level(logging.DEBUG)  # the root logger
    names = ("slack_bolt", "slack_sdk", "urllib3", "sqlalchemy", "assistant")
    before = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


def test_tokens_and_signing_secret_never_leak(bot, caplog, tally, every_library_at_debug):
    bot.fake.users["UADMIN"] = {"id": "UADMIN", "is_admin": True}
    raws: list[str] = []

    def say(cmd: str, text: str, **kw) -> None:
        raws.append(bot.command(cmd, text, **kw).raw)

    say("/sales", "settings feed:<#C0FEED|feed>", user="UADMIN")
    say("/deal", "new Acme 12k")
    say("/deal", "new")  # the form
    say("/deal", "move 1 nowhere")
    say("/deal", "note 1 call back")
    say("/deal", "won 1", user="U0MKT")
    bot.fake.fail_next("chat.postMessage", times=1, status=429, retry_after=1)
    say("/deal", "won 1")
    say("/digest", "send pipeline <#C0DIG|dig>", user="UADMIN")
    say("/funnel", "chart")
    say("/sales", "roles")
    status, _, raw = bot.http.action("deal_next", '{"n": 1, "v": 99}')
    raws.append(raw)
    body = slash_command_body("/deal", "new Forged 1k")
    for tamper in ({"signature": "v0=" + "1" * 64}, {"timestamp": int(time.time()) - 3600}):
        raws.append(bot.http.post(body, FORM, **tamper)[2])
    bot.fake.wait_for("chat.postMessage", 2, timeout=15)
    bot.runtime.followups.shutdown(wait=True)

    logs = (
        "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)
        + caplog.text
    )
    sent = []
    for call in bot.fake.calls:
        headers = {k: v for k, v in call.headers.items() if k != "authorization"}
        sent.append(json.dumps([call.args, call.raw_args, headers], default=str))
        sent.append(call.body.decode(errors="replace"))
        assert call.token in (None, TOKEN)  # the token goes only where it belongs
    places = {"logs": logs, "replies": "\n".join(raws), "web api calls": "\n".join(sent)}
    places["settings repr"] = repr(bot.settings)
    tally("secrets", "log records searched", len(caplog.records))
    tally("secrets", "replies searched", len(raws))
    tally("secrets", "web api calls searched", len(bot.fake.calls))
    assert len(caplog.records) > 50 and len(bot.fake.calls) > 5
    # The Web API client's own debug lines (which describe each request) were captured too.
    assert any(r.name.startswith("slack_sdk") for r in caplog.records)
    for where, text in places.items():
        for secret in (TOKEN, SECRET, TOKEN[5:]):
            assert secret not in text, f"{secret[:6]}… appears in {where}"
    tally("secrets", "found", 0)


def test_settings_never_print_secrets():
    settings = Settings(slack_bot_token="xoxb-1-2", slack_signing_secret="shh", slack_app_token="x")
    assert "xoxb-1-2" not in repr(settings) and "shh" not in str(settings)
