"""The life of each simulated deal, one service call at a time, and the shared dice."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from random import Random

from assistant.demo import sample as s
from assistant.demo.timeline import DayTransactions, Scheduler
from assistant.domain.stages import DEFAULT_PIPELINE
from assistant.services import deals
from assistant.services.context import Actor, Services
from assistant.services.deals import NewDeal

PIPELINE = [stage.key for stage in DEFAULT_PIPELINE]
DAY = timedelta(days=1)


@dataclass
class SimDeal:
    number: int
    owner: str
    stage: int  # index into PIPELINE
    amount: Decimal
    since: datetime  # when it last changed
    open: bool = True

    @property
    def ref(self) -> str:
        return f"#{self.number}"


class Simulation:
    def __init__(
        self, services: Services, days: DayTransactions, rng: Random, scheduler: Scheduler
    ) -> None:
        self.services = services
        self.days = days
        self.rng = rng
        self.scheduler = scheduler
        self.deals: list[SimDeal] = []

    @property
    def deal_count(self) -> int:
        return len(self.deals)

    @property
    def now(self) -> datetime:
        return self.services.now()

    def actor(self, user_id: str) -> Actor:
        return Actor(team_id=s.TEAM_ID, user_id=user_id)

    def later(self, median_days: float, spread: float, pace: float = 1.0) -> datetime:
        """A working-hours moment after a lognormal stay, so stays are skewed as in life."""
        days = median_days * math.exp(self.rng.gauss(0, spread)) * pace
        hour, minute = self.rng.randint(8, 18), self.rng.randrange(60)
        when = (self.now + timedelta(days=days)).replace(
            hour=hour, minute=minute, second=0, microsecond=0
        )
        while when.weekday() >= 5:
            when += DAY
        return max(when, self.now + timedelta(minutes=self.rng.randint(20, 240)))

    def company(self) -> str:
        return self.rng.choice(s.PREFIXES) + self.rng.choice(s.SUFFIXES)

    def amount(self) -> Decimal:
        value = math.exp(self.rng.gauss(math.log(18_000), 1.0))
        return Decimal(int(min(250_000, max(2_000, value)) / 500) * 500)

    def close_date(self) -> date:
        return (self.now + timedelta(days=self.rng.randint(30, 120))).date()

    def new_deal(self) -> None:
        owner = self.rng.choice(s.REPS)
        company = self.company()
        new = NewDeal(
            name=f"{company} — {self.rng.choice(s.PRODUCTS)}",
            amount=self.amount(),
            company=company,
            close_date=self.close_date(),
            source="outbound" if self.rng.random() < 0.7 else "referral",
        )
        deal = deals.insert_deal(self.days.session, self.days.workspace, owner, new, self.now)
        self.track(SimDeal(deal.number, owner, 0, new.amount, self.now))

    def track(self, deal: SimDeal) -> None:
        self.deals.append(deal)
        self.schedule(deal)

    def schedule(self, deal: SimDeal) -> None:
        key = PIPELINE[deal.stage]
        median, spread = s.STAY[key]
        if self.rng.random() < s.STALL.get(key, 0.0):
            median *= self.rng.uniform(2.0, 4.0)
        pace = s.REP_PACE.get(deal.owner, 1.0)
        self.scheduler.at(self.later(median, spread, pace), lambda: self.step(deal))

    def step(self, deal: SimDeal) -> None:
        """The end of a stay: forward (or won), back, or lost, by the stage's odds."""
        key, rng, actor = PIPELINE[deal.stage], self.rng, self.actor(deal.owner)
        deal.since = self.now
        if rng.random() < 0.2:
            deals.add_note(self.services, actor, deal.ref, rng.choice(s.NOTES[key]))
        forward, back = s.NEXT_ODDS[key]
        roll = rng.random()
        if roll < forward and deal.stage == len(PIPELINE) - 1:
            discount = Decimal("0.9") if rng.random() < 0.3 else Decimal("1")
            final = max(Decimal(2000), (deal.amount * discount).quantize(Decimal(1)))
            deals.win_deal(self.services, actor, deal.ref, final)
            deal.open = False
        elif roll < forward + back:
            deal.stage += 1 if roll < forward else -1
            deals.move_deal(self.services, actor, deal.ref, "next" if roll < forward else "back")
            self.schedule(deal)
        else:
            deals.lose_deal(self.services, actor, deal.ref, rng.choice(s.LOST_REASONS))
            deal.open = False
            if rng.random() < s.REOPEN_ODDS:
                self.scheduler.at(self.later(20, 0.5), lambda: self.reopen(deal))

    def reopen(self, deal: SimDeal) -> None:
        actor = self.actor(deal.owner)
        deals.reopen_deal(self.services, actor, deal.ref)
        deals.add_note(self.services, actor, deal.ref, "Back on: they found budget")
        deal.open, deal.since = True, self.now
        self.schedule(deal)

    def fill_gaps(self, now: datetime) -> None:
        """A last push so that even a small sample shows every stage: a stage left empty
        gets the longest-waiting deal of the nearest stage before it, moved on in the last
        day, one stage an hour."""
        for stage in range(len(PIPELINE) - 1, 0, -1):
            open_deals = [d for d in self.deals if d.open]
            if any(d.stage == stage for d in open_deals):
                continue
            when = now - timedelta(hours=self.rng.randint(8, 20))
            for source in range(stage - 1, -1, -1):
                waiting = [d for d in open_deals if d.stage == source and d.since < when]
                if waiting:
                    break
            else:
                continue
            deal = min(waiting, key=lambda d: (d.since, d.number))
            while deal.stage < stage:
                self.services.clock.now = when
                deals.move_deal(self.services, self.actor(deal.owner), deal.ref, "next")
                deal.stage, deal.since, when = deal.stage + 1, when, when + timedelta(hours=1)
        if not any(d.open and d.stage == 0 for d in self.deals):
            self.services.clock.now = now - timedelta(hours=self.rng.randint(1, 6))
            self.new_deal()
