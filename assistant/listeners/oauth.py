"""Multi-workspace mode: Bolt's OAuth flow with slack_sdk's stores in our own database.

On when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set. Installations, bots and OAuth
state live in the tables of migration 0004; every Web API call (the code exchange, token
rotation, auth.test) goes to SLACK_API_URL through our own client.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from pathlib import Path

import yaml
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator

from assistant.config import Settings
from assistant.services.context import Services
from assistant.services.workspaces import mark_installed

log = logging.getLogger(__name__)

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
STATE_EXPIRATION_SECONDS = 600
# Rotate a bot token this many minutes before it expires (Bolt's default).
ROTATE_MINUTES_BEFORE = 120


def manifest_scopes(path: Path = MANIFEST) -> list[str]:
    """The bot scopes `manifest.yml` asks for: one list for the app and its install link."""
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(manifest["oauth_config"]["scopes"]["bot"])


class WorkspaceInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, plus: an installation makes the workspace active again (a
    reinstall within the retention period gets its data and digests back)."""

    def __init__(self, client_id: str, services: Services) -> None:
        super().__init__(client_id=client_id, engine=services.db.write_engine)
        self.services = services

    def save(self, installation: Installation) -> None:
        super().save(installation)
        if installation.team_id:
            mark_installed(self.services, installation.team_id, installation.team_name)


class SalesOAuthFlow(OAuthFlow):
    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return install_page(url)


def install_page(url: str) -> str:
    link = html.escape(url)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Install Sales Assistant</title>
<link rel="icon" href="data:,"></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto; line-height: 1.5">
<h1>Sales Assistant for Slack</h1>
<p>Once installed in your workspace, Sales Assistant will:</p>
<ul>
<li>add the slash commands <code>/deal</code>, <code>/lead</code>, <code>/pipeline</code>,
<code>/funnel</code>, <code>/digest</code> and <code>/sales</code>, for keeping deals and
leads current and asking how the pipeline and funnel are doing;</li>
<li>post the digests you schedule, with charts, in the channels you choose;</li>
<li>read who is a workspace admin or owner (they are admins here too), and channel names;</li>
<li>show your open deals in its App Home tab.</li>
</ul>
<p>It keeps your deals, leads and their history in its own database, separate from every
other workspace. It does not read your messages. If you uninstall it, its digests stop at
once and your data is deleted after the retention period.</p>
<p><a href="{link}"><img alt="Add to Slack" height="40" width="139"
src="https://platform.slack-edge.com/img/add_to_slack.png"></a></p>
<p><a href="{link}">Add Sales Assistant to Slack</a></p>
</body></html>
"""


def build_oauth_flow(settings: Settings, services: Services, client: WebClient) -> OAuthFlow:
    assert settings.slack_client_id and settings.slack_client_secret
    store = WorkspaceInstallationStore(settings.slack_client_id, services)
    oauth_settings = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(settings.slack_scopes) or manifest_scopes(),
        user_scopes=[],
        installation_store=store,
        # The bot acts with its own token only; no user tokens are asked for.
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE,
        state_store=SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_EXPIRATION_SECONDS, engine=services.db.write_engine
        ),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
    )
    # Bolt's default authorize calls auth.test on every request and rotates tokens through a
    # client of its own (slack.com, whatever SLACK_API_URL says). Ours caches the auth.test
    # answer per token and rotates through our client.
    oauth_settings.authorize = CachedAuthorize(
        logger=log,
        installation_store=store,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE,
        bot_only=True,
        cache_enabled=True,
        client=client,
    )
    return SalesOAuthFlow(client=client, settings=oauth_settings)


class CachedAuthorize(InstallationStoreAuthorize):
    """Bolt's store-backed authorize with its auth.test cache on (`cache_enabled`), bounded.

    Uncached, every request costs an auth.test round trip to Slack (measured: +1 call and
    about +60 ms per request at 50 ms latency). Bolt keys the cache by token and never
    evicts, and rotated tokens are new keys, so it is emptied when it grows past a bound.
    A removed installation is never served from it: the store is read first.
    """

    MAX_ENTRIES = 10_000

    def __call__(self, **kwargs):  # type: ignore[override]
        if len(self.authorize_result_cache) > self.MAX_ENTRIES:
            self.authorize_result_cache.clear()
        return super().__call__(**kwargs)


def bot_client_for(
    settings: Settings,
    store: SQLAlchemyInstallationStore,
    make_client: Callable[[str | None], WebClient],
) -> Callable[[str], WebClient]:
    """The scheduler's client for a workspace: its bot token from the installation store,
    rotated first when it is about to expire."""
    rotator = TokenRotator(
        client_id=settings.slack_client_id or "",
        client_secret=settings.slack_client_secret or "",
        client=make_client(None),
    )

    def client_for(team_id: str) -> WebClient:
        bot: Bot | None = store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is not None and bot.bot_refresh_token:
            rotated = rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=ROTATE_MINUTES_BEFORE
            )
            if rotated is not None:
                store.save_bot(rotated)
                bot = rotated
        if bot is None:
            log.warning("no bot token stored for %s; is the app installed there?", team_id)
        return make_client(bot.bot_token if bot else None)

    return client_for
