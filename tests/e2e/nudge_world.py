"""A sales team for the nudge tests: reps in their own time zones with deals that need them,
the real scheduler on the controllable clock, and the fake Slack Web API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from assistant.digests.scheduler import DigestScheduler
from assistant.services import deals, people
from assistant.services.context import Actor
from assistant.services.deals import NewDeal
from assistant.services.people import SlackProfile

TEAM = "T_TEST"
ANA, BEN, MIA = "U0ANA", "U0BEN", "U0MIA"  # a rep in Berlin, one in New York, their manager
ZONES = {ANA: "Europe/Berlin", BEN: "America/New_York", MIA: "Europe/Berlin"}
MONDAY = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """March 2026, UTC: 2 is a Monday."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


class World:
    def __init__(self, bot) -> None:
        self.bot = bot
        self.services = bot.services
        self.clock = bot.services.clock
        self.fake = bot.fake
        self.deal_numbers: dict[str, int] = {}
        for user_id, zone in ZONES.items():  # what users.info says when the edge asks
            self.fake.users[user_id] = {"tz": zone}
        people.remember(
            self.services,
            TEAM,
            [SlackProfile(u, u.lower(), timezone=z) for u, z in ZONES.items()],
        )

    def scheduler(self, process_id: str = "one") -> DigestScheduler:
        return self.bot.scheduler(process_id, nudges=True)

    def deal(
        self,
        owner: str,
        name: str,
        amount: int,
        days_ago: float,
        stage: str | None = None,
        close_date: date | None = None,
    ) -> int:
        """A deal created `days_ago` (so that long in its stage, untouched since)."""
        now = self.clock()
        self.clock.set(now - timedelta(days=days_ago))
        view = deals.create_deal(
            self.services,
            Actor(TEAM, owner),
            NewDeal(name, Decimal(amount), stage=stage, close_date=close_date),
        )
        self.clock.set(now)
        self.deal_numbers[name] = view.number
        return view.number

    def dms(self, user: str | None = None) -> list:
        posts = self.fake.calls_to("chat.postMessage")
        return [p for p in posts if user is None or p.args["channel"] == user]

    def buttons(self, post) -> dict[str, dict[str, dict]]:
        """The nudge's elements by deal name, then by action id."""
        found: dict[str, dict[str, dict]] = {}
        blocks = post.args["blocks"]
        for n, block in enumerate(blocks):
            if block["type"] == "actions" and block["block_id"].startswith("nudge:"):
                line = blocks[n - 1]["text"]["text"]
                name = line.split("*")[1].split(" ", 1)[1]
                found[name] = {e["action_id"]: {**e, "block_id": block["block_id"]}
                               for e in block["elements"]}  # fmt: skip
        return found

    def click(self, element: dict, user: str = ANA, team: str = TEAM, choice: str | None = None):
        """Press a button, pick a snooze from the menu (`choice` "3d"/"1w"), or a date."""
        action = None
        if element["type"] == "overflow":
            value = next(o["value"] for o in element["options"] if o["value"].endswith(choice))
            action = {
                "type": "overflow",
                "action_id": element["action_id"],
                "block_id": element["block_id"],
                "selected_option": {"value": value},
            }
        elif element["type"] == "datepicker":
            action = {
                "type": "datepicker",
                "action_id": element["action_id"],
                "block_id": element["block_id"],
                "selected_date": choice,
            }
        status, _, _ = self.bot.http.action(
            element["action_id"], element.get("value"), user_id=user, team_id=team,
            action=action, block_id=element["block_id"],
        )  # fmt: skip
        return status


def make_world(bot) -> World:
    bot.services.clock.set(at(1, 12))  # Sunday noon: deals are made before the week starts
    return World(bot)
