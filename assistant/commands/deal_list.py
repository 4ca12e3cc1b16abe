"""`/deal list [mine|@user|<stage>|stuck|won|lost] [period]`: the words become a filter."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from assistant.blocks.common import Reply, escape, mention
from assistant.blocks.deal_list import list_reply
from assistant.commands.args import take_mentions, take_period
from assistant.commands.framework import Invocation
from assistant.domain.errors import InvalidInput
from assistant.domain.periods import parse_period
from assistant.domain.stage_match import match_stage
from assistant.domain.stages import StageDef
from assistant.services import queries, settings
from assistant.services.queries import DealFilter


def _stage_label(inv: Invocation, key: str) -> str:
    stages = settings.list_pipeline(inv.services, inv.actor)
    return next((s.label for s in stages if s.key == key), key)


def _stage_key(word: str, inv: Invocation) -> str:
    stages = settings.list_pipeline(inv.services, inv.actor)
    defs = [StageDef(s.key, s.label, s.position, s.probability, s.target_days) for s in stages]
    return match_stage(word, defs)


def _filter(inv: Invocation, tz: ZoneInfo) -> tuple[DealFilter, str]:
    """Read the list's words into a filter and a heading that says what the list shows."""
    now = inv.services.now()
    period, rest = take_period(inv.args, tz, now, default=None)
    owners, rest = take_mentions(rest)
    if len(owners) > 1:
        raise InvalidInput("Name one person: `/deal list @ana`.")
    owner = owners[0] if owners else None
    status, stuck, stage = "open", False, None
    for word in (w.casefold() for w in rest):
        if word == "mine":
            owner = inv.actor.user_id
        elif word == "stuck":
            stuck = True
        elif word in ("open", "won", "lost"):
            status = word
        else:
            stage = _stage_key(word, inv)
    if stuck and status != "open":
        raise InvalidInput("Only open deals can be stuck; drop `stuck` or `won`/`lost`.")
    if status != "open" and period is None:
        period = parse_period("30d", tz, now)  # closed deals pile up; default to recent ones
    heading = ("Stuck" if stuck else status.capitalize()) + " deals"
    if owner:
        heading += f" of {mention(owner)}"
    if stage:
        heading += f" in {escape(_stage_label(inv, stage))}"
    if period:
        heading += f" ({'closed' if status != 'open' else 'created'} {escape(period.label)})"
    return DealFilter(status, owner, stage, stuck, period), heading


def list_command(inv: Invocation) -> Reply:
    current = settings.get_settings(inv.services, inv.actor)
    deal_filter, heading = _filter(inv, ZoneInfo(current.timezone))
    page = queries.list_deals(inv.services, inv.actor, deal_filter)
    return list_reply(page.items, page.total, heading, current.currency)
