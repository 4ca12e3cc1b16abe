"""manifest.yml creates the app the code expects: every command, escaped, with its scopes."""

from __future__ import annotations

from pathlib import Path

import yaml

from assistant.commands import all_command_sets

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def _manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


def test_every_registered_command_is_in_the_manifest_escaped():
    commands = {c["command"]: c for c in _manifest()["features"]["slash_commands"]}
    assert set(commands) == {c.command for c in all_command_sets()}
    assert all(c["should_escape"] is True for c in commands.values())


def test_interactivity_home_events_and_scopes():
    manifest = _manifest()
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "files:write", "users:read"} <= scopes


def test_questions_can_reach_the_bot():
    """@mentions in channels and DMs to the bot (issue #17): their events, scopes and the
    Messages tab a DM is typed in."""
    manifest = _manifest()
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im"} <= events
    assert {"app_mentions:read", "im:history"} <= set(manifest["oauth_config"]["scopes"]["bot"])
    home = manifest["features"]["app_home"]
    assert home["messages_tab_enabled"] is True and home["messages_tab_read_only_enabled"] is False
