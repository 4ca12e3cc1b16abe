"""The edge between Slack and everything else.

One module per kind of listener, each with `register(app, runtime)`: slash commands, buttons
(actions), form submissions (views), events, and the middleware that runs before them all.
The edge alone builds the `Actor` from a request (`actor.py`) and turns failures into replies
(`replies.py`); commands, services and blocks below it never see Bolt.
"""

from __future__ import annotations

from slack_bolt import App

from assistant.listeners import actions, asking, commands, events, middleware, nudges, views
from assistant.listeners.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    middleware.register(app, runtime)
    commands.register(app, runtime)
    actions.register(app, runtime)
    views.register(app, runtime)
    events.register(app, runtime)
    asking.register(app, runtime)
    nudges.register(app, runtime)
