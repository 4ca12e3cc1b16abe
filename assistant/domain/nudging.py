"""Personal nudges, the pure part: preferences, when a nudge is due, why a deal is in it,
how much is at risk, and how the attention budget adapts (issue 18).

A deal needs its owner when it is
- `stuck`: longer in its stage than the stage's target;
- `close_passed`: its expected close date is before today;
- `quiet`: no change and no note for the stage's target in days (14 without one).
Its value at risk is amount x stage probability x how overdue it is (1.5 = half as long
again as allowed), the worst of its reasons; deals are listed by that, highest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from assistant.domain.errors import InvalidInput, shown
from assistant.domain.limits import MAX_NUDGE_BUDGET, MAX_SNOOZE_DAYS
from assistant.domain.schedule import local_to_utc

DEFAULT_AT = "09:00"
DEFAULT_DAYS = (0, 1, 2, 3, 4)
DEFAULT_BUDGET = 5
# Nobody is nudged between these local times: a late catch-up waits for the next day.
QUIET_FROM = time(20, 0)
QUIET_UNTIL = time(7, 0)
COOL_DOWN_WORKING_DAYS = 3
QUIET_DAYS_WITHOUT_TARGET = 14
ACTED_WITHIN = timedelta(hours=24)
# The budget adapts to what the rep does with it, judged over two weeks of settled items.
ADAPT_WINDOW = timedelta(days=14)
ADAPT_MIN_ITEMS = 5
LOW_RATE, HIGH_RATE = 0.2, 0.9
ADAPT_STEP = 2

STUCK, CLOSE_PASSED, QUIET = "stuck", "close_passed", "quiet"
REASONS = (STUCK, CLOSE_PASSED, QUIET)
SENT, ACTED, SNOOZED, IGNORED, ESCALATED = "sent", "acted", "snoozed", "ignored", "escalated"

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")


@dataclass(frozen=True)
class Prefs:
    enabled: bool = True
    at_time: str = DEFAULT_AT
    days: tuple[int, ...] = DEFAULT_DAYS
    budget: int = DEFAULT_BUDGET

    def due_at(self, day: date, zone: ZoneInfo) -> datetime | None:
        """When the nudge of local `day` is due (UTC), or None on a day off."""
        if not self.enabled or day.weekday() not in self.days:
            return None
        hours, minutes = self.at_time.split(":")
        return local_to_utc(day, time(int(hours), int(minutes)), zone)

    def describe_days(self) -> str:
        return describe_days(self.days)


def in_quiet_hours(local: time) -> bool:
    return local >= QUIET_FROM or local < QUIET_UNTIL


def parse_time(text: str) -> str:
    """`08:30`, `8:30`, `8am`, `9` -> "HH:MM"; never within quiet hours."""
    match = _TIME.match(text.strip().casefold())
    bad = InvalidInput(f"`{shown(text)}` is not a time of day; use 24-hour HH:MM, e.g. `08:30`.")
    if not match:
        raise bad
    hours, minutes = int(match[1]), int(match[2] or 0)
    if match[3]:
        if not 1 <= hours <= 12:
            raise bad
        hours = hours % 12 + (12 if match[3] == "pm" else 0)
    if hours > 23 or minutes > 59:
        raise bad
    at = time(hours, minutes)
    if in_quiet_hours(at):
        raise InvalidInput(
            f"{at:%H:%M} is in quiet hours ({QUIET_FROM:%H:%M}–{QUIET_UNTIL:%H:%M}); "
            "pick a time between 07:00 and 19:59."
        )
    return f"{hours:02d}:{minutes:02d}"


def parse_days(text: str) -> tuple[int, ...]:
    """`mon-thu`, `mon,wed,fri`, `weekdays`, `every day` -> weekday numbers (0 = Monday)."""
    words = text.strip().casefold().replace(" ", ",")
    if words in ("weekdays", "workdays"):
        return DEFAULT_DAYS
    if words in ("daily", "every,day", "everyday", "all"):
        return tuple(range(7))
    found: set[int] = set()
    for part in filter(None, words.split(",")):
        ends = part.split("-")
        if len(ends) > 2 or not all(_day(e) is not None for e in ends):
            raise InvalidInput(
                f"`{shown(text)}` is not a list of days; e.g. `mon-thu` or `mon,wed,fri`."
            )
        first, last = _day(ends[0]), _day(ends[-1])
        assert first is not None and last is not None
        if last < first:
            raise InvalidInput(f"`{shown(part)}` runs backwards; write it as e.g. `mon-thu`.")
        found.update(range(first, last + 1))
    if not found:
        raise InvalidInput("Name at least one day, e.g. `mon-fri`; or `/nudge off`.")
    return tuple(sorted(found))


def _day(word: str) -> int | None:
    word = word.strip()[:3]
    return DAY_NAMES.index(word) if word in DAY_NAMES else None


def describe_days(days: tuple[int, ...]) -> str:
    if days == DEFAULT_DAYS:
        return "Mon–Fri"
    if days == tuple(range(7)):
        return "every day"
    if len(days) > 2 and days == tuple(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]].title()}–{DAY_NAMES[days[-1]].title()}"
    return ", ".join(DAY_NAMES[d].title() for d in days)


def days_text(days: tuple[int, ...]) -> str:
    return ",".join(str(d) for d in days)


def days_of_text(stored: str) -> tuple[int, ...]:
    return tuple(sorted({int(d) for d in stored.split(",") if d.strip().isdigit()} & set(range(7))))


def parse_budget(text: str) -> int:
    try:
        budget = int(text.strip())
    except ValueError:
        raise InvalidInput(
            f"`{shown(text)}` is not a number of deals; e.g. `/nudge max 3`."
        ) from None
    if not 1 <= budget <= MAX_NUDGE_BUDGET:
        raise InvalidInput(
            f"A nudge lists 1 to {MAX_NUDGE_BUDGET} deals ({budget} given); "
            "to get none, `/nudge off`."
        )
    return budget


def snooze_until(now: datetime, zone: ZoneInfo, choice: str) -> datetime:
    """`3d`, `1w` or a date `YYYY-MM-DD` -> the instant the snooze ends (the local morning)."""
    today = now.astimezone(zone).date()
    if choice == "3d":
        day = today + timedelta(days=3)
    elif choice == "1w":
        day = today + timedelta(days=7)
    else:
        try:
            day = date.fromisoformat(choice)
        except ValueError:
            raise InvalidInput(
                f"`{shown(choice)}` is not a date; pick one in the calendar."
            ) from None
        if day <= today:
            raise InvalidInput("Pick a day after today to snooze until.")
        if day > today + timedelta(days=MAX_SNOOZE_DAYS):
            raise InvalidInput(f"A snooze lasts at most {MAX_SNOOZE_DAYS} days.")
    return local_to_utc(day, time(0, 0), zone)


@dataclass(frozen=True)
class DealState:
    """What the assessment needs of an open deal."""

    amount: Decimal | None
    probability: Decimal
    target_days: int | None
    stage_entered_at: datetime
    close_date: date | None
    last_touch: datetime  # the last change or note


@dataclass(frozen=True)
class Assessment:
    reason: str
    ratio: float  # how overdue: 1.0 = just due
    value_at_risk: Decimal
    overdue_days: float


def assess(deal: DealState, now: datetime, today: date) -> Assessment | None:
    """Why the deal needs its owner (the worst reason), or None if it does not."""
    found: list[tuple[float, str, float]] = []
    in_stage = (now - deal.stage_entered_at).total_seconds() / 86400
    if deal.target_days and in_stage > deal.target_days:
        found.append((in_stage / deal.target_days, STUCK, in_stage - deal.target_days))
    if deal.close_date is not None and deal.close_date < today:
        late = (today - deal.close_date).days
        # Past its close date by a month counts like twice a stage's time.
        found.append((1 + late / 30, CLOSE_PASSED, float(late)))
    allowed = deal.target_days or QUIET_DAYS_WITHOUT_TARGET
    silent = (now - deal.last_touch).total_seconds() / 86400
    if silent > allowed:
        found.append((silent / allowed, QUIET, silent - allowed))
    if not found:
        return None
    ratio, reason, overdue = max(found)
    risk = (deal.amount or Decimal(0)) * deal.probability * Decimal(str(round(ratio, 4)))
    return Assessment(reason, ratio, risk.quantize(Decimal("0.01")), overdue)


def working_days_between(start: date, end: date) -> int:
    """Mon–Fri days after `start` up to and including `end`."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += day.weekday() < 5
    return count


def got_worse(deal: DealState, then: datetime, now: datetime, zone: ZoneInfo) -> bool:
    """Worth nudging again within the cool-down: since `then` the deal passed its stage's
    target, or its expected close date."""
    if deal.target_days:
        due = deal.stage_entered_at + timedelta(days=deal.target_days)
        if then < due <= now:
            return True
    if deal.close_date is not None:
        return then.astimezone(zone).date() <= deal.close_date < now.astimezone(zone).date()
    return False


@dataclass(frozen=True)
class Budget:
    size: int
    why: str


def adapt_budget(base: int, settled: int, acted: int) -> Budget:
    """The budget after two weeks of what the rep did with their nudges."""
    if settled < ADAPT_MIN_ITEMS:
        return Budget(base, "your setting" if base != DEFAULT_BUDGET else "the default")
    rate = acted / settled
    record = f"you acted on {acted} of {settled} nudged deals in two weeks ({rate:.0%})"
    if rate < LOW_RATE and base > 1:
        return Budget(max(1, base - ADAPT_STEP), f"{record}, so only the ones that matter most")
    if rate >= HIGH_RATE and base < MAX_NUDGE_BUDGET:
        return Budget(min(MAX_NUDGE_BUDGET, base + ADAPT_STEP), f"{record}, so room for more")
    return Budget(base, record)
