"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, DateTime, Integer
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC.

    SQLite keeps no time zone and PostgreSQL's `timestamptz` converts on the way out, so the
    two would hand back different kinds of datetime; storing naive UTC on both and attaching
    UTC on load gives every caller the same aware value.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Money(TypeDecorator[Decimal]):
    """Exact amounts as integer cents.

    SQLite has no decimal type: a NUMERIC column hands floats to the driver and `SUM()` adds
    them in floating point. Integer cents are exact on both databases, and so are their sums.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | None, dialect) -> int | None:
        if value is None:
            return None
        cents = (Decimal(value) * 100).to_integral_value(rounding=ROUND_HALF_UP)
        return int(cents)

    def process_result_value(self, value: int | None, dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(CENT)


class Probability(TypeDecorator[Decimal]):
    """A share 0..1 stored as basis points (integer), exact on SQLite too."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect) -> int | None:
        if value is None:
            return None
        return int((Decimal(value) * 10000).to_integral_value(rounding=ROUND_HALF_UP))

    def process_result_value(self, value: int | None, dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 10000).quantize(Decimal("0.0001"))
