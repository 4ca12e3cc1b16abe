"""A bot in multi-workspace mode, behind real HTTP, and the OAuth install a browser would do."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from sqlalchemy import select

from assistant.config import Settings
from assistant.services.context import Services
from assistant.storage.slack_stores import BOTS, INSTALLATIONS, OAUTH_STATES
from testkit.fake_slack import FakeSlack
from tests.e2e.conftest import SECRET, Bot, CommandResult

CLIENT_ID = "111.222"
CLIENT_SECRET = "oauth-client-secret"


class OAuthBot(Bot):
    """Like the e2e `Bot`, but with SLACK_CLIENT_ID/SECRET and no bot token."""

    def __init__(self, services: Services, fake: FakeSlack) -> None:
        self.services = services
        self.fake = fake
        self.tokens: dict[str, str] = {}  # bot token -> team id, for the fake's auth.test
        fake.set_response("auth.test", self._auth_test)
        self.settings = Settings(
            database_url=services.db.url,
            slack_signing_secret=SECRET,
            slack_api_url=fake.url,
            slack_client_id=CLIENT_ID,
            slack_client_secret=CLIENT_SECRET,
            admins=services.admins,
        )
        self.serve()

    def _auth_test(self, call) -> dict:
        team_id = self.tokens.get(call.token or "")
        if team_id is None:
            return {"ok": False, "error": "invalid_auth"}
        bot_user = "UBOT" + team_id.replace("_", "")
        return {"ok": True, "team_id": team_id, "team": team_id, "user_id": bot_user,
                "bot_id": f"B_{team_id}", "user": "bot", "is_enterprise_install": False,
                "url": "https://x.slack.com/"}  # fmt: skip

    def install(self, team_id: str, token: str) -> tuple[int, str]:
        """The browser's part: open the install page, follow its link to Slack (faked here by
        taking the state from the link), come back to the redirect URL with a code."""
        status, headers, page = self.http.get("/slack/install")
        assert status == 200, page
        state = re.search(r"state=([^&\"]+)", page).group(1)
        cookie = headers["set-cookie"].split(";")[0]
        self.tokens[token] = team_id
        self.fake.oauth_response = {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": "UBOT" + team_id.replace("_", ""),
            "app_id": "A_TEST",
            "team": {"id": team_id, "name": f"Team {team_id}"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "UINSTALLER"},
        }
        query = urlencode({"code": f"code-{team_id}", "state": state})
        status, _, body = self.http.request(
            "GET", f"/slack/oauth_redirect?{query}", headers={"Cookie": cookie}
        )
        return status, body

    def command(self, command: str, text: str = "", team: str = "T_A", user: str = "UREP", **kw):
        status, _headers, raw = self.http.command(command, text, user_id=user, team_id=team, **kw)
        body = json.loads(raw) if raw.strip().startswith("{") else {}
        return CommandResult(status, body, raw)

    def store_rows(self, team_id: str | None = None) -> dict[str, int]:
        counts = {}
        with self.services.db.reading() as session:
            for table in (INSTALLATIONS, BOTS):
                query = select(table.c.id)
                if team_id is not None:
                    query = query.where(table.c.team_id == team_id)
                counts[table.name] = len(session.execute(query).all())
            counts[OAUTH_STATES.name] = len(session.execute(select(OAUTH_STATES.c.id)).all())
        return counts


def clear_store_tables(services: Services) -> None:
    """PostgreSQL test databases are shared by a run; the conftest truncates only our models."""
    with services.db.transaction() as session:
        for table in (INSTALLATIONS, BOTS, OAUTH_STATES):
            session.execute(table.delete())
