"""Reporting periods (`30d`, `last month`, `next quarter`, `2026-10`...) in the workspace's zone.

A period is a half-open interval [start, end) of aware datetimes whose calendar boundaries are
local midnights. Python's arithmetic on aware datetimes that share a tzinfo is wall-clock
arithmetic (it ignores DST offsets), so every length and shift here is computed in UTC and only
converted back to local time for display; that is what makes a local day 23 or 25 hours long
across a daylight-saving change.

Two kinds of period end "now": `<N>d` and `last N weeks` count elapsed days (`last 2 weeks` is
exactly `14d`), while `last N months` starts at the same wall-clock time N calendar months ago,
the day clipped to the end of a shorter month (on 31 May, `last 3 months` starts on 28 February
at the same time of day), because "months" means calendar months to the people who type it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.domain.errors import InvalidInput

DEFAULT_PERIOD = "30d"
MAX_DAYS = 3650
MAX_WEEKS = MAX_DAYS // 7
MAX_MONTHS = 120

PERIOD_HELP = (
    "Periods: `today`, `yesterday`, `<N>d` (the last N days, e.g. `7d`, `30d`), "
    "`last N days|weeks|months` (up to now, e.g. `last 2 weeks`), "
    "`this week|month|quarter|year`, `last week|month|quarter|year`, "
    "`next week|month|quarter` (the whole coming one), `YYYY-MM` (a month, e.g. `2026-10`), "
    "`YYYY-MM-DD` (one day), `YYYY-MM-DD..YYYY-MM-DD` (end date included; `/` works too), "
    "`YYYY-Qn` (e.g. `2026-Q3`). Weeks start on Monday; the default is `30d`."
)


def _utc(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got {dt!r}")
    return dt.astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """[start, end): `start` is included, `end` is not; both timezone-aware."""

    start: datetime
    end: datetime
    label: str

    @property
    def duration(self) -> timedelta:
        return _utc(self.end) - _utc(self.start)

    @property
    def days(self) -> float:
        """Elapsed days, so a local day across a DST change counts as 23/24 or 25/24."""
        return self.duration.total_seconds() / 86400

    def contains(self, dt: datetime) -> bool:
        # Compared in UTC: same-tzinfo comparison ignores `fold` and would misplace the
        # repeated hour of a fall-back night.
        return _utc(self.start) <= _utc(dt) < _utc(self.end)

    def previous(self) -> Period:
        """The period of the same elapsed length ending where this one starts (for "vs")."""
        tz = self.start.tzinfo
        start_utc = _utc(self.start)
        start = (start_utc - self.duration).astimezone(tz)
        return Period(start, start_utc.astimezone(tz), f"period before {self.label}")


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    # Round-tripping through UTC turns a midnight that does not exist (zones that spring forward
    # at 00:00) into the first real instant of that day.
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC).astimezone(tz)


def _day_span(first: date, after_last: date, tz: ZoneInfo, label: str) -> Period:
    return Period(_midnight(first, tz), _midnight(after_last, tz), label)


def _unit_start(unit: str, today: date) -> date:
    if unit == "week":
        return today - timedelta(days=today.weekday())  # Monday
    if unit == "month":
        return today.replace(day=1)
    if unit == "quarter":
        return today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    return today.replace(month=1, day=1)


def _month_start(year: int, month: int, months_later: int = 0) -> date:
    """The first day of the month `months_later` months after year-month (negative: before)."""
    index = year * 12 + month - 1 + months_later
    return date(index // 12, index % 12 + 1, 1)


def _unit_shift(unit: str, start: date, steps: int) -> date:
    """The start of the calendar unit `steps` units after the one that starts on `start`."""
    if unit == "week":
        return start + timedelta(days=7 * steps)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    return _month_start(start.year, start.month, months * steps)


def _months_before(local_now: datetime, count: int, tz: ZoneInfo) -> datetime:
    """The same wall-clock time `count` calendar months earlier, the day clipped to month end."""
    first = _month_start(local_now.year, local_now.month, -count)
    day = min(local_now.day, calendar.monthrange(first.year, first.month)[1])
    wall = local_now.replace(year=first.year, month=first.month, day=day, fold=0)
    # Via UTC, so a wall time that a DST change skips that day lands on a real instant.
    return wall.astimezone(UTC).astimezone(tz)


_DAYS_RE = re.compile(r"(?:last\s+)?([0-9]+)\s*(?:d|days?)")
_SPAN_RE = re.compile(r"(?:last\s+)?([0-9]+)\s*(weeks?|months?)")
_UNIT_RE = re.compile(r"(this|last)\s+(week|month|quarter|year)")
# No `next year`: issue #15 asked for the coming week, month or quarter, and `/pipeline
# forecast next year` should keep saying plainly that it doesn't know it.
_NEXT_RE = re.compile(r"next\s+(week|month|quarter)")
# Dates are written with `-` or `/` (`2026/10/05`), the same separator twice.
_DATE = r"[0-9]{4}(?:-[0-9]{1,2}-|/[0-9]{1,2}/)[0-9]{1,2}"
_DAY_RE = re.compile(f"({_DATE})")
# `…` too: some keyboards and Slack's autocorrect turn typed dots into an ellipsis.
_RANGE_RE = re.compile(f"({_DATE})" + r"\s*(?:\.\.|…)\s*" + f"({_DATE})")
_MONTH_RE = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})")
_QUARTER_RE = re.compile(r"([0-9]{4})\s*-?\s*q([0-9])")
_SHAPES = (_DAYS_RE, _SPAN_RE, _UNIT_RE, _NEXT_RE, _DAY_RE, _RANGE_RE, _MONTH_RE, _QUARTER_RE)


def _normalise(text: str) -> str:
    # Casefold and collapse any whitespace (Slack turns some spaces into non-breaking ones).
    return " ".join(text.split()).casefold()


def looks_like_period(text: str | None) -> bool:
    """True when the text has the shape of a period, even an invalid one such as `2026-Q5`.

    A command parser uses this to route a token to `parse_period`, which then explains exactly
    what is wrong, instead of reporting it as an unknown filter.
    """
    if text is None:
        return False
    norm = _normalise(text)
    return norm in ("today", "yesterday") or any(rx.fullmatch(norm) for rx in _SHAPES)


def _invalid(text: str, reason: str = "") -> InvalidInput:
    shown = text if len(text) <= 40 else text[:37] + "..."
    why = f" ({reason})" if reason else ""
    return InvalidInput(f"`{shown}` isn't a period I know{why}. {PERIOD_HELP}")


def _counted(count: int, unit: str) -> str:
    return f"{count} {unit}{'s' if count != 1 else ''}"


def _up_to_now(norm: str, raw: str, tz: ZoneInfo, local_now: datetime) -> Period | None:
    """Periods that end at this instant and count back: `7d`, `last 2 weeks`, `last 3 months`."""
    if match := _DAYS_RE.fullmatch(norm):
        unit, most = "day", MAX_DAYS
    elif match := _SPAN_RE.fullmatch(norm):
        unit = match[2].removesuffix("s")
        most = MAX_WEEKS if unit == "week" else MAX_MONTHS
    else:
        return None
    # A pasted run of digits is no count; int() would refuse one of over 4,300 digits anyway.
    count = int(match[1]) if len(match[1]) <= len(str(most)) else 0
    if not 1 <= count <= most:
        raise _invalid(raw, f"the number of {unit}s must be 1 to {most}")
    if unit == "month":
        start = _months_before(local_now, count, tz)
    else:
        # Elapsed days up to this instant, not calendar days: `7d` is always 168 hours.
        days = count * 7 if unit == "week" else count
        start = (_utc(local_now) - timedelta(days=days)).astimezone(tz)
    return Period(start, local_now, f"last {_counted(count, unit)}")


def _calendar_unit(norm: str, tz: ZoneInfo, local_now: datetime) -> Period | None:
    """`this|last week|month|quarter|year` and `next week|month|quarter`."""
    today = local_now.date()
    if norm == "today":
        return Period(_midnight(today, tz), local_now, "today")
    if norm == "yesterday":
        return _day_span(today - timedelta(days=1), today, tz, "yesterday")
    if match := _UNIT_RE.fullmatch(norm) or _NEXT_RE.fullmatch(norm):
        which, unit = norm.split()[0], match[match.lastindex or 1]
        current = _unit_start(unit, today)
        if which == "this":
            return Period(_midnight(current, tz), local_now, f"this {unit}")
        # The whole unit before the current one, or the whole one after it.
        first = _unit_shift(unit, current, -1 if which == "last" else 1)
        return _day_span(first, _unit_shift(unit, first, 1), tz, f"{which} {unit}")
    return None


def _date(text: str) -> date:
    year, month, day = (int(part) for part in re.split("[-/]", text))
    return date(year, month, day)


def _dates(norm: str, raw: str, tz: ZoneInfo) -> Period | None:
    """Periods named by the calendar: a day, a range of days, a month, a quarter."""
    try:
        if match := _DAY_RE.fullmatch(norm):
            day = _date(match[1])
            return _day_span(day, day + timedelta(days=1), tz, day.isoformat())
        if match := _RANGE_RE.fullmatch(norm):
            first, last = _date(match[1]), _date(match[2])
            if first > last:
                raise _invalid(raw, "the start date is after the end date")
            label = f"{first.isoformat()}..{last.isoformat()}"
            return _day_span(first, last + timedelta(days=1), tz, label)
        if match := _MONTH_RE.fullmatch(norm):
            first = date(int(match[1]), int(match[2]), 1)
            after = _month_start(first.year, first.month, 1)
            return _day_span(first, after, tz, f"{first.year:04d}-{first.month:02d}")
        if match := _QUARTER_RE.fullmatch(norm):
            year, quarter = int(match[1]), int(match[2])
            if not 1 <= quarter <= 4 or year < 1:
                raise _invalid(raw, "quarters are Q1 to Q4")
            first = date(year, 3 * quarter - 2, 1)
            return _day_span(first, _month_start(year, first.month, 3), tz, f"{year}-Q{quarter}")
    except (ValueError, OverflowError):  # 2026-02-30, 2026-13, or past the year 9999
        raise _invalid(raw, "no such date") from None
    return None


def parse_period(text: str | None, tz: ZoneInfo, now: datetime) -> Period:
    """Parse a period typed by a user; `now` must be aware, boundaries are midnights in `tz`."""
    local_now = _utc(now).astimezone(tz)
    norm = _normalise(text or "") or DEFAULT_PERIOD
    raw = (text or "").strip()
    period = (
        _up_to_now(norm, raw, tz, local_now)
        or _calendar_unit(norm, tz, local_now)
        or _dates(norm, raw, tz)
    )
    if period is None:
        raise _invalid(raw)
    return period


def whole(period: Period, now: datetime, zone: ZoneInfo) -> Period:
    """A period that stops at "now" read to its natural end (forecasts and targets look
    forward).

    `30d` becomes the next 30 days, `last 2 weeks` the next two weeks, and `this quarter` the
    whole quarter; explicit dates, months, quarters, `next ...` and past periods stay as typed.
    Recognised by the labels `parse_period` gives.
    """
    words = period.label.split()
    if period.end != now:
        return period
    if words[0] == "last" and words[1].isdigit():  # `<N>d` ("last N days"), `last N weeks|months`
        count, unit = int(words[1]), words[2].removesuffix("s")
        days = {"day": count, "week": 7 * count}.get(unit)
        ahead = timedelta(days=days) if days else period.duration  # months: as long again
        return Period(now, now + ahead, f"next {count} {unit}{'s' if count != 1 else ''}")
    if words[0] not in ("today", "this"):
        return period  # `last month`, `yesterday`, a date: they end at a midnight that can be now
    first = period.start.date()
    unit = "day" if words[0] == "today" else words[1]
    months = {"month": 1, "quarter": 3, "year": 12}.get(unit)
    if months:
        index = first.year * 12 + first.month - 1 + months
        after = date(index // 12, index % 12 + 1, 1)
    else:
        after = first + timedelta(days=7 if unit == "week" else 1)
    # Via UTC, so a midnight that a DST change skips becomes the day's first real instant.
    end = datetime.combine(after, time(0), tzinfo=zone).astimezone(UTC).astimezone(zone)
    return Period(period.start, end, period.label)


def calendar_label(period: Period) -> str:
    """A name that stays true later: `2026-Q4` for this quarter, `2026-11` for last month, the
    dates otherwise (a stored target must not say "this quarter" next year)."""
    first = period.start.date()
    last = (period.end - timedelta(microseconds=1)).date()
    after = last + timedelta(days=1)
    if first.day == 1 and after.day == 1:
        months = (after.year - first.year) * 12 + after.month - first.month
        if months == 1:
            return f"{first.year}-{first.month:02d}"
        if months == 3 and first.month % 3 == 1:
            return f"{first.year}-Q{first.month // 3 + 1}"
        if months == 12 and first.month == 1:
            return f"{first.year}"
    return f"{first.isoformat()}..{last.isoformat()}"
