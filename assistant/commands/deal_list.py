"""`/deal list [mine|@user|<stage>|stuck|won|lost] [period]`: the words become a filter."""

from __future__ import annotations

from assistant.blocks.common import Reply, escape, literal, mention
from assistant.blocks.deal_list import LIST_ROWS, list_reply
from assistant.commands.args import take_mentions, take_period
from assistant.commands.framework import Invocation
from assistant.domain.errors import InvalidInput
from assistant.domain.facts import Facts
from assistant.domain.periods import parse_period
from assistant.domain.stage_match import match_stage
from assistant.services import chances, queries
from assistant.services.queries import DealFilter


def _filter(inv: Invocation, facts: Facts) -> tuple[DealFilter, str]:
    """Read the list's words into a filter and a heading that says what the list shows."""
    now, tz = inv.services.now(), facts.zone
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
            stage = match_stage(word, facts.pipeline.active)
    if stuck and status != "open":
        raise InvalidInput("Only open deals can be stuck; drop `stuck` or `won`/`lost`.")
    if status != "open" and period is None:
        period = parse_period("30d", tz, now)  # closed deals pile up; default to recent ones
    heading = ("Stuck" if stuck else status.capitalize()) + " deals"
    if owner:
        heading += f" of {mention(owner)}"
    if stage:
        heading += f" in {literal(facts.pipeline.label(stage))}"
    if period:
        heading += f" ({'closed' if status != 'open' else 'created'} {escape(period.label)})"
    return DealFilter(status, owner, stage, stuck, period), heading


def list_command(inv: Invocation) -> Reply:
    read: list[tuple[DealFilter, str]] = []

    def read_filter(facts: Facts) -> DealFilter:  # in the list's own read, with its facts
        read.append(_filter(inv, facts))
        return read[0][0]

    page = queries.list_deals(inv.services, inv.actor, read_filter, shown=LIST_ROWS)
    (deal_filter, heading), facts = read[0], page.facts
    # Only the rows the table shows name their owners (the rest are counted, not shown).
    names = inv.names(d.owner_id for d in page.items[:LIST_ROWS])
    if deal_filter.status == "open" and page.items and page.chances is None:
        # A long history not read yet: read after the answer, for the next list.
        inv.after_reply(lambda: chances.read_history(inv.services, inv.actor))
    return list_reply(
        page.items, page.total, heading, facts.currency, names, page.chances, page.summary
    )
