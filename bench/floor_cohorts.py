"""The floor of `/funnel cohorts` by month: hand-written SQL through the raw driver.

Written from README "How the figures are defined": the period cut at calendar months in the
workspace's zone; one GROUP BY of the period's leads by month and furthest stage, one narrow
query for the days from creation to `action`. Shaped like the product's `Cohorts`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bench.floor_results import us
from bench.floor_stats import Sql, days, median, period_dict, stage_set

MAX_MONTHS = 60


def months(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[str, datetime, datetime]]:
    """(`YYYY-MM`, start, end) of each calendar month in `zone` that [start, end) touches."""

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)

    day = start.astimezone(zone).date().replace(day=1)
    cuts = []
    while midnight(day) < end and len(cuts) < MAX_MONTHS:
        after = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        cuts.append((f"{day:%Y-%m}", max(midnight(day), start), min(midnight(after), end)))
        day = after
    return cuts


def cohorts(sql: Sql, ws: int, period) -> dict:
    zone = ZoneInfo(sql.rows("SELECT timezone FROM workspaces WHERE id = ?", ws)[0][0] or "UTC")
    stages = stage_set(
        sql.rows(
            "SELECT key, label, position, probability, target_days, active FROM stages"
            " WHERE workspace_id = ? AND kind = 'funnel'",
            ws,
        )
    )
    cuts = months(period[0], period[1], zone)
    # The month of each lead, latest first: 0 for the first month, -1 before the period.
    which = " ".join(
        f"WHEN created_at >= '{sql.at(s)}' THEN {i}"
        for i, (_, s, _) in reversed(list(enumerate(cuts)))
    )
    which = f"CASE {which} ELSE -1 END"
    scope = "FROM leads WHERE workspace_id = ? AND created_at >= ? AND created_at < ?"
    bounds = (ws, sql.at(period[0]), sql.at(period[1]))
    furthest: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for index, key, n in sql.rows(
        f"SELECT {which}, furthest_stage_key, count(*) {scope} GROUP BY 1, 2", *bounds
    ):
        known = stages.by_key.get(key)
        furthest[index][known["position"] if known else None] += n
    waits: dict[int, list[float]] = defaultdict(list)
    for index, waited in sql.rows(
        f"SELECT {which}, {us(sql, 'action_at')} - {us(sql, 'created_at')} {scope}"
        " AND action_at IS NOT NULL",
        *bounds,
    ):
        waits[index].append(days(max(waited, 0)))
    rows = []
    for index, (label, start, end) in enumerate(cuts):
        counts = furthest.get(index, {})
        reached = [
            sum(n for p, n in counts.items() if p is not None and p >= stage["position"])
            for stage in stages.active
        ]
        rows.append(
            {
                "label": label,
                "start": start,
                "end": end,
                "size": sum(counts.values()),
                "reached": reached,
                "median_days_to_action": median(waits[index]),
            }
        )
    if len(rows) > 1 and not rows[-1]["size"]:
        rows.pop()  # a month just begun with no lead yet
    return {
        "period": period_dict(period),
        "by": "month",
        "stages": [s["label"] for s in stages.active],
        "rows": rows,
    }
