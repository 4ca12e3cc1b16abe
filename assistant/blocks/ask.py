"""Answers to questions asked in words: the command's own reply, headed by a line in words and
followed by "Same as `…`" (so people learn the command); a question back with one button per
choice; and a change's preview with Confirm and Cancel.

Buttons carry what they run (`assistant.ask.codec`), so a click runs exactly what was shown,
as the person who clicks and with their role, like typing the command would.
"""

from __future__ import annotations

import json

from assistant.ask import Choice, Clarify, NotUnderstood, Understood
from assistant.ask.codec import dumps
from assistant.blocks.common import (
    MAX_BLOCKS,
    Reply,
    actions,
    button,
    context,
    literal,
    mention,
    section,
)

RUN = "ask_run"  # a choice or a suggestion: run what it carries
CONFIRM = "ask_confirm"
CANCEL = "ask_cancel"
MAX_VALUE = 2000  # Slack's limit on a button's value


def _code(text: str) -> str:
    # Inside backticks nothing formats, but a backtick would end the code early.
    return "`" + text.replace("`", "'") + "`"


def same_as(understood: Understood) -> str:
    return f"Same as {_code(understood.display)}"


def answered(understood: Understood, reply: Reply) -> Reply:
    """The command's reply between a heading in words and the command it is the same as."""
    heading = f"*{literal(understood.heading)}*"
    body = reply.blocks[: MAX_BLOCKS - 2] or [section(reply.text)]
    text = f"{understood.heading}\n{reply.text}\n{same_as(understood)}"
    return Reply(text=text, blocks=[section(heading), *body, context(same_as(understood))])


def clarify(question: Clarify) -> Reply:
    prompt = literal(question.prompt)
    return Reply(text=question.prompt, blocks=[section(prompt), _choices(question.choices)])


def not_understood(answer: NotUnderstood) -> Reply:
    blocks = [section(literal(answer.reply))]
    if answer.suggestions:
        blocks += [context("Questions I can answer:"), _choices(answer.suggestions)]
    return Reply(text=answer.reply, blocks=blocks)


def _choices(choices: tuple[Choice, ...]):
    return actions(
        "ask_choices",
        *(
            button(choice.label, f"{RUN}_{index}", dumps(choice.understood))
            for index, choice in enumerate(choices)
        ),
    )


def confirm_value(understood: Understood, token: str) -> str:
    return json.dumps({"token": token, "run": dumps(understood)}, separators=(",", ":"))


def preview(understood: Understood, token: str) -> Reply:
    """What a change asked for in words would do, and the buttons that do it (or not)."""
    value = confirm_value(understood, token)
    line = f"*{literal(understood.heading)}?* Nothing changes until you confirm."
    if len(value) > MAX_VALUE:  # a very long note: the button could not carry it
        text = "That is too long to confirm with a button. Type the command instead: " + _code(
            understood.display[:200] + "…"
        )
        return Reply(text=text, blocks=[section(text)])
    buttons = actions(
        "ask_confirm",
        button("Confirm", CONFIRM, value, style="primary"),
        button("Cancel", CANCEL, token),
    )
    return Reply(
        text=f"{understood.heading}? {same_as(understood)}",
        blocks=[section(line), buttons, context(same_as(understood))],
    )


def cancelled(user_id: str) -> Reply:
    text = f"Cancelled by {mention(user_id)}; nothing changed."
    return Reply(text=text, blocks=[section(text)], replace_original=True)


def already_done() -> Reply:
    text = "Someone answered that already (confirmed or cancelled); nothing more was done."
    return Reply(text=text, blocks=[section(text)])


def too_long(limit: int) -> Reply:
    text = (
        f"That message is longer than the {limit:,} characters I read. Ask one question in a "
        "sentence or two, e.g. _what's stuck in proposal?_"
    )
    return Reply(text=text, blocks=[section(text)])
