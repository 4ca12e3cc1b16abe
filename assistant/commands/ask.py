"""A question in plain words -> the reply of the command it means.

The parser (`assistant.ask`) turns the words into a slash command; `run` (given by whoever
asks: the Slack edge or the demo console) runs that command exactly as if it had been typed,
with the asker's role, so every answer is the command's own reply from the same figures.
Changes are never run from words alone: they come back as a preview with Confirm and Cancel.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from assistant.ask import Clarify, NotUnderstood, Understood, understand
from assistant.blocks import ask as render
from assistant.blocks.common import Reply
from assistant.services import asking, reports
from assistant.services.context import Actor, Services

MAX_QUESTION = 1000  # characters; a question is a sentence or two, not a pasted document
# (command, text) -> the command's reply, run as the asker.
Runner = Callable[[str, str], Reply]


@dataclass(frozen=True)
class Asked:
    reply: Reply
    understood: Understood | None = None  # what a follow-up builds on; None keeps the last one
    proposed: Understood | None = None  # a change waiting for its Confirm click


def ask(
    services: Services,
    actor: Actor,
    question: str,
    run: Runner,
    *,
    previous: Understood | None = None,
    bot_user_id: str = "",
) -> Asked:
    if len(question) > MAX_QUESTION:
        return Asked(render.too_long(MAX_QUESTION))
    vocabulary = asking.vocabulary_for(services, actor, bot_user_id)
    zone = reports.workspace_timezone(services, actor)
    found = understand(question, vocabulary, services.now(), zone, previous)
    if isinstance(found, Clarify):
        return Asked(render.clarify(found))
    if isinstance(found, NotUnderstood):
        return Asked(render.not_understood(found))
    if found.changes_data:
        return Asked(render.preview(found, secrets.token_hex(12)), proposed=found)
    return Asked(render.answered(found, run(found.command, found.text)), found)


def run_choice(understood: Understood, run: Runner) -> Asked:
    """A button from a question back (or a suggestion) pressed: a change still asks first."""
    if understood.changes_data:
        return Asked(render.preview(understood, secrets.token_hex(12)), proposed=understood)
    return Asked(render.answered(understood, run(understood.command, understood.text)), understood)


def confirm(
    services: Services, actor: Actor, understood: Understood, token: str, run: Runner
) -> Reply:
    """Confirm pressed: run the change once, as the person who pressed it (with their role,
    as if they had typed the command), in place of the preview."""
    if not asking.claim_confirmation(services, actor, token):
        return render.already_done()
    reply = render.answered(understood, run(understood.command, understood.text))
    reply.replace_original = True
    return reply


def cancel(services: Services, actor: Actor, token: str) -> Reply:
    """Cancel pressed: the token is spent, so a late Confirm changes nothing either."""
    if not asking.claim_confirmation(services, actor, token):
        return render.already_done()
    return render.cancelled(actor.user_id)
