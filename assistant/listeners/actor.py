"""Who is asking: the Slack user and workspace behind any request, as an `Actor`.

Slash commands, buttons, forms and events carry the user and the team in different places;
this is the one function that reads them all, and it asks Slack (cached) whether the user is
one of the workspace's own admins, who are admins here too (PRODUCT.md §6).
"""

from __future__ import annotations

from slack_sdk import WebClient

from assistant.listeners.runtime import Runtime
from assistant.services.context import Actor


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def team_of(body: dict) -> str:
    team = body.get("team")
    user = body.get("user")
    return (
        _text(body.get("team_id"))
        or (_text(team.get("id")) if isinstance(team, dict) else "")
        or (_text(user.get("team_id")) if isinstance(user, dict) else "")
    )


def user_of(body: dict) -> str:
    user = body.get("user")
    event = body.get("event")
    return (
        _text(body.get("user_id"))
        or (_text(user.get("id")) if isinstance(user, dict) else "")
        or (_text(event.get("user")) if isinstance(event, dict) else "")
    )


def actor_of(body: dict, runtime: Runtime, client: WebClient | None) -> Actor:
    team_id, user_id = team_of(body), user_of(body)
    admin = runtime.slack_admins.is_admin(client, team_id, user_id)
    return Actor(team_id=team_id, user_id=user_id, is_slack_admin=admin)
