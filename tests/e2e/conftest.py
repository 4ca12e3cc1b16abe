"""The real bot behind real HTTP: signed requests in, a fake Slack Web API recording out.

`bot` runs on both databases (through the `services` fixture) and gives tests one object
to drive it: `bot.command("/deal", "new Acme 12k")` returns the decoded reply, and
`bot.fake` holds every Web API call the bot made.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from slack_sdk import WebClient

from assistant.app import create_app, make_web_client
from assistant.config import Settings
from assistant.digests.compose import make_composer
from assistant.digests.scheduler import DigestScheduler
from assistant.listeners.runtime import FollowUps, Runtime
from assistant.services.context import Services
from assistant.slack.pacing import ChannelPacer
from assistant.web import create_wsgi_app, start_in_thread
from testkit.fake_slack import FakeSlack
from testkit.slack_requests import SlackHttpClient

SECRET = "e2e-signing-secret"
TOKEN = "xoxb-e2e-token"


@dataclass
class CommandResult:
    status: int
    body: dict[str, Any]
    raw: str

    @property
    def text(self) -> str:
        """The fallback text plus every text inside the blocks, for assertions."""
        parts = [self.body.get("text", "")]
        parts.extend(_block_texts(self.body.get("blocks", [])))
        return "\n".join(parts)

    @property
    def ephemeral(self) -> bool:
        return self.body.get("response_type", "ephemeral") == "ephemeral"


def _block_texts(blocks: list[dict]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return found


class Bot:
    # Each change republishes the Home at once (no coalescing), so tests can count them;
    # the coalescing itself is tested in test_home_tab.py with a window of its own.
    home_refresh_seconds = 0.0

    def __init__(
        self, services: Services, fake: FakeSlack, home_refresh_seconds: float = 0.0
    ) -> None:
        self.home_refresh_seconds = home_refresh_seconds
        self.services = services
        self.fake = fake
        self.settings = Settings(
            database_url=services.db.url,
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=fake.url,
            admins=services.admins,
        )
        self.serve()

    def serve(self) -> None:
        """The real app for `self.settings`, behind a real HTTP server on loopback."""
        self.runtime = Runtime(
            services=self.services,
            followups=FollowUps(workers=2),
            home_refresh_seconds=self.home_refresh_seconds,
        )
        self.app = create_app(self.settings, self.runtime, make_web_client(self.settings))
        wsgi = create_wsgi_app(self.app, self.services.db.is_healthy, signing_secret=SECRET)
        self.server, _thread, self.base_url = start_in_thread(wsgi)
        self.http = SlackHttpClient(self.base_url, SECRET, response_url=self.fake.response_url())

    def command(self, command: str, text: str = "", user: str = "UREP", **kw) -> CommandResult:
        status, _headers, raw = self.http.command(command, text, user_id=user, **kw)
        body = json.loads(raw) if raw.strip().startswith("{") else {}
        return CommandResult(status, body, raw)

    def scheduler(self, process_id: str = "e2e", nudges: bool = False) -> DigestScheduler:
        """The real digest scheduler on this bot's database and clock, posting to the fake
        Slack without pacing (tests tick it themselves)."""
        client = WebClient(token=TOKEN, base_url=self.fake.url)
        return DigestScheduler(
            self.services, make_composer(self.services), lambda _team: client,
            process_id=process_id, pacer=ChannelPacer(interval=0), nudges=nudges,
        )  # fmt: skip

    def close(self) -> None:
        self.runtime.followups.shutdown(wait=True)
        self.server.shutdown()
        self.server.server_close()
        self.http.close()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack.start() as server:
        yield server


@pytest.fixture
def bot(services, fake) -> Iterator[Bot]:
    instance = Bot(services, fake)
    yield instance
    instance.close()
