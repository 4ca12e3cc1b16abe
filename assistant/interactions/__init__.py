"""Buttons, modals, App Home and events: everything that is not a slash command."""

from __future__ import annotations

from slack_bolt import App

from assistant.slack.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    """Filled in as interaction modules arrive; each exposes its own `register`."""
