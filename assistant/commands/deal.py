"""`/deal`: create, move, close, show, list and change deals (PRODUCT.md §2).

A deal is one argument (`#12`, `12`, a word of its name, or a quoted name); where the rest is
unambiguous (`show`, `move … <stage>`, `won … [amount]`, `assign`, `edit`) an unquoted
fragment of several words works too.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from assistant.blocks.common import Reply, literal, mention
from assistant.blocks.deal_form import new_deal_modal
from assistant.blocks.deals import (
    card_reply,
    created_text,
    money,
    moved_text,
    reopened_text,
    text_reply,
    title,
)
from assistant.commands.args import (
    parse_date,
    take_mentions,
    take_options,
)
from assistant.commands.deal_list import list_command
from assistant.commands.framework import CommandSet, Invocation, Subcommand
from assistant.domain.amounts import looks_like_amount, parse_amount
from assistant.domain.errors import DomainError, InvalidInput
from assistant.domain.limits import MAX_LABEL, MAX_NAME, MAX_REASON
from assistant.domain.references import parse_deal_ref, parse_user_mention
from assistant.domain.roles import require_deal_creator
from assistant.domain.stage_match import match_stage
from assistant.domain.tokens import split_key_value
from assistant.services import chances, deals, queries, roles, settings
from assistant.services.deals import UNSET, NewDeal
from assistant.services.views import DealView, MoveResult
from assistant.slack.errors import classify

log = logging.getLogger(__name__)

NEW_USAGE = (
    "/deal new <name> [amount] [@owner] [stage:<s>] [company:<c>] [close:<YYYY-MM-DD>] "
    "[source:<s>] [campaign:<c>]"
)
QUOTE_HINT = 'To put digits in a name, quote it: `/deal new "Acme 2026" 12k`.'
CLEAR_WORDS = ("none", "off", "-")
MAX_REF = MAX_NAME  # a reference longer than any name matches nothing


def _ref(text: str) -> str:
    """A deal reference as typed; a paragraph is not one (and would be echoed back whole)."""
    if len(text) > MAX_REF:
        raise InvalidInput(
            f"`{text[:40]}…` is too long to name a deal; "
            "give its number (`#12`) or a word of its name."
        )
    return text


def _is_number(token: str) -> bool:
    try:
        return parse_deal_ref(token).number is not None
    except InvalidInput:
        return False


def _after(
    inv: Invocation, deal: DealView, move: MoveResult | None = None, handed_over: bool = False
) -> None:
    """Feed post, Home refresh and a word to a new owner, after Slack has the reply."""
    inv.deal_changed(deal, move, handed_over and deal.owner_id != inv.actor.user_id)


def _limit(text: str | None, limit: int, what: str) -> str | None:
    if text is not None and len(text) > limit:
        raise InvalidInput(f"{what} can be at most {limit} characters ({len(text)} given).")
    return text


# -- new --------------------------------------------------------------------------------------


def _split_name(tokens: list[str]) -> tuple[str, list[str]]:
    """The name is the leading words up to the first amount, mention or `key:value`."""
    for index, token in enumerate(tokens):
        if looks_like_amount(token) or parse_user_mention(token) or split_key_value(token):
            return " ".join(tokens[:index]), tokens[index:]
    return " ".join(tokens), []


def _one_amount(tokens: list[str]) -> tuple[Decimal | None, list[str]]:
    amounts = [t for t in tokens if looks_like_amount(t)]
    if len(amounts) > 1:
        raise InvalidInput(f"Two amounts (`{amounts[0]}`, `{amounts[1]}`): give one. {QUOTE_HINT}")
    rest = [t for t in tokens if not looks_like_amount(t)]
    return (parse_amount(amounts[0]) if amounts else None), rest


def new(inv: Invocation) -> Reply:
    if not inv.args:
        return open_form(inv)
    name, rest = _split_name(inv.args)
    owners, rest = take_mentions(rest)
    options, rest = take_options(rest, ("stage", "company", "close", "source", "campaign"))
    amount, rest = _one_amount(rest)
    if rest:
        raise InvalidInput(f"I don't know what to do with `{' '.join(rest)[:100]}`. {QUOTE_HINT}")
    if not name:
        raise InvalidInput('Start with the deal\'s name, e.g. `/deal new "Acme renewal" 12k`.')
    if len(owners) > 1:
        raise InvalidInput("Name one owner.")
    close = parse_date(options["close"]) if "close" in options else None
    new_deal = NewDeal(
        name=name,
        amount=amount,
        owner_id=owners[0] if owners else None,
        stage=options.get("stage"),
        company=options.get("company"),
        close_date=close,
        source=_limit(options.get("source"), MAX_LABEL, "A source"),
        campaign=_limit(options.get("campaign"), MAX_LABEL, "A campaign"),
    )
    view = deals.create_deal(inv.services, inv.actor, new_deal)
    _after(inv, view, handed_over=True)
    return text_reply(created_text(view, view.facts.currency))


def open_form(inv: Invocation) -> Reply:
    """`/deal new` alone opens the form; it must be opened now, the trigger id expires in 3 s."""
    if inv.slack is None or not inv.trigger_id:
        raise InvalidInput('Give the deal\'s name, e.g. `/deal new "Acme renewal" 12k`.')
    require_deal_creator(roles.my_role(inv.services, inv.actor))
    facts = settings.workspace_facts(inv.services, inv.actor)
    stages = list(facts.pipeline.active)
    view = new_deal_modal(stages, facts.currency, inv.actor.user_id, inv.channel_id)
    try:
        inv.slack.views_open(trigger_id=inv.trigger_id, view=view)  # type: ignore[union-attr]
    except Exception as err:
        log.warning("views.open failed: %s", classify(err).reason)
        raise InvalidInput(
            'Slack did not open the form; type the deal instead: `/deal new "Acme renewal" 12k`.'
        ) from None
    return Reply(text="Opening the new-deal form…")


# -- changes ----------------------------------------------------------------------------------


def _need(tokens: list[str], what: str) -> None:
    if not tokens:
        raise InvalidInput(f"Which deal? Give its number (`#12`) or part of its name{what}.")


def move(inv: Invocation) -> Reply:
    args = inv.args
    _need(args, ", then the stage")
    if len(args) < 2:
        raise InvalidInput("Where to? Give a stage, `next` or `back` after the deal.")
    if _is_number(args[0]):
        ref, stage = args[0], " ".join(args[1:])
    else:
        ref, stage = _deal_then_stage(inv, args)
    result = deals.move_deal(inv.services, inv.actor, _ref(ref), stage)
    _after(inv, result.deal, result)
    return text_reply(moved_text(result, result.deal.facts.labels, result.deal.facts.currency))


def _deal_then_stage(inv: Invocation, words: list[str]) -> tuple[str, str]:
    """`Acme sol dev` -> (`Acme`, `sol dev`): the stage is the longest run of words at the end
    that names one (up to three words), the deal the words before it."""
    stages = settings.workspace_facts(inv.services, inv.actor).pipeline.active
    for size in (3, 2):
        if len(words) > size:
            try:
                match_stage(" ".join(words[-size:]), stages, allow_outcomes=True)
            except DomainError:
                continue
            return " ".join(words[:-size]), " ".join(words[-size:])
    return " ".join(words[:-1]), words[-1]


def won(inv: Invocation) -> Reply:
    args = inv.args
    _need(args, "")
    ref, amount = " ".join(args), None
    if len(args) > 1 and _is_number(args[0]):
        ref, amount = args[0], parse_amount(" ".join(args[1:]))
    elif len(args) > 1 and looks_like_amount(args[-1]):
        ref, amount = " ".join(args[:-1]), parse_amount(args[-1])
    result = deals.win_deal(inv.services, inv.actor, _ref(ref), amount)
    _after(inv, result.deal, result)
    return text_reply(moved_text(result, result.deal.facts.labels, result.deal.facts.currency))


def lost(inv: Invocation) -> Reply:
    _need(inv.args, "")
    reason = _limit(" ".join(inv.args[1:]) or None, MAX_REASON, "A reason")
    result = deals.lose_deal(inv.services, inv.actor, _ref(inv.args[0]), reason)
    _after(inv, result.deal, result)
    return text_reply(moved_text(result, result.deal.facts.labels, result.deal.facts.currency))


def reopen(inv: Invocation) -> Reply:
    _need(inv.args, "")
    stage = " ".join(inv.args[1:]) or None
    result = deals.reopen_deal(inv.services, inv.actor, _ref(inv.args[0]), stage)
    _after(inv, result.deal)
    return text_reply(reopened_text(result, result.deal.facts.labels))


def assign(inv: Invocation) -> Reply:
    owners, rest = take_mentions(inv.args)
    _need(rest, ", then @person")
    if len(owners) != 1:
        raise InvalidInput("Name the new owner as one @mention.")
    view = deals.assign_deal(inv.services, inv.actor, _ref(" ".join(rest)), owners[0])
    _after(inv, view, handed_over=True)
    return text_reply(f"{title(view)} now belongs to {mention(view.owner_id)}.")


def _optional(value: str | None, limit: int, what: str):
    if value is None:
        return UNSET
    return None if value.casefold() in CLEAR_WORDS else _limit(value, limit, what)


def edit(inv: Invocation) -> Reply:
    keys = ("amount", "close", "name", "company", "source", "campaign")
    options, rest = take_options(inv.args, keys)
    _need(rest, ", then what to change")
    ref, amount_text = " ".join(rest), options.get("amount")
    if len(rest) > 1 and _is_number(rest[0]):
        ref, amount_text = rest[0], " ".join(rest[1:])
    elif len(rest) > 1 and looks_like_amount(rest[-1]):
        ref, amount_text = " ".join(rest[:-1]), rest[-1]
    close = options.get("close")
    changes = {
        "amount": UNSET if amount_text is None else parse_amount(amount_text),
        "name": options.get("name", UNSET),
        "company": _optional(options.get("company"), MAX_NAME, "A company"),
        "source": _optional(options.get("source"), MAX_LABEL, "A source"),
        "campaign": _optional(options.get("campaign"), MAX_LABEL, "A campaign"),
        "close_date": UNSET if close is None else _optional_date(close),
    }
    view = deals.edit_deal(inv.services, inv.actor, _ref(ref), **changes)
    _after(inv, view)
    return text_reply(_edited_text(view, [k for k, v in changes.items() if v is not UNSET]))


def _optional_date(text: str):
    return None if text.casefold() in CLEAR_WORDS else parse_date(text)


def _edited_text(view: DealView, fields: list[str]) -> str:
    shown = {
        "amount": lambda: f"amount {money(view.amount, view.facts.currency)}",
        "name": lambda: f"name “{literal(view.name)}”",
        "company": lambda: f"company {literal(view.company or '(none)')}",
        "source": lambda: f"source {literal(view.source or '(none)')}",
        "campaign": lambda: f"campaign {literal(view.campaign or '(none)')}",
        "close_date": lambda: f"expected close {view.close_date or '(none)'}",
    }
    return f"Updated {title(view)}: " + ", ".join(shown[f]() for f in fields) + "."


def note(inv: Invocation) -> Reply:
    _need(inv.args, ", then the note")
    view = deals.add_note(inv.services, inv.actor, _ref(inv.args[0]), " ".join(inv.args[1:]))
    _after(inv, view)
    return text_reply(f"Note added to {title(view)}. See it with `/deal show #{view.number}`.")


def show(inv: Invocation) -> Reply:
    _need(inv.args, "")
    card = queries.deal_card(inv.services, inv.actor, _ref(" ".join(inv.args)))
    if card.deal.is_open and card.chance is None:  # a long history not read yet: for next time
        inv.after_reply(lambda: chances.read_history(inv.services, inv.actor))
    return card_reply(card, card.facts.currency, card.facts.zone)


# -- the command ------------------------------------------------------------------------------


READ_ONLY = ("show", "list")


def _sub(name, usage, summary, example, handler) -> Subcommand:
    # Notes and lost reasons are the user's own words: `share` inside them is kept.
    free_text = name in ("note", "lost")
    return Subcommand(
        name, usage, summary, example, handler, free_text=free_text, writes=name not in READ_ONLY
    )


COMMANDS = CommandSet(
    command="/deal",
    summary="create, move, close, look up and change deals.",
    subcommands=[
        _sub("new", NEW_USAGE, "create a deal; with no arguments, open a form.",
             '/deal new "Acme renewal" 12k @ana stage:qualification close:2026-06-30', new),
        _sub("move", "/deal move <deal> <stage|next|back>",
             "move a deal; says from, to and how long it sat there.", "/deal move #12 next", move),
        _sub("won", "/deal won <deal> [amount]", "mark a deal won, optionally at its final amount.",
             "/deal won #12 15k", won),
        _sub("lost", "/deal lost <deal> [reason]", "mark a deal lost, with a reason.",
             "/deal lost #12 went with a competitor", lost),
        _sub("reopen", "/deal reopen <deal> [stage]", "reopen a won or lost deal.",
             "/deal reopen #12 proposal", reopen),
        _sub("show", "/deal show <deal>",
             "the deal card: facts, days in stage, history, notes and buttons.",
             "/deal show #12", show),
        _sub("list", "/deal list [mine|@user|<stage>|stuck|won|lost] [period]",
             "list deals (open ones unless you say `won` or `lost`).",
             "/deal list mine stuck", list_command),
        _sub("assign", "/deal assign <deal> @user", "give a deal to someone else.",
             "/deal assign #12 @ana", assign),
        _sub("edit", '/deal edit <deal> [amount] [close:<YYYY-MM-DD>] [name:".."] [company:..] '
             "[source:..] [campaign:..]", "change a deal's fields (`none` clears one).",
             '/deal edit #12 15k close:2026-07-31 name:"Acme renewal 2026"', edit),
        _sub("note", "/deal note <deal> <text>", "add a note to a deal.",
             "/deal note #12 Called Bob, they want a demo", note),
    ],
)  # fmt: skip
