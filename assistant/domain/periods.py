"""Reporting periods (`30d`, `last month`, `2026-Q3`...) in the workspace's time zone.

A period is a half-open interval [start, end) of aware datetimes whose calendar boundaries are
local midnights. Python's arithmetic on aware datetimes that share a tzinfo is wall-clock
arithmetic (it ignores DST offsets), so every length and shift here is computed in UTC and only
converted back to local time for display; that is what makes a local day 23 or 25 hours long
across a daylight-saving change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.domain.errors import InvalidInput

DEFAULT_PERIOD = "30d"
MAX_DAYS = 3650

PERIOD_HELP = (
    "Periods: `today`, `yesterday`, `<N>d` (the last N days, e.g. `7d`, `30d`), "
    "`this week|month|quarter|year`, `last week|month|quarter|year`, "
    "`YYYY-MM-DD..YYYY-MM-DD` (end date included), `YYYY-Qn` (e.g. `2026-Q3`). "
    "Weeks start on Monday; the default is `30d`."
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


def _unit_before(unit: str, start: date) -> date:
    """The start of the calendar unit just before the one that starts on `start`."""
    if unit == "week":
        return start - timedelta(days=7)
    if unit == "year":
        return start.replace(year=start.year - 1)
    months = 1 if unit == "month" else 3
    index = start.year * 12 + start.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


_DAYS_RE = re.compile(r"(?:last\s+)?([0-9]+)\s*(?:d|days?)")
_UNIT_RE = re.compile(r"(this|last)\s+(week|month|quarter|year)")
_DATE = r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
# `…` too: some keyboards and Slack's autocorrect turn typed dots into an ellipsis.
_RANGE_RE = re.compile(_DATE + r"\s*(?:\.\.|…)\s*" + _DATE)
_QUARTER_RE = re.compile(r"([0-9]{4})\s*-?\s*q([0-9])")
_SHAPES = (_DAYS_RE, _UNIT_RE, _RANGE_RE, _QUARTER_RE)


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


def parse_period(text: str | None, tz: ZoneInfo, now: datetime) -> Period:
    """Parse a period typed by a user; `now` must be aware, boundaries are midnights in `tz`."""
    local_now = _utc(now).astimezone(tz)
    today = local_now.date()
    norm = _normalise(text or "") or DEFAULT_PERIOD
    raw = (text or "").strip()

    if norm == "today":
        return Period(_midnight(today, tz), local_now, "today")
    if norm == "yesterday":
        return _day_span(today - timedelta(days=1), today, tz, "yesterday")

    if match := _DAYS_RE.fullmatch(norm):
        count = int(match[1])
        if not 1 <= count <= MAX_DAYS:
            raise _invalid(raw, f"the number of days must be 1 to {MAX_DAYS}")
        # Elapsed days up to this instant, not calendar days: `7d` is always 168 hours.
        start = (_utc(now) - timedelta(days=count)).astimezone(tz)
        return Period(start, local_now, f"last {count} day{'s' if count != 1 else ''}")

    if match := _UNIT_RE.fullmatch(norm):
        which, unit = match[1], match[2]
        current = _unit_start(unit, today)
        if which == "this":
            return Period(_midnight(current, tz), local_now, f"this {unit}")
        return _day_span(_unit_before(unit, current), current, tz, f"last {unit}")

    if match := _RANGE_RE.fullmatch(norm):
        try:
            first = date(int(match[1]), int(match[2]), int(match[3]))
            last = date(int(match[4]), int(match[5]), int(match[6]))
            after_last = last + timedelta(days=1)
        except (ValueError, OverflowError):
            raise _invalid(raw, "no such date") from None
        if first > last:
            raise _invalid(raw, "the start date is after the end date")
        return _day_span(first, after_last, tz, f"{first.isoformat()}..{last.isoformat()}")

    if match := _QUARTER_RE.fullmatch(norm):
        year, quarter = int(match[1]), int(match[2])
        if not 1 <= quarter <= 4 or year < 1:
            raise _invalid(raw, "quarters are Q1 to Q4")
        first = date(year, 3 * quarter - 2, 1)
        if quarter == 4:
            if year == 9999:
                raise _invalid(raw, "no such date")
            after_last = date(year + 1, 1, 1)
        else:
            after_last = date(year, 3 * quarter + 1, 1)
        return _day_span(first, after_last, tz, f"{year}-Q{quarter}")

    raise _invalid(raw)
