"""Is a signed payload shaped the way Slack shapes it? Checked once, before Bolt reads it.

A signed body can still be malformed (a bug on either side, a payload type we did not expect):
a JSON list or `null` instead of an object, a `view_submission` without its `user` or `view`,
a `block_actions` with no actions, an event whose `user` is a number. Bolt itself reads
`user`, `team`, `authorizations`, `actions[0]`... while building a request, so such a payload
failed there with a 500 before any listener or middleware could answer. This module says what
is wrong, or nothing; the gate (web.py) then answers 200 with nothing done and logs one line.
The rules are the fields Bolt and our listeners read, in the types Slack documents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.context import BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context

from assistant.domain.limits import MAX_PAYLOAD_DEPTH

# Fields Bolt reads as an id, or as an object carrying one (`"id" in value`).
ID_HOLDERS = ("user", "team", "enterprise", "channel")
# Fields Bolt or the listeners index or call `.get` on when present.
OBJECTS = ("event", "view", "message", "container", "state")
INTERACTIONS = {
    "block_actions",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "block_suggestion",
    "interactive_message",
    "dialog_submission",
    "dialog_cancellation",
}


@dataclass(frozen=True)
class Malformed:
    reason: str  # for the log line
    # A slash command's answer is shown to whoever typed it; other answers are not shown.
    is_command: bool = False


def parse(raw_body: str, content_type: str | None) -> Any:
    """A body as Bolt reads it (request/internals.py, parse_body), but a form is an interaction
    only when it has a `payload` field. Bolt looks for the word anywhere in the body, so a slash
    command whose text, channel or team name said "payload" was read as empty and answered 404.
    Raises ValueError (or RecursionError) for what is not JSON."""
    if not raw_body:
        return {}
    if content_type == "application/json" or raw_body.startswith("{"):
        return json.loads(raw_body)
    fields = dict(parse_qsl(raw_body, keep_blank_values=True))
    return json.loads(fields["payload"]) if "payload" in fields else fields


def read_as_parsed(request: BoltRequest, body: Any) -> BoltRequest:
    """`request` with `body` (as `parse()` read it), and the context Bolt builds from it."""
    if body != request.body:
        request.body = body
        request.context = build_context(BoltContext({}), body)
    return request


def problem(raw_body: str, content_type: str | None) -> Malformed | None:
    """What is wrong with this body, read as Bolt will get it; None when nothing."""
    return checked(raw_body, content_type)[1]


def checked(raw_body: str, content_type: str | None) -> tuple[Any, Malformed | None]:
    """The body as `parse()` reads it, and what is wrong with it (None when nothing): the
    edge reads each body once, for the checks and for Bolt."""
    try:
        body: Any = parse(raw_body, content_type)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        return None, Malformed("not valid JSON or form data")
    if not isinstance(body, dict):
        return body, Malformed(f"a JSON {_kind(body)} instead of an object")
    if _depth(body) > MAX_PAYLOAD_DEPTH:
        return body, Malformed(f"nested deeper than {MAX_PAYLOAD_DEPTH} levels")
    reason = _shape_problem(body)
    return body, Malformed(reason, is_command="command" in body) if reason else None


def _shape_problem(body: dict[str, Any]) -> str | None:
    for key in ID_HOLDERS:
        if not _is_id_holder(body.get(key)):
            return f"`{key}` is neither an id nor an object with one"
    for key in OBJECTS:
        if body.get(key) is not None and not isinstance(body[key], dict):
            return f"`{key}` is not an object"
    if body.get("type") is not None and not isinstance(body["type"], str):
        return "`type` is not a string"
    if not _are_authorizations(body.get("authorizations")):
        return "`authorizations` is not a list of objects"
    if "command" in body:
        return _command_problem(body)
    kind = body.get("type")
    if kind in INTERACTIONS:
        return _interaction_problem(kind, body)
    if kind == "event_callback":
        return _event_problem(body)
    if kind == "url_verification" and not isinstance(body.get("challenge"), str):
        return "url_verification without a challenge"
    return None


def _command_problem(body: dict[str, Any]) -> str | None:
    command = body.get("command")
    if not isinstance(command, str) or not command.startswith("/"):
        return "a slash command without its command"
    for key in ("user_id", "team_id"):
        if not _is_text(body.get(key)) or not body[key]:
            return f"a slash command without `{key}`"
    for key in ("text", "channel_id", "trigger_id", "response_url"):
        if body.get(key) is not None and not _is_text(body[key]):
            return f"a slash command whose `{key}` is not text"
    return None


def _interaction_problem(kind: str, body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if not isinstance(user, dict) or not _is_text(user.get("id")) or not user["id"]:
        return f"{kind} without a user"
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return "block_actions without actions"
        if not all(isinstance(a, dict) and _is_text(a.get("action_id")) for a in actions):
            return "block_actions with an action that has no action_id"
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, dict):
            return f"{kind} without a view"
        if not _is_text(view.get("callback_id")):
            return f"{kind} whose view has no callback_id"
        state = view.get("state")
        if state is not None and not (
            isinstance(state, dict) and isinstance(state.get("values", {}), dict)
        ):
            return f"{kind} whose view state is not an object"
    return None


def _event_problem(body: dict[str, Any]) -> str | None:
    event = body.get("event")
    if not isinstance(event, dict) or not _is_text(event.get("type")):
        return "event_callback without an event type"
    if not _is_id_holder(event.get("user")):  # an object in user_change, else an id
        return "an event whose `user` is neither an id nor an object with one"
    for key in ("text", "channel", "tab", "subtype", "ts", "thread_ts", "bot_id"):
        value = event.get(key)
        if value is not None and not _is_text(value) and not (key == "channel" and _dict(value)):
            return f"an event whose `{key}` is not text"
    return None


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _dict(value: object) -> bool:
    return isinstance(value, dict)


def _is_id_holder(value: object) -> bool:
    if value is None or isinstance(value, str):
        return True
    return isinstance(value, dict) and (value.get("id") is None or _is_text(value["id"]))


def _are_authorizations(value: object) -> bool:
    if value is None:
        return True
    return isinstance(value, list) and all(
        isinstance(item, dict) and all(_is_id_holder(item.get(k)) for k in ("team_id", "user_id"))
        for item in value
    )


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {list: "list", str: "string", bool: "boolean"}.get(type(value), "number")


def _depth(value: object) -> int:
    """How deep lists and objects nest, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, level + 1) for child in children)
    return deepest
