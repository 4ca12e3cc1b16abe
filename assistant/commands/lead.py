"""`/lead`: create leads, move them along the funnel, convert them into deals, look them up."""

from __future__ import annotations

from assistant.blocks import leads as render
from assistant.blocks.common import Reply
from assistant.commands.args import reject_leftovers, take_mentions, take_options, take_period
from assistant.commands.framework import CommandSet, Invocation, Subcommand
from assistant.domain.amounts import looks_like_amount, parse_amount
from assistant.domain.errors import InvalidInput, UnknownLead
from assistant.domain.limits import MAX_EMAIL, MAX_REASON, MAX_STAGE_LABEL
from assistant.domain.references import parse_lead_ref, parse_user_mention
from assistant.domain.stage_match import match_stage
from assistant.domain.stages import DEFAULT_FUNNEL, LeadStatus
from assistant.domain.tokens import split_key_value
from assistant.services import leads, queries, settings
from assistant.services.leads import NewLead
from assistant.services.queries import LeadFilter

NEW_USAGE = (
    "/lead new <name> [company:..] [email:..] [source:..] [campaign:..] "
    "[stage:<funnel stage>] [@owner]"
)
LIST_USAGE = (
    "/lead list [mine|@user|<stage>|open|converted|dropped] [source:..] [campaign:..] [period]"
)
NEW_OPTIONS = ("company", "email", "source", "campaign", "stage")
STATUSES = tuple(s.value for s in LeadStatus)
# A lead named by words (not `L7` or an email) in `/lead drop` is at most this long; the
# words after it are the reason.
MAX_REF_WORDS = 6
WHICH_LEAD = "Which lead? Give its number (`L7`), its email, or part of its name."
# Anything longer than an email or a stage label matches nothing, and echoing a pasted page
# back would push the usage out of the reply.
MAX_REF = MAX_EMAIL


def _ref(words: list[str]) -> str:
    text = " ".join(words)
    if not text:
        raise InvalidInput(WHICH_LEAD)
    if len(text) > MAX_REF:
        raise UnknownLead(text[:60] + "…")
    return text


def _stage(text: str | None) -> str | None:
    if text is not None and len(text) > MAX_STAGE_LABEL:
        raise InvalidInput(f"`{text[:40]}…` is too long to be a stage name.")
    return text


def _one_owner(users: list[str]) -> str | None:
    if len(users) > 1:
        raise InvalidInput("Name one owner, as a Slack mention (`@ana`).")
    return users[0] if users else None


def _is_mailto(token: str) -> bool:
    # Slack turns a typed email into `<mailto:jane@acme.com|jane@acme.com>`.
    return token.casefold().startswith("<mailto:")


def _split_name(tokens: list[str]) -> tuple[list[str], list[str]]:
    """The name is the leading words, up to the first mention, `key:value` or email."""
    for index, token in enumerate(tokens):
        if parse_user_mention(token) or split_key_value(token) or _is_mailto(token):
            return tokens[:index], tokens[index:]
    return tokens, []


def new_lead(inv: Invocation) -> Reply:
    name_words, rest = _split_name(inv.args)
    users, rest = take_mentions(rest)
    options, rest = take_options(rest, NEW_OPTIONS)
    emails = [t for t in rest if _is_mailto(t)] + ([options["email"]] if "email" in options else [])
    rest = [t for t in rest if not _is_mailto(t)]
    if rest:
        raise InvalidInput(
            f"I don't know what to do with `{' '.join(rest)[:100]}`; "
            'quote values that have spaces, e.g. `company:"Acme Corp"`.'
        )
    if not " ".join(name_words).strip():
        raise InvalidInput('A lead needs a name, e.g. `/lead new "Jane Doe" company:Acme`.')
    if len(emails) > 1:
        raise InvalidInput("Give one email per lead.")
    new = NewLead(
        name=" ".join(name_words),
        company=options.get("company"),
        email=emails[0] if emails else None,
        source=options.get("source"),
        campaign=options.get("campaign"),
        stage=_stage(options.get("stage")),
        owner_id=_one_owner(users),
    )
    return render.created_reply(leads.create_lead(inv.services, inv.actor, new))


def move_lead(inv: Invocation) -> Reply:
    options, rest = take_options(inv.args, ("stage",))
    stage = options.get("stage") or (rest.pop() if len(rest) > 1 else None)
    if not rest or stage is None:
        raise InvalidInput("Name the lead and the stage, e.g. `/lead move L7 next`.")
    result = leads.move_lead(inv.services, inv.actor, _ref(rest), _stage(stage))
    return render.moved_reply(result)


def convert_lead(inv: Invocation) -> Reply:
    users, rest = take_mentions(inv.args)
    options, rest = take_options(rest, ("stage",))
    # The lead's words run up to the first amount; the first word is always the lead.
    cut = next((i for i, t in enumerate(rest) if i and looks_like_amount(t)), len(rest))
    ref = _ref(rest[:cut])
    amount = parse_amount(rest[cut]) if cut < len(rest) else None
    reject_leftovers(rest[cut + 1 :])
    result = leads.convert_lead(
        inv.services,
        inv.actor,
        ref,
        amount=amount,
        owner_id=_one_owner(users),
        stage=_stage(options.get("stage")),
    )
    return render.converted_reply(result, result.deal.facts.currency)


def _leading_lead(inv: Invocation) -> tuple[str, list[str]]:
    """Split `<lead> [words...]` by trying the longest run of words that names one lead."""
    if not inv.args:
        raise InvalidInput(WHICH_LEAD)
    first = parse_lead_ref(inv.args[0])
    if first.number is not None or first.email is not None:
        return inv.args[0], inv.args[1:]
    for size in range(min(len(inv.args), MAX_REF_WORDS), 0, -1):
        try:
            found = queries.lead_card(inv.services, inv.actor, _ref(inv.args[:size]))
        except UnknownLead:
            continue
        return f"L{found.number}", inv.args[size:]
    raise UnknownLead(" ".join(inv.args[:MAX_REF_WORDS])[:80])


def drop_lead(inv: Invocation) -> Reply:
    ref, words = _leading_lead(inv)
    reason = " ".join(words)
    if len(reason) > MAX_REASON:
        # Refused rather than cut: the end of a reason is often the part that matters.
        raise InvalidInput(
            f"A reason can be at most {MAX_REASON} characters ({len(reason)} given)."
        )
    return render.dropped_reply(leads.drop_lead(inv.services, inv.actor, ref, reason))


def show_lead(inv: Invocation) -> Reply:
    lead = queries.lead_card(inv.services, inv.actor, _ref(inv.args))
    return render.card_reply(lead, lead.facts.zone)


def list_leads(inv: Invocation) -> Reply:
    zone = settings.workspace_facts(inv.services, inv.actor).zone
    options, rest = take_options(inv.args, ("source", "campaign"))
    # No period means every lead: a lookup should not lose a lead because it is 31 days old.
    period, rest = take_period(rest, zone, inv.services.now(), default=None)
    users, rest = take_mentions(rest)
    owner, status, stage = _one_owner(users), None, None
    for word in rest:
        if word.casefold() == "mine":
            owner = inv.actor.user_id
        elif word.casefold() in STATUSES:
            status = word.casefold()
        elif stage is None:
            stage = match_stage(_stage(word), DEFAULT_FUNNEL)
        else:
            raise InvalidInput("Name one stage at a time.")
    found = LeadFilter(status, owner, stage, options.get("source"), options.get("campaign"), period)
    page = queries.list_leads(inv.services, inv.actor, found, limit=render.LIST_SHOWN)
    return render.list_reply(page, render.list_title(found, inv.actor.user_id), zone)


COMMANDS = CommandSet(
    command="/lead",
    summary="leads along the marketing funnel, and their conversion into deals.",
    subcommands=[
        Subcommand("new", NEW_USAGE, "create a lead (stage `awareness` by default).",
                   "/lead new Jane Doe company:Acme email:jane@acme.com source:webinar", new_lead),
        Subcommand("move", "/lead move <lead> <stage|next|back>", "move a lead along the funnel.",
                   "/lead move L7 next", move_lead),
        Subcommand("convert", "/lead convert <lead> [amount] [@owner] [stage:<pipeline stage>]",
                   "sales takes the lead on: a linked deal that keeps its source and campaign.",
                   "/lead convert L7 12k @ana", convert_lead),
        Subcommand("drop", "/lead drop <lead> [reason]",
                   "drop a lead; it keeps the stages it reached.",
                   "/lead drop L7 no budget this year", drop_lead, free_text=True),
        Subcommand("show", "/lead show <lead>", "a lead's facts and linked deals.",
                   "/lead show jane@acme.com", show_lead, writes=False),
        Subcommand("list", LIST_USAGE, "find leads; every lead unless a period is given.",
                   "/lead list mine interest source:webinar 30d", list_leads, writes=False),
    ],
)  # fmt: skip
