"""What happens to every deal and lead of a generated workspace: use-case calls with times.

A plan is deterministic (same `Spec`, same plan) and is written two ways: `testkit.generate`
writes it in bulk through the product's batch write path, and `tests/bench/replay.py` calls
the services with it, one change at a time (slowly; a test compares the two on a small size).

Each record's ops are tuples `(kind, at, actor, *args)` in time order:
- lead: create(fields) · move(stage) · convert(amount, stage) · drop(reason)
- deal: create(fields) · move(stage) · won(amount|None) · lost(reason|None) · reopen ·
  assign(owner) · edit(amount) · note(text)
A converted lead carries the plan of the deal it becomes; a won deal of a lead moves the
lead to `action`, which the write path does itself.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from random import Random

TEAM_ID = "T_BENCH"
ADMIN = "UADMIN"
MANAGER = "UMGR00001"
MARKETERS = ("UMKT00001", "UMKT00002", "UMKT00003")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SPAN = timedelta(days=540)

PIPELINE = ("prospecting", "qualification", "assessment", "solution", "proposal", "closing")
TARGET_DAYS = (7, 7, 14, 14, 10, 7)
WIN_P = (0.0, 0.01, 0.03, 0.08, 0.22, 0.55)
LOST_P = (0.12, 0.12, 0.10, 0.10, 0.12, 0.15)
FUNNEL = ("awareness", "interest", "consideration", "action")

COMPANY_A = ("Acme", "Orbit", "Nova", "Blue", "Bright", "Globex", "Initech", "Umbrella",
             "Stark", "Hooli", "Vandelay", "Northwind", "Contoso", "Fabrikam")  # fmt: skip
COMPANY_B = ("Energy", "Robotics", "Foods", "Labs", "Logistics", "Health", "Capital",
             "Media", "Systems", "Retail", "Dental", "Bottle")  # fmt: skip
PRODUCTS = ("renewal", "expansion", "pilot", "platform licence", "onboarding",
            "support plan", "upgrade", "subscription")  # fmt: skip
FIRST = ("Ava", "Liam", "Fatima", "Jonas", "Chloe", "Emma", "Noah", "Mia", "Ravi", "Sara",
         "Tom", "Ana", "Bob", "Jane", "Kenji", "Lena")  # fmt: skip
LAST = ("Smith", "Garcia", "Park", "Ross", "Novak", "Lima", "Kim", "Lee", "Müller", "Okafor",
        "Rossi", "Dubois", "Nowak", "Silva")  # fmt: skip
# (source, how much better than average its leads move along)
SOURCES = (("Google Ads", 0.9), ("LinkedIn", 1.1), ("Webinar", 1.3), ("Referral", 1.6),
           ("Organic search", 1.0), ("Trade show", 0.8), ("Newsletter", 0.7),
           ("Partner", 1.2))  # fmt: skip
THEMES = ("Spring promo", "Product launch", "Retargeting", "Partner week")
LOST_REASONS = ("Went with a competitor", "No budget", "No decision", "Timing", None)
DROP_REASONS = ("Not a fit", "No budget", "Unreachable", None)
NOTES = ("Called, they want a demo", "Sent the proposal", "Legal is reviewing",
         "Budget approved next quarter", "Champion left the company")  # fmt: skip


@dataclass(frozen=True)
class Spec:
    deals: int
    leads: int
    seed: int = 1
    # The history ends here. Digests use the fixed NOW (same data, same figures, every run);
    # the commands benchmark ends it at the real clock, as the bot reads "now" from it.
    now: datetime = NOW

    @property
    def start(self) -> datetime:
        return self.now - SPAN

    @cached_property
    def reps(self) -> tuple[str, ...]:
        """Many reps: one per 250 deals, at least 8, at most 400."""
        return tuple(f"UR{n:05d}" for n in range(1, max(8, min(400, self.deals // 250)) + 1))

    @property
    def setup_at(self) -> datetime:
        return self.start - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{_short(self.deals)} deals / {_short(self.leads)} leads"


def _short(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


@dataclass(slots=True)
class DealPlan:
    key: tuple  # (created_at, 0 from a lead | 1 direct, index): the order deals are created in
    lead_index: int | None
    ops: list[tuple]


@dataclass(slots=True)
class LeadPlan:
    index: int  # 0-based, in creation order
    ops: list[tuple]
    deal: DealPlan | None = None


@dataclass
class _Clock:
    """Strictly increasing whole-second times for one record's ops."""

    at: datetime

    def peek(self, days: float) -> datetime:
        return self.at + timedelta(seconds=max(60, int(days * 86400)))

    def after(self, days: float) -> datetime:
        self.at = self.peek(days)
        return self.at


def _spread(rng: Random, index: int, count: int, start: datetime) -> datetime:
    """The index-th of `count` creation times spread over the span, in order."""
    offset = SPAN.total_seconds() * (index + rng.random()) / count
    return start + timedelta(seconds=int(offset))


def _amount(rng: Random) -> Decimal:
    return Decimal(max(500, round(math.exp(rng.gauss(9.4, 1.0)) / 100) * 100))


def _company(rng: Random) -> str:
    return f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)}"


def _source(rng: Random) -> tuple[str | None, float]:
    if rng.random() < 0.1:
        return None, 1.0
    name, quality = rng.choice(SOURCES)
    # Some people type sources in lower case: groups are case-insensitive.
    return (name.lower() if rng.random() < 0.03 else name), quality


def _campaign(rng: Random, when: datetime) -> str | None:
    if rng.random() < 0.5:
        return None
    return f"{when:%Y-%m} {rng.choice(THEMES)}"


# -- deals --------------------------------------------------------------------------------------


def deal_ops(
    rng: Random, created: datetime, actor: str, fields: dict, reps, now: datetime = NOW
) -> list[tuple]:
    """A deal's life from creation: stays, moves, side edits, close, sometimes a reopen."""
    ops: list[tuple] = [("create", created, actor, fields)]
    owner, amount = fields["owner_id"] or actor, fields["amount"]
    stage = PIPELINE.index(fields["stage"]) if fields["stage"] else 0
    clock = _Clock(created)
    while True:
        stay = TARGET_DAYS[stage] * rng.lognormvariate(-0.25, 0.6)
        ends = clock.at + timedelta(days=stay)
        for kind in _side_ops(rng):
            at = clock.peek(stay * rng.uniform(0.05, 0.3))
            if at >= min(ends, now):
                break
            clock.at = at
            if kind == "note":
                ops.append(("note", at, owner, rng.choice(NOTES)))
            elif kind == "edit":
                amount = _changed_amount(rng, amount)
                ops.append(("edit", at, owner, amount))
            elif len(reps) > 1:
                new_owner = rng.choice([r for r in reps if r != owner])
                ops.append(("assign", at, owner, new_owner))
                owner = new_owner
        at = max(ends, clock.at + timedelta(minutes=1)).replace(microsecond=0)
        if at >= now:
            return ops
        clock.at = at
        r = rng.random()
        won_p, lost_p = WIN_P[stage], LOST_P[stage]
        if r < won_p or (r >= won_p + lost_p + 0.07 and stage == len(PIPELINE) - 1):
            if rng.random() < 0.15:
                amount = _changed_amount(rng, amount)
                ops.append(("won", at, owner, amount))
            else:
                ops.append(("won", at, owner, None))
        elif r < won_p + lost_p:
            ops.append(("lost", at, owner, rng.choice(LOST_REASONS)))
        elif r < won_p + lost_p + 0.07 and stage > 0:
            stage -= 1
            ops.append(("move", at, owner, PIPELINE[stage]))
            continue
        else:
            stage = min(stage + 1, len(PIPELINE) - 1)
            ops.append(("move", at, owner, PIPELINE[stage]))
            continue
        # Closed: now and then someone reopens it and the deal goes on where it was.
        if rng.random() >= 0.04:
            return ops
        at = clock.after(rng.uniform(2, 30))
        if at >= now:
            return ops
        ops.append(("reopen", at, owner))


def _side_ops(rng: Random) -> list[str]:
    kinds = []
    if rng.random() < 0.08:
        kinds.append("note")
    if rng.random() < 0.04:
        kinds.append("edit")
    if rng.random() < 0.02:
        kinds.append("assign")
    return kinds


def _changed_amount(rng: Random, amount: Decimal | None) -> Decimal:
    new = _amount(rng)
    return new + 100 if new == amount else new


def _direct_deal(rng: Random, index: int, count: int, spec: Spec) -> DealPlan:
    reps = spec.reps
    created = _spread(rng, index, count, spec.start)
    owner = rng.choice(reps)
    company = _company(rng) if rng.random() < 0.9 else None
    product = rng.choice(PRODUCTS)
    source, _ = _source(rng) if rng.random() < 0.5 else (None, 1.0)
    fields = {
        "name": f"{company} {product}" if company else f"{product.capitalize()} {index}",
        "amount": _amount(rng) if rng.random() < 0.95 else None,
        "owner_id": owner,
        "stage": rng.choice(("qualification", "assessment")) if rng.random() < 0.1 else None,
        "company": company,
        "close_date": _close_date(rng, created) if rng.random() < 0.4 else None,
        "source": source,
        "campaign": _campaign(rng, created) if rng.random() < 0.5 else None,
        "lead_index": None,
    }
    ops = deal_ops(rng, created, owner, fields, reps, spec.now)
    return DealPlan((created, 1, index), None, ops)


def _close_date(rng: Random, created: datetime) -> date:
    return (created + timedelta(days=rng.randint(20, 120))).date()


def direct_deals(spec: Spec, count: int) -> Iterator[DealPlan]:
    rng = Random(f"{spec.seed}-deals")
    for index in range(count):
        yield _direct_deal(rng, index, count, spec)


def deals_in_order(spec: Spec, converted: list[DealPlan]) -> Iterator[DealPlan]:
    """Every deal in creation order: those from leads merged with the direct ones."""
    direct = direct_deals(spec, max(0, spec.deals - len(converted)))
    return heapq.merge(sorted(converted, key=lambda d: d.key), direct, key=lambda d: d.key)


# -- leads --------------------------------------------------------------------------------------


def leads(spec: Spec) -> Iterator[LeadPlan]:
    """Every lead in creation order; about 30% of the deals come from converted leads."""
    rng = Random(f"{spec.seed}-leads")
    convert_share = min(0.5, 0.3 * spec.deals / max(1, spec.leads))
    converted = 0
    for index in range(spec.leads):
        plan = _lead(rng, index, spec, convert_share, converted < spec.deals)
        converted += plan.deal is not None
        yield plan


def _lead(rng: Random, index: int, spec: Spec, convert_share: float, may_convert: bool):
    reps, now = spec.reps, spec.now
    created = _spread(rng, index, spec.leads, spec.start)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    source, quality = _source(rng)
    roll = rng.random()
    stage = 0 if roll < 0.8 else (1 if roll < 0.95 else 2)
    fields = {
        "name": f"{first} {last}",
        "company": _company(rng) if rng.random() < 0.8 else None,
        "email": f"{first}.{index}@lead{index % 97}.example.com".lower()
        if rng.random() < 0.92
        else None,
        "source": source,
        "campaign": _campaign(rng, created),
        "stage": FUNNEL[stage] if stage else None,
        "owner_id": rng.choice(reps),
    }
    owner = fields["owner_id"]
    plan = LeadPlan(index, [("create", created, rng.choice(MARKETERS), fields)])
    clock = _Clock(created)
    converts = may_convert and rng.random() < convert_share * quality
    convert_at = rng.choice((1, 2))  # the stage it converts from
    while True:
        at = clock.after(rng.expovariate(1 / 4) + 0.05)
        if at >= now:
            return plan
        if converts and stage >= convert_at:
            amount = _amount(rng) if rng.random() < 0.7 else None
            deal_stage = "qualification" if rng.random() < 0.2 else None
            plan.ops.append(("convert", at, owner, amount, deal_stage))
            deal_fields = {
                "name": f"{fields['company']} — {fields['name']}"
                if fields["company"]
                else fields["name"],
                "amount": amount,
                "owner_id": owner,
                "stage": deal_stage,
                "company": fields["company"],
                "close_date": None,
                "source": fields["source"],
                "campaign": fields["campaign"],
                "lead_index": index,
            }
            ops = deal_ops(rng, at, owner, deal_fields, reps, now)
            plan.deal = DealPlan((at, 0, index), index, ops)
            return plan
        roll = rng.random()
        if not converts and roll < 0.2:
            plan.ops.append(("drop", at, owner, rng.choice(DROP_REASONS)))
            return plan
        if stage < 3 and (converts or roll < 0.2 + 0.4 * quality):
            stage += 1
            plan.ops.append(("move", at, owner, FUNNEL[stage]))
            if stage == 3:
                return plan
        elif stage > 0 and roll < 0.85:
            stage -= 1
            plan.ops.append(("move", at, owner, FUNNEL[stage]))
        else:
            return plan  # the lead goes quiet and stays where it is
