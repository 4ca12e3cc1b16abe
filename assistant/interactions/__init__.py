"""Buttons, modals, App Home and events: everything that is not a slash command."""

from __future__ import annotations

from slack_bolt import App

from assistant.slack.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    """Each interaction module exposes its own `register`; imported here, not at the top, so
    that `commands` can import `interactions.*` helpers without an import cycle."""
    from assistant.interactions import deal_buttons, deal_modal, home, lifecycle

    deal_buttons.register(app, runtime)
    deal_modal.register(app, runtime)
    home.register(app, runtime)
    lifecycle.register(app, runtime)
