"""Settings from the environment and a `.env` file, read once by `load_settings()`.

Nothing reads the environment at import time, so tests build `Settings` directly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

DEFAULT_DATABASE_URL = "sqlite:///sales_assistant.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"


class MissingSetting(Exception):
    """A setting needed for what was asked is not set; the message says which and where."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    slack_bot_token: str | None = field(default=None, repr=False)  # never logged
    slack_signing_secret: str | None = field(default=None, repr=False)  # never logged
    slack_app_token: str | None = field(default=None, repr=False)  # never logged
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slack_client_id: str | None = None
    slack_client_secret: str | None = field(default=None, repr=False)  # never logged
    # OAuth scopes asked for when a workspace installs the app; empty: manifest.yml's.
    slack_scopes: tuple[str, ...] = ()
    port: int = 3000
    admins: frozenset[str] = field(default_factory=frozenset)
    timezone: str = "UTC"
    data_retention_days: int = 30

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def multi_workspace(self) -> bool:
        """Installed over OAuth in many workspaces, instead of one bot token."""
        return bool(self.slack_client_id and self.slack_client_secret)

    def require_slack(self) -> None:
        """Fail with a message naming the first missing credential for serving Slack."""
        if not self.slack_bot_token and not self.multi_workspace:
            raise MissingSetting(
                "SLACK_BOT_TOKEN is not set. Create the Slack app from manifest.yml and put "
                "its bot token in the environment or in .env (see README, 'Create the Slack "
                "app'). To try the bot without Slack, run: python bot.py demo"
            )
        if self.socket_mode:
            return
        if not self.slack_signing_secret:
            raise MissingSetting(
                "SLACK_SIGNING_SECRET is not set. Copy it from your Slack app's 'Basic "
                "Information' page into the environment or .env (see README), or set "
                "SLACK_APP_TOKEN to run in Socket Mode."
            )


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Settings:
    """Environment variables win over `.env`, as in every twelve-factor app."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    port_text = get("PORT") or "3000"
    if not port_text.isdigit():
        raise MissingSetting(f"PORT must be a number, not {port_text!r}")
    return Settings(
        database_url=get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        slack_bot_token=get("SLACK_BOT_TOKEN"),
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=get("SLACK_APP_TOKEN"),
        slack_api_url=get("SLACK_API_URL") or DEFAULT_SLACK_API_URL,
        slack_client_id=get("SLACK_CLIENT_ID"),
        slack_client_secret=get("SLACK_CLIENT_SECRET"),
        slack_scopes=tuple(s.strip() for s in (get("SLACK_SCOPES") or "").split(",") if s.strip()),
        port=int(port_text),
        admins=frozenset(a.strip() for a in (get("SALES_ADMINS") or "").split(",") if a.strip()),
        timezone=get("SALES_TIMEZONE") or "UTC",
        data_retention_days=int(get("SALES_RETENTION_DAYS") or 30),
    )
