"""Leads as replies: one facts block shared by every answer, the card, and the list.

Every reply about a lead repeats the same facts (number, stage, furthest stage, source,
campaign, owner, linked deals), so whoever reads any of them knows where the lead stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from assistant.blocks.common import (
    MAX_FALLBACK_TEXT,
    Reply,
    context,
    header,
    literal,
    local_date,
    mention,
    more_line,
    section,
)
from assistant.blocks.tables import NAME_WIDTH, SHORT_WIDTH, cell, table_sections
from assistant.domain.amounts import format_amount
from assistant.domain.stages import DEFAULT_FUNNEL
from assistant.services.queries import LeadFilter
from assistant.services.views import ConversionResult, LeadMoveResult, LeadView, Page

# The funnel is not configurable, so its labels are the defaults.
FUNNEL_LABELS = {s.key: s.label for s in DEFAULT_FUNNEL}
# Enough rows to be useful, few enough that a table plus its fallback stays small.
LIST_SHOWN = 30
_TABLE_HEAD = ("Lead", "Name", "Company", "Stage", "Status", "Source", "Campaign", "Created")


def stage_name(key: str) -> str:
    return FUNNEL_LABELS.get(key, key)


def _or_none(value: str | None) -> str:
    return literal(value) if value else "—"


def lead_facts(lead: LeadView) -> str:
    title = f"*L{lead.number} · {literal(lead.name)}*"
    if lead.company:
        title += f" ({literal(lead.company)})"
    if lead.email:
        title += f" — {literal(lead.email)}"
    status = lead.status
    if lead.drop_reason:
        status += f" (reason: {literal(lead.drop_reason)})"
    deals = ", ".join(f"#{n}" for n in lead.deal_numbers) or "none"
    return "\n".join(
        [
            title,
            f"Stage: *{literal(lead.stage_label)}* · furthest: "
            f"{literal(stage_name(lead.furthest_stage_key))} · status: {status}",
            f"Source: {_or_none(lead.source)} · campaign: {_or_none(lead.campaign)} · "
            f"owner: {mention(lead.owner_id)} · deals: {deals}",
        ]
    )


def _facts_reply(headline: str, lead: LeadView) -> Reply:
    text = f"{headline}\n{lead_facts(lead)}"
    return Reply(text=text, blocks=[section(headline), section(lead_facts(lead))])


def created_reply(lead: LeadView) -> Reply:
    return _facts_reply(f":seedling: Lead *L{lead.number}* created.", lead)


def moved_reply(result: LeadMoveResult) -> Reply:
    lead = result.lead
    headline = (
        f":arrow_right: Lead *L{lead.number}* moved from *{literal(stage_name(result.from_stage))}*"
        f" to *{literal(stage_name(result.to_stage))}*."
    )
    return _facts_reply(headline, lead)


def converted_reply(result: ConversionResult, currency: str) -> Reply:
    lead, deal = result.lead, result.deal
    amount = format_amount(deal.amount, currency) if deal.amount is not None else "no amount yet"
    headline = (
        f":handshake: Lead *L{lead.number}* converted into deal *#{deal.number}* "
        f"{literal(deal.name)} ({amount}, stage *{literal(deal.stage_label)}*, "
        f"owner {mention(deal.owner_id)}).\nThe deal keeps the lead's source "
        f"({_or_none(deal.source)}) and campaign ({_or_none(deal.campaign)})."
    )
    return _facts_reply(headline, lead)


def dropped_reply(lead: LeadView) -> Reply:
    return _facts_reply(f":wastebasket: Lead *L{lead.number}* dropped.", lead)


def card_reply(lead: LeadView, tz: ZoneInfo) -> Reply:
    created = f"Created {local_date(lead.created_at, tz)}."
    hint = _next_steps(lead)
    text = f"Lead L{lead.number}\n{lead_facts(lead)}\n{created}"
    blocks = [
        header(f"L{lead.number} · {lead.name}"),
        section(lead_facts(lead)),
        context(created, hint),
    ]
    return Reply(text=text, blocks=blocks)


def _next_steps(lead: LeadView) -> str:
    # Only what can be done from here: a converted lead lives on as its deals.
    if lead.status == "open":
        ref = f"L{lead.number}"
        return f"`/lead move {ref} next` · `/lead convert {ref} [amount]` · `/lead drop {ref}`"
    if lead.deal_numbers:
        return f"`/deal show #{lead.deal_numbers[-1]}`"
    return f"Lead {lead.status}."


def list_title(found: LeadFilter, me: str) -> str:
    words = [f"{found.status.capitalize()} leads" if found.status else "Leads"]
    if found.owner_id:
        words.append("of yours" if found.owner_id == me else f"of {mention(found.owner_id)}")
    if found.stage_key:
        words.append(f"in {stage_name(found.stage_key)}")
    for key, value in (("source", found.source), ("campaign", found.campaign)):
        if value:
            words.append(f"with {key} {literal(value)}")
    words.append(f"(created: {found.period.label})" if found.period else "(all time)")
    return " ".join(words)


def _row(lead: LeadView, tz: ZoneInfo) -> tuple[str, ...]:
    return (
        f"L{lead.number}",
        cell(lead.name, NAME_WIDTH),
        cell(lead.company, SHORT_WIDTH),
        cell(lead.stage_key, SHORT_WIDTH),
        lead.status,
        cell(lead.source, SHORT_WIDTH),
        cell(lead.campaign, SHORT_WIDTH),
        local_date(lead.created_at, tz),
    )


def list_reply(page: Page[LeadView], title: str, tz: ZoneInfo) -> Reply:
    if not page.items:
        text = f"{title}: no leads. Create one with `/lead new &lt;name&gt;`."
        return Reply(text=text, blocks=[section(text)])
    shown = page.items[:LIST_SHOWN]
    summary = f"*{title}*: {page.total:,} lead{'s' if page.total != 1 else ''}"
    more = more_line(len(shown), page.total, "— narrow with a stage, `source:` or a period")
    rows = [_row(lead, tz) for lead in shown]
    blocks = [section(summary), *table_sections(_TABLE_HEAD, rows)]
    if more:
        blocks.append(context(more))
    return Reply(text=_fallback(summary, shown, page.total), blocks=blocks)


def _fallback(summary: str, leads: Sequence[LeadView], total: int) -> str:
    """Plain lines for notifications and clients without blocks, within the fallback limit."""
    lines = [summary]
    for lead in leads:
        line = f"L{lead.number} {literal(lead.name)} — {lead.stage_key}, {lead.status}"
        if len("\n".join([*lines, line])) + 40 > MAX_FALLBACK_TEXT:
            break
        lines.append(line)
    hidden = total - (len(lines) - 1)
    if hidden > 0:
        lines.append(f"…and {hidden:,} more.")
    return "\n".join(lines)
