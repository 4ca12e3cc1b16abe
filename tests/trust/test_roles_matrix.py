"""PRODUCT.md §6 on every path: every role against every changing action.

Each role gets its own bot; each action gets a fresh target made by an admin, so one row of
the matrix never depends on another. An allowed action changes the database; a refused one
says who may do it and leaves every row as it was.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from assistant.listeners.runtime import FollowUps
from tests.e2e.test_home_tab import home_text
from tests.trust.conftest import state

ADMIN, MANAGER, OWNER, OTHER_REP, MARKETER = "UADMIN", "U0MGR", "U0OWNER", "U0REP2", "U0MKT"
ROLES = {
    "admin": ADMIN,
    "manager": MANAGER,
    "rep_owner": OWNER,
    "rep_other": OTHER_REP,
    "marketer": MARKETER,
}
EVERYONE = frozenset(ROLES)
DEAL_CHANGERS = frozenset({"admin", "manager", "rep_owner"})
DEAL_CREATORS = frozenset({"admin", "manager", "rep_owner", "rep_other"})
LEAD_CHANGERS = frozenset({"admin", "manager", "rep_owner", "marketer"})
MANAGERS = frozenset({"admin", "manager"})
ADMINS = frozenset({"admin"})


class Target:
    """Makes fresh records as the admin (owned by the rep) and remembers their numbers."""

    def __init__(self, bot) -> None:
        self.bot = bot
        self.deals = 0
        self.leads = 0

    def deal(self, closed: bool = False) -> int:
        self.deals += 1
        made = self.bot.command("/deal", f'new "Target {self.deals}" 5k <@{OWNER}|rep>', user=ADMIN)
        found = re.search(r"#(\d+)", made.text)
        assert found, made.text
        number = int(found.group(1))
        if closed:
            assert "Won" in self.bot.command("/deal", f"won #{number}", user=ADMIN).text
        return number

    def lead(self) -> int:
        self.leads += 1
        made = self.bot.command("/lead", f"new Lead{self.leads} <@{OWNER}|rep>", user=ADMIN)
        return int(re.search(r"\bL(\d+)\b", made.text).group(1))

    def subscription(self) -> int:
        result = self.bot.command("/digest", "subscribe <#C0DIG|dig> pipeline daily", user=ADMIN)
        return int(re.search(r"subscription #(\d+)", result.text).group(1))


@dataclass(frozen=True)
class Action:
    name: str
    path: str  # command, button, modal
    allowed: frozenset[str]
    run: Callable  # (bot, target, user) -> (reply text, refused?)
    who_may: str


def command(cmd: str, text: Callable[[Target], str]):
    def run(bot, target, user):
        result = bot.command(cmd, text(target), user=user)
        assert result.status == 200 and result.ephemeral, result.raw
        return result.text

    return run


def button(action_id: str):
    def run(bot, target, user):
        number = target.deal()
        before = len(bot.fake.calls_to("respond"))
        value = json.dumps({"n": number, "v": 1})
        status, _, _ = bot.http.action(action_id, value, user_id=user)
        assert status == 200
        (reply, *_) = bot.fake.wait_for("respond", before + 1)[before:]
        return reply.args["text"]

    return run


def modal(bot, target, user):
    def text(value):
        return {"value": {"type": "plain_text_input", "value": value}}

    values = {"name": text("Form deal"), "amount": text("7k"), "company": text(None)}
    values["source"], values["campaign"] = text(None), text(None)
    values["stage"] = {
        "value": {"type": "static_select", "selected_option": {"value": "assessment"}}
    }
    values["owner"] = {"value": {"type": "users_select", "selected_user": user}}
    values["close"] = {"value": {"type": "datepicker", "selected_date": None}}
    status, _, raw = bot.http.submit_view(
        "deal_new", values, user_id=user, private_metadata=json.dumps({"channel": "C_GENERAL"})
    )
    assert status == 200
    if not raw.strip():
        return ""  # the form closed: created
    return json.dumps(json.loads(raw))


def digest_send(bot, target, user):
    result = bot.command("/digest", "send pipeline <#C0SEND|send>", user=user)
    if "Posting" in result.text:
        bot.fake.wait_for("chat.postMessage", 1, timeout=10)
        # Only the digest goes to the channel (a deal given to someone else DMs them).
        deadline = time.monotonic() + 10
        while not (posts := [c for c in bot.fake.calls_to("chat.postMessage")
                             if c.args.get("channel") == "C0SEND"]):  # fmt: skip
            assert time.monotonic() < deadline, "the digest was not posted"
            time.sleep(0.02)
        assert len(posts) == 1
    return result.text


DEAL_WHO = "the deal's owner, managers and admins"
LEAD_WHO = "the lead's owner, marketers, managers and admins"
ACTIONS = [
    Action("deal new", "command", DEAL_CREATORS,
           command("/deal", lambda t: 'new "Fresh" 3k'), "reps, managers and admins"),
    Action("deal move", "command", DEAL_CHANGERS,
           command("/deal", lambda t: f"move #{t.deal()} next"), DEAL_WHO),
    Action("deal won", "command", DEAL_CHANGERS,
           command("/deal", lambda t: f"won #{t.deal()} 6k"), DEAL_WHO),
    Action("deal lost", "command", DEAL_CHANGERS,
           command("/deal", lambda t: f"lost #{t.deal()} budget"), DEAL_WHO),
    Action("deal reopen", "command", DEAL_CHANGERS,
           command("/deal", lambda t: f"reopen #{t.deal(closed=True)}"), DEAL_WHO),
    Action("deal assign", "command", DEAL_CHANGERS,
           command("/deal", lambda t: f"assign #{t.deal()} <@U0ANA|ana>"), DEAL_WHO),
    Action("deal edit", "command", DEAL_CHANGERS,
           command("/deal", lambda t: f"edit #{t.deal()} 9k company:Initech"), DEAL_WHO),
    Action("deal note", "command", DEAL_CHANGERS,
           command("/deal", lambda t: f"note #{t.deal()} called them"), DEAL_WHO),
    Action("lead new", "command", EVERYONE,
           command("/lead", lambda t: "new Fresh Lead source:ads"), ""),
    Action("lead move", "command", LEAD_CHANGERS,
           command("/lead", lambda t: f"move L{t.lead()} next"), LEAD_WHO),
    Action("lead drop", "command", LEAD_CHANGERS,
           command("/lead", lambda t: f"drop L{t.lead()} spam"), LEAD_WHO),
    Action("lead convert", "command", DEAL_CHANGERS,
           command("/lead", lambda t: f"convert L{t.lead()} 4k"), ""),
    Action("pipeline stage", "command", ADMINS,
           command("/pipeline", lambda t: "stage qualification target:9d"), "admins"),
    Action("pipeline stages set", "command", ADMINS,
           command("/pipeline", lambda t: "stages set Prospecting, Qualification, Assessment, "
                   "Solution, Proposal, Closing, Signature"), "admins"),
    Action("digest subscribe pipeline", "command", MANAGERS,
           command("/digest", lambda t: "subscribe <#C0DIG|dig> pipeline weekly friday"),
           "managers and admins"),
    Action("digest subscribe funnel", "command", MANAGERS | {"marketer"},
           command("/digest", lambda t: "subscribe <#C0DIG|dig> funnel monthly"),
           "managers and admins"),
    Action("digest unsubscribe", "command", MANAGERS,
           command("/digest", lambda t: f"unsubscribe {t.subscription()}"),
           "managers and admins"),
    Action("digest send", "command", MANAGERS, digest_send, "managers and admins"),
    Action("sales role", "command", ADMINS,
           command("/sales", lambda t: "role <@U0NEW|new> manager"), "admins"),
    Action("sales settings", "command", ADMINS,
           command("/sales", lambda t: "settings currency:EUR feed:<#C0FEED|feed>"), "admins"),
    Action("button next", "button", DEAL_CHANGERS, button("deal_next"), DEAL_WHO),
    Action("button won", "button", DEAL_CHANGERS, button("deal_won"), DEAL_WHO),
    Action("button lost", "button", DEAL_CHANGERS, button("deal_lost"), DEAL_WHO),
    Action("modal new deal", "modal", DEAL_CREATORS, modal, "reps, managers and admins"),
]  # fmt: skip


def _setup_roles(bot) -> None:
    for user, role in ((MANAGER, "manager"), (MARKETER, "marketer")):
        assert (
            f"is now *{role}*" in bot.command("/sales", f"role <@{user}|x> {role}", user=ADMIN).text
        )


@pytest.mark.parametrize("role", list(ROLES))
def test_every_changing_action_for_one_role(bot, role, tally):
    _setup_roles(bot)
    user = ROLES[role]
    target = Target(bot)
    outcomes: dict[str, str] = {}
    for action in ACTIONS:
        before = state(bot)
        posts_before = len(bot.fake.calls_to("chat.postMessage"))
        text = action.run(bot, target, user)
        # Targets made inside run() change `before`; refusals are re-checked exactly below.
        allowed = role in action.allowed
        tally("roles", action.path)
        if allowed:
            assert "You can't" not in text, (action.name, role, text)
            changed = state(bot) != before or (
                len(bot.fake.calls_to("chat.postMessage")) > posts_before
            )
            assert changed, (action.name, role, text)
            outcomes[action.name] = "allowed"
        else:
            assert "You can't" in text, (action.name, role, text)
            if action.who_may:
                assert f"only {action.who_may} can" in text, (action.name, text)
            outcomes[action.name] = "refused"
    # Refusals are checked again strictly: a refused action alone, on a still state.
    for action in ACTIONS:
        if role in action.allowed:
            continue
        probe = _Prepared(bot, target, action)
        # Targets made for someone else DM their owner after the reply, on the follow-up
        # pool: let those land before counting posts.
        bot.runtime.followups.shutdown(wait=True)
        bot.runtime.followups = FollowUps(workers=2)
        before = state(bot)
        posts = len(bot.fake.calls_to("chat.postMessage"))
        probe.fire(user)
        assert state(bot) == before, (action.name, role)
        assert len(bot.fake.calls_to("chat.postMessage")) == posts, (action.name, role)
        tally("roles", "refusals verified unchanged")
    assert len(outcomes) == len(ACTIONS)
    # App Home: every role may open it; it shows the caller's own deals and changes nothing.
    bot.runtime.followups.shutdown(wait=True)
    bot.runtime.followups = FollowUps(workers=2)
    before, publishes = state(bot), len(bot.fake.calls_to("views.publish"))
    status, _, _ = bot.http.event({"type": "app_home_opened", "user": user, "tab": "home"})
    assert status == 200
    view = bot.fake.wait_for("views.publish", publishes + 1)[-1]
    assert view.args["user_id"] == user
    mine = "Target" in home_text(view)
    assert mine == (role == "rep_owner"), home_text(view)
    assert state(bot) == before
    tally("roles", "app home")


class _Prepared:
    """A refused action whose target already exists, so the dump before it is exact."""

    def __init__(self, bot, target: Target, action: Action) -> None:
        self.bot, self.action = bot, action
        # Make the target now, then let fire() act on the same one.
        self.target = _Fixed(target)

    def fire(self, user: str) -> None:
        self.action.run(self.bot, self.target, user)


class _Fixed:
    """A Target that makes its record up front and then always returns the same one."""

    def __init__(self, real: Target) -> None:
        self.bot = real.bot
        self._deal = real.deal()
        self._closed = real.deal(closed=True)
        self._lead = real.lead()
        self._sub = real.subscription()

    def deal(self, closed: bool = False) -> int:
        return self._closed if closed else self._deal

    def lead(self) -> int:
        return self._lead

    def subscription(self) -> int:
        return self._sub
