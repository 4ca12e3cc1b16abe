"""The deal card's buttons: next stage, won, lost — the same service calls as the commands.

A button carries the deal's number and the version of the card it was on: a card that is out
of date (someone moved the deal since) is refused and left as it was, so nobody acts on a
state they never saw. The answer is the card again, in its new state, to replace the old one.
"""

from __future__ import annotations

import json

from assistant.blocks.common import Reply, mention
from assistant.blocks.deals import LOST_ACTION, NEXT_ACTION, WON_ACTION, card_reply, moved_text
from assistant.domain.errors import InvalidInput
from assistant.services import deals, queries
from assistant.services.context import Actor, Services
from assistant.services.views import MoveResult

ACTIONS = (NEXT_ACTION, WON_ACTION, LOST_ACTION)
STALE_BUTTON = "This button belongs to an old card; show the deal again with `/deal show`."


def parse_value(value: str | None) -> tuple[int, int]:
    """`{"n": 12, "v": 3}` -> (12, 3); anything else is a card we did not make."""
    try:
        data = json.loads(value or "")
        number, version = data["n"], data["v"]
    except (ValueError, TypeError, KeyError):
        raise InvalidInput(STALE_BUTTON) from None
    if not (isinstance(number, int) and isinstance(version, int)):
        raise InvalidInput(STALE_BUTTON)
    return number, version


def apply(services: Services, actor: Actor, action_id: str, ref: str, version: int) -> MoveResult:
    if action_id == NEXT_ACTION:
        return deals.move_deal(services, actor, ref, "next", version=version)
    if action_id == WON_ACTION:
        return deals.win_deal(services, actor, ref, version=version)
    return deals.lose_deal(services, actor, ref, version=version)


def press(services: Services, actor: Actor, action_id: str, value: str | None):
    """The change a press makes and the card that replaces the pressed one; raises what the
    change raises (a stale card, a role that may not, ...)."""
    number, version = parse_value(value)
    result = apply(services, actor, action_id, f"#{number}", version)
    card = queries.deal_card(services, actor, f"#{number}")
    facts = card.facts
    banner = f"{moved_text(result, facts.labels, facts.currency)} (by {mention(actor.user_id)})"
    reply: Reply = card_reply(card, facts.currency, facts.zone, banner=banner)
    reply.replace_original = True
    return result, reply
