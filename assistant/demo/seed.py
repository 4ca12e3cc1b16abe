"""A deterministic sample workspace: six months of sales work, replayed through the services.

Nothing is written behind the services' backs: a simulated clock walks day by day up to
now, and every deal and lead is moved, won, lost, reopened, converted or dropped by the same
use case a Slack command calls, so each record has the history those would have written.

Speed: the sample is about 1,100 creations and 2,400 other use cases. Creations call
`insert_lead`/`insert_deal`, the part of `create_lead`/`create_deal` that writes (the same
rows and history), skipping the re-reads that only build a reply, which saved about a
quarter. They need a session, so the services see `DayTransactions`: one transaction per
simulated day, which also makes each day all or nothing (sharing transactions by itself
saved nothing measurable). About 17 s on the 2-core machine this was written on; the rest
is the use cases' own ORM work, a quarter of it re-reading the stages.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from random import Random

from assistant.analytics.results import NO_SEGMENT
from assistant.demo.leadflow import LeadFlow
from assistant.demo.sample import DEMO_USER, MANAGER, MARKETER, PEOPLE, TEAM_ID
from assistant.demo.simulate import Simulation
from assistant.demo.timeline import DayTransactions, Scheduler, SimClock
from assistant.domain.periods import parse_period
from assistant.domain.roles import Role
from assistant.services import people, reports, roles, targets
from assistant.services.context import Actor, Services
from assistant.services.people import SlackProfile
from assistant.storage.database import Database

DEFAULT_SEED = 7
DAYS = 182
LEADS = 1000
TARGET_GROWTH = Decimal("1.8")  # the sample business grows fast; so do its targets
DIRECT_DEALS = 110  # plus about 190 converted from leads: about 300 deals in all

Progress = Callable[[float], None]


@dataclass
class SeedResult:
    deals: int
    leads: int
    seconds: float


def seed_demo(
    db: Database,
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> SeedResult:
    """Fill the demo workspace; `scale` shrinks or grows the sample (1 = realistic).

    The same seed, scale and `now` give the same rows, ids included, on either database.
    """
    started = time.perf_counter()
    now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    start = (now - timedelta(days=DAYS)).replace(hour=0, minute=0)
    clock = SimClock(start + timedelta(hours=8))
    days = DayTransactions(db, clock, TEAM_ID)
    services = Services(db=days, clock=clock, admins=frozenset({DEMO_USER}))  # type: ignore[arg-type]
    rng = Random(seed)
    scheduler = Scheduler(clock)
    sim = Simulation(services, days, rng, scheduler)
    lead_flow = LeadFlow(sim)
    admin = Actor(team_id=TEAM_ID, user_id=DEMO_USER)
    with days.day():
        roles.set_role(services, admin, MANAGER, Role.MANAGER)
        roles.set_role(services, admin, MARKETER, Role.MARKETER)
        # Who is who, as users.info would have told a bot in Slack: tables show names.
        people.remember(services, TEAM_ID, [
            SlackProfile(user_id, name.capitalize(), timezone="Europe/Berlin")
            for user_id, name in PEOPLE.items()
        ])  # fmt: skip
    for day in range(DAYS + 1):
        day_start = start + timedelta(days=day)
        weekday = day_start.weekday() < 5
        growth = 0.8 + 0.4 * day / DAYS  # the business grows: later periods compare better
        for _ in range(_poisson(rng, growth * LEADS * scale / DAYS * (1.2 if weekday else 0.5))):
            scheduler.at(_time_of_day(rng, day_start, 7, 22), lead_flow.new_lead)
        if weekday:
            rate = growth * DIRECT_DEALS * scale / DAYS * 1.4
            for _ in range(_poisson(rng, rate)):
                scheduler.at(_time_of_day(rng, day_start, 8, 18), sim.new_deal)
        with days.day():
            scheduler.run_until(min(day_start + timedelta(days=1), now))
        if progress and day % 7 == 0:
            progress(day / DAYS)
    with days.day():
        sim.fill_gaps(now)
    with days.day():
        _set_targets(services, Actor(team_id=TEAM_ID, user_id=MANAGER))
    if progress:
        progress(1.0)
    return SeedResult(sim.deal_count, lead_flow.lead_count, time.perf_counter() - started)


def _set_targets(services: Services, manager: Actor) -> None:
    """The quarter's targets a manager would set: last quarter's wins plus 80 %, rounded to
    $10,000, for the team and for each rep who won something."""
    zone, now = reports.workspace_timezone(services, manager), services.now()
    last = reports.results(services, manager, parse_period("last quarter", zone, now), "owner")
    quarter = parse_period("this quarter", zone, now)
    for segment in (last.results.total, *last.results.segments):
        won = segment.current.won_value
        if won > 0 and segment.key != NO_SEGMENT:
            amount = (won * TARGET_GROWTH / 10_000).quantize(Decimal(1)) * 10_000
            targets.set_target(services, manager, segment.key, amount, quarter)


def _time_of_day(rng: Random, day_start: datetime, first_hour: int, last_hour: int) -> datetime:
    minutes = rng.randrange((last_hour - first_hour) * 60)
    return day_start + timedelta(hours=first_hour, minutes=minutes)


def _poisson(rng: Random, mean: float) -> int:
    """Knuth's method: fine for the small means of a day's arrivals."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
