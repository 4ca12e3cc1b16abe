"""`/digest`: schedule digests for a channel, list and stop them, preview one, post one now."""

from __future__ import annotations

import logging
import re

from assistant.blocks import digests as render
from assistant.blocks.common import Reply, channel, context, section
from assistant.commands.args import reject_leftovers, take_channel, take_options
from assistant.commands.framework import CommandSet, Invocation, Subcommand
from assistant.digests.compose import compose_digest, make_composer, request_for
from assistant.digests.send import send_now
from assistant.domain.errors import DomainError, InvalidInput
from assistant.domain.schedule import DIGEST_KINDS, FREQUENCIES, WEEKDAYS, Schedule
from assistant.domain.suggest import closest
from assistant.logsafe import clip
from assistant.services import roles, settings, subscriptions

log = logging.getLogger(__name__)

SUBSCRIBE_USAGE = (
    "/digest subscribe [#channel] [pipeline|funnel|both] [daily|weekdays|weekly <day>|monthly] "
    "[at HH:MM] [tz:<Area/City>]"
)
SEND_USAGE = "/digest send [pipeline|funnel|both] [#channel]"
_CLOCK = re.compile(r"^\d{1,2}(:\d{2})?$")
_DAYS = tuple(day.casefold() for day in WEEKDAYS)
_WORDS = (*DIGEST_KINDS, *FREQUENCIES, "at", *_DAYS)


def _weekday(word: str) -> int | None:
    """`mon`, `tues`, `monday`, `mondays` -> 0..6."""
    for index, day in enumerate(_DAYS):
        if len(word) >= 3 and (day.startswith(word) or word == day + "s"):
            return index
    return None


def _once(current, value, what: str):
    if current is not None and current != value:
        raise InvalidInput(f"Two {what} given (`{current}` and `{value}`); pick one.")
    return value


def _unknown(word: str) -> InvalidInput:
    if word.startswith("#"):
        return InvalidInput(f"Mention the channel (type `#` and pick it) rather than `{word}`.")
    close = closest(word, _WORDS)
    hint = f" Did you mean `{close[0]}`?" if close else ""
    return InvalidInput(f"I don't know `{word[:40]}` here.{hint}")


def parse_words(tokens: list[str]) -> dict:
    """Kind, frequency, weekday and time from words in any order."""
    found: dict = {"kind": None, "frequency": None, "weekday": None, "at": None}
    words = iter(tokens)
    for token in words:
        word = token.casefold()
        if word in DIGEST_KINDS:
            found["kind"] = _once(found["kind"], word, "digests")
        elif word in FREQUENCIES:
            found["frequency"] = _once(found["frequency"], word, "frequencies")
        elif (day := _weekday(word)) is not None:
            found["weekday"] = _once(found["weekday"], day, "days")
        elif word == "at" or _CLOCK.match(word):
            when = next(words, None) if word == "at" else word
            if when is None:
                raise InvalidInput("`at` needs a time, e.g. `at 09:00`.")
            # `at 9` means 09:00; anything else goes to Schedule, which says what is wrong.
            found["at"] = _once(found["at"], f"{when}:00" if when.isdigit() else when, "times")
        else:
            raise _unknown(token)
    return found


def subscribe(inv: Invocation) -> Reply:
    target, rest = take_channel(inv.args)
    options, rest = take_options(rest, ("tz",))
    found = parse_words(rest)
    weekday = found["weekday"]
    frequency = found["frequency"] or ("weekly" if weekday is not None else "weekdays")
    zone = options.get("tz") or settings.get_settings(inv.services, inv.actor).timezone
    schedule = Schedule(
        frequency=frequency, weekday=weekday, at_time=found["at"] or "09:00", timezone=zone
    )
    kind = found["kind"] or "both"
    view = subscriptions.subscribe(
        inv.services, inv.actor, target or inv.channel_id, kind, schedule
    )
    return render.subscribed_reply(view)


def list_all(inv: Invocation) -> Reply:
    reject_leftovers(inv.args)
    return render.subscriptions_reply(subscriptions.list_subscriptions(inv.services, inv.actor))


def unsubscribe(inv: Invocation) -> Reply:
    if len(inv.args) != 1:
        raise InvalidInput("Name one subscription by its number; `/digest list` shows them.")
    stopped = subscriptions.unsubscribe(inv.services, inv.actor, inv.args[0])
    return render.unsubscribed_reply(stopped)


def _kind(tokens: list[str]) -> str:
    found = parse_words(tokens)
    if any(found[key] is not None for key in ("frequency", "weekday", "at")):
        raise InvalidInput("Schedules belong to `/digest subscribe`; name only the digest here.")
    return found["kind"] or "both"


def preview(inv: Invocation) -> Reply:
    """The digest as it would be posted now, to the caller only; no charts (they take time)."""
    request = request_for(inv.services, inv.actor, inv.channel_id, _kind(inv.args))
    message = compose_digest(inv.services, request, charts=False)
    note = context("_Preview: only you see this. Charts are attached when the digest is posted._")
    return Reply(text=message.text, blocks=render.fit([note, *message.blocks]))


def send(inv: Invocation) -> Reply:
    target, rest = take_channel(inv.args)
    kind = subscriptions.check_kind(_kind(rest))
    target = subscriptions.check_channel(target or inv.channel_id)
    # Refuse before answering "Posting…": send_now checks again, but only after the reply.
    subscriptions.require_digest_role(roles.my_role(inv.services, inv.actor), kind, "post digests")
    if inv.slack is None:
        raise InvalidInput("There is no Slack here to post to; `/digest preview` shows the digest.")
    inv.after_reply(lambda: _post(inv, target, kind))
    text = f"Posting the {kind} digest to {channel(target)}…"
    return Reply(text=text, blocks=[section(text)])


def _post(inv: Invocation, target: str, kind: str) -> None:
    try:
        composer = make_composer(inv.services)
        send_now(inv.services, inv.actor, target, kind, composer, lambda _team: inv.slack)
        return
    except DomainError as err:  # DigestNotPosted among them: it says why and what to do
        text = f":warning: {err.message}"
    except Exception:
        log.exception("digest send to %s failed", clip(target))
        text = f":warning: The digest was not posted to {channel(target)}; something went wrong."
    try:
        inv.slack.chat_postEphemeral(  # type: ignore[union-attr]
            channel=inv.channel_id, user=inv.actor.user_id, text=text
        )
    except Exception:
        log.warning(
            "could not tell %s that the digest failed", clip(inv.actor.user_id), exc_info=True
        )


COMMANDS = CommandSet(
    command="/digest",
    summary="digests of the pipeline and the funnel, posted to a channel on a schedule.",
    subcommands=[
        Subcommand("subscribe", SUBSCRIBE_USAGE,
                   "schedule a digest; defaults: this channel, both, weekdays at 09:00, the "
                   "workspace's time zone (managers and admins; marketers for funnel).",
                   "/digest subscribe #sales pipeline weekly mon at 8:30 tz:Europe/Berlin",
                   subscribe, aliases=("sub",)),
        Subcommand("list", "/digest list", "the digests scheduled in this workspace.",
                   "/digest list", list_all, writes=False),
        Subcommand("unsubscribe", "/digest unsubscribe <id>", "stop a scheduled digest.",
                   "/digest unsubscribe 3", unsubscribe, aliases=("unsub", "stop")),
        Subcommand("preview", "/digest preview [pipeline|funnel|both]",
                   "see a digest as it would be posted now, privately.",
                   "/digest preview pipeline", preview, writes=False),
        Subcommand("send", SEND_USAGE, "post a digest now.", "/digest send pipeline #sales",
                   send),
    ],
)  # fmt: skip
