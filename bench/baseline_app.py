"""The commands benchmark's baselines: a bare Bolt app whose only listener acknowledges.

Served exactly like the bot (gunicorn, same workers, same threads):
- `bench.baseline_app:default_app` (a): Bolt's defaults; the listener runs on Bolt's thread
  pool and the request thread polls for `ack()` every 10 ms;
- `bench.baseline_app:before_response_app` (b): the same with `process_before_response=True`,
  which answers as soon as the listener returns (as the bot does).
Like `assistant.wsgi`, settings come from the environment (SLACK_BOT_TOKEN,
SLACK_SIGNING_SECRET, SLACK_API_URL); the client points at SLACK_API_URL so that the
`auth.test` Bolt makes when constructed reaches the fake Slack, which is all that differs
from `App(token=..., signing_secret=...)`.
"""

from __future__ import annotations

import os
import re

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient


def build(process_before_response: bool) -> SlackRequestHandler:
    token = os.environ["SLACK_BOT_TOKEN"]
    app = App(
        token=token,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=WebClient(token=token, base_url=os.environ["SLACK_API_URL"]),
        process_before_response=process_before_response,
    )

    @app.command(re.compile(".*"))
    def acknowledge(ack) -> None:
        ack()

    return SlackRequestHandler(app)


def __getattr__(name: str):
    # Built on first access, so gunicorn builds only the app it serves (one auth.test).
    if name == "default_app":
        return build(process_before_response=False)
    if name == "before_response_app":
        return build(process_before_response=True)
    raise AttributeError(name)
