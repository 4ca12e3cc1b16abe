"""When a digest is due: pure calendar arithmetic in the subscription's own time zone.

Frequencies, all at HH:MM local time in the subscription's IANA zone:
- `daily`: every day; `weekdays`: Monday to Friday; `weekly`: one weekday (0 = Monday);
- `monthly`: the 1st of each month (the first working day would move with holidays we do
  not know; the 1st is what people expect of "monthly").

Local time is kept across daylight-saving changes: 09:00 in New York is 13:00 UTC in summer
and 14:00 UTC in winter. Two local times need a rule:
- one that does not exist (02:30 on spring-forward day) moves forward by the gap, to 03:30;
- one that happens twice (01:30 on fall-back day) is the first of the two, so it is due once.
Both fall out of reading the wall time with PEP 495's `fold=0`, which applies the offset in
force before the change.

All instants in and out are aware UTC datetimes; occurrences are whole minutes, so every
process computes the very same instants, which the exactly-once key relies on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.domain.errors import InvalidInput

DIGEST_KINDS = ("pipeline", "funnel", "both")
FREQUENCIES = ("daily", "weekdays", "weekly", "monthly")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_AT_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
# Longest gap between two occurrences (monthly: 31 days, plus an hour of DST shift).
_LONGEST_GAP = timedelta(days=32)


@dataclass(frozen=True, kw_only=True)
class Schedule:
    frequency: str
    weekday: int | None = None  # 0 = Monday; weekly only
    at_time: str  # "HH:MM", 24-hour, local
    timezone: str  # IANA name, e.g. "Europe/Berlin"

    def __post_init__(self) -> None:
        frequency = str(self.frequency).strip().lower()
        if frequency not in FREQUENCIES:
            raise InvalidInput(
                f"Unknown frequency `{self.frequency}`. "
                "Use daily, weekdays, weekly <day> or monthly."
            )
        object.__setattr__(self, "frequency", frequency)
        object.__setattr__(self, "at_time", _normal_time(self.at_time))
        object.__setattr__(self, "timezone", _check_zone(self.timezone))
        if frequency == "weekly":
            if not isinstance(self.weekday, int) or not 0 <= self.weekday <= 6:
                raise InvalidInput("A weekly digest needs a day, e.g. `weekly monday`.")
        elif self.weekday is not None:
            raise InvalidInput(f"Only weekly digests take a day; `{frequency}` does not.")

    @classmethod
    def of(cls, row: object) -> Schedule:
        """The schedule of anything with frequency/weekday/at_time/timezone attributes."""
        return cls(
            frequency=row.frequency,  # type: ignore[attr-defined]
            weekday=row.weekday,  # type: ignore[attr-defined]
            at_time=row.at_time,  # type: ignore[attr-defined]
            timezone=row.timezone,  # type: ignore[attr-defined]
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_time(self) -> time:
        hours, minutes = self.at_time.split(":")
        return time(int(hours), int(minutes))

    def runs_on(self, day: date) -> bool:
        if self.frequency == "weekdays":
            return day.weekday() < 5
        if self.frequency == "weekly":
            return day.weekday() == self.weekday
        if self.frequency == "monthly":
            return day.day == 1
        return True

    def describe(self) -> str:
        """`weekly on Monday at 09:00 (Europe/Berlin)`."""
        when = {
            "daily": "daily",
            "weekdays": "weekdays",
            "weekly": f"weekly on {WEEKDAYS[self.weekday or 0]}",
            "monthly": "monthly on the 1st",
        }[self.frequency]
        return f"{when} at {self.at_time} ({self.timezone})"


def occurrences_between(
    schedule: Schedule, start_utc: datetime, end_utc: datetime
) -> list[datetime]:
    """Occurrences `t` with `start_utc < t <= end_utc`, oldest first, as aware UTC."""
    _require_aware(start_utc, end_utc)
    if end_utc <= start_utc:
        return []
    zone = schedule.zone
    # A day either side: the local date of an instant differs from its UTC date near midnight.
    day = start_utc.astimezone(zone).date() - timedelta(days=1)
    last = end_utc.astimezone(zone).date() + timedelta(days=1)
    found = []
    while day <= last:
        if schedule.runs_on(day):
            at = local_to_utc(day, schedule.local_time, zone)
            if start_utc < at <= end_utc:
                found.append(at)
        day += timedelta(days=1)
    return found


def latest_due(schedule: Schedule, now_utc: datetime) -> datetime | None:
    """The most recent occurrence at or before `now_utc`."""
    found = occurrences_between(schedule, now_utc - _LONGEST_GAP, now_utc)
    return found[-1] if found else None


def previous_occurrence(schedule: Schedule, occurrence_utc: datetime) -> datetime | None:
    """The occurrence before `occurrence_utc` (the start of "movement since last digest")."""
    return latest_due(schedule, occurrence_utc - timedelta(microseconds=1))


def next_occurrence(schedule: Schedule, after_utc: datetime) -> datetime:
    """The first occurrence strictly after `after_utc`."""
    return occurrences_between(schedule, after_utc, after_utc + _LONGEST_GAP)[0]


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Wall time `at` on `day` in `zone` as UTC: gaps shift forward, repeats take the first."""
    return datetime.combine(day, at, tzinfo=zone).replace(fold=0).astimezone(UTC)


def _normal_time(text: object) -> str:
    match = _AT_TIME.match(str(text).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidInput(f"`{text}` is not a time of day; use 24-hour HH:MM, e.g. `09:00`.")
    return f"{int(match[1]):02d}:{match[2]}"


def _check_zone(name: object) -> str:
    try:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(name)
        ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"Unknown time zone `{name}`. Use an Area/City name, e.g. `Europe/Berlin`."
        ) from None
    return name.strip()


def _require_aware(*instants: datetime) -> None:
    for instant in instants:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("schedule arithmetic needs aware datetimes")
