"""The floor: the digests' figures from hand-written SQL through the raw driver.

The same definitions as `assistant/analytics` (README "How the figures are defined"), written
the shortest way: one pass over the open deals for the board, the bottleneck's "now" figures
and the stuck list (here); one query for the stays that ended in the movement window, one for
the order statistics of those of the 30 days and the 30 before (ranked as the product
ranks them: in SQL on PostgreSQL, in Python on SQLite), one for closed deals
(`bench.floor_periods`); one GROUP BY and one narrow query for the funnel, its sources and
its campaigns together (`bench.floor_funnel`). Times come back as integer microseconds so
durations are exact; results are plain dicts shaped like the product's dataclasses
(`tests/bench/canon.py` compares them). No SQLAlchemy here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from bench.floor_periods import (
    EMPTY,
    bottlenecks,
    movement,
    outcomes,
    stay_ends,
    stay_ranks,
    top_stuck,
)
from bench.floor_stats import DAY_S, US, ZERO, Sql, days, micros, money, period_dict, stage_set

# -- the pipeline digest ------------------------------------------------------------------------


def pipeline_digest(sql: Sql, ws: int, now: datetime, since: datetime, period, previous) -> dict:
    currency, zone = sql.rows("SELECT currency, timezone FROM workspaces WHERE id = ?", ws)[0]
    stages = stage_set(sql.rows(_STAGES, ws, "pipeline"))
    now_us = micros(now)
    open_deals = sql.rows(
        f"SELECT number, stage_key, amount, {sql.us('stage_entered_at')} FROM deals"
        " WHERE workspace_id = ? AND status = 'open'",
        ws,
    )
    loads, days_now, stuck = _open_figures(open_deals, stages, now_us)
    ends = stay_ends(sql, ws, since, now)
    board = _board(stages, loads, now, currency)
    top = top_stuck(sql, ws, stuck, stages, now_us)
    return {
        "workspace_id": ws,
        "currency": currency,
        "timezone": zone,
        "now": now,
        "board": board,
        "movement": movement(sql, ws, stages, ends, since, now),
        "bottlenecks": bottlenecks(
            stages,
            loads,
            days_now,
            stay_ranks(sql, ws, period, previous),
            period,
            previous,
            now,
            currency,
            top,
        ),
        "outcomes": outcomes(sql, ws, period, previous),
        "period": period_dict(period),
        "results": None,  # a daily digest: only weekly ones report last week's results
        "target": None,
        "last_forecast": None,  # weekly too: last period's forecast, scored
    }


_STAGES = (
    "SELECT key, label, position, probability, target_days, active FROM stages"
    " WHERE workspace_id = ? AND kind = ?"
)


def _open_figures(rows, stages, now_us: int):
    """Per stage: [count, cents, stuck count, stuck cents, sum of stuck entry seconds]."""
    loads: dict[str, list] = {}
    days_now: dict[str, list[float]] = defaultdict(list)
    stuck = []
    for number, key, amount, entered in rows:
        load = loads.get(key)
        if load is None:
            load = loads[key] = [0, None, 0, None, 0]
        load[0] += 1
        if amount is not None:
            load[1] = (load[1] or 0) + amount
        days_now[key].append(days(now_us - entered))
        target = stages.get(key)["target_days"]
        if target is not None and entered < now_us - target * DAY_S * US:
            load[2] += 1
            if amount is not None:
                load[3] = (load[3] or 0) + amount
            load[4] += entered // US
            stuck.append((entered // US + target * DAY_S, number, key, amount, entered))
    now_s = now_us // US
    result = {}
    for key, (count, value, stuck_count, stuck_value, entered_sum) in loads.items():
        target = stages.get(key)["target_days"] or 0
        overdue = stuck_count * (now_s - target * DAY_S) - entered_sum
        result[key] = (
            count,
            money(value) or ZERO,
            stuck_count,
            money(stuck_value) or ZERO,
            max(overdue, 0),
        )
    return result, days_now, stuck


def _board(stages, loads, now, currency) -> dict:
    rows = []
    for stage in stages.laid_out(loads):
        count, value, stuck_count, stuck_value, overdue = loads.get(stage["key"], EMPTY)
        rows.append(
            {
                "key": stage["key"],
                "label": stage["label"],
                "position": stage["position"],
                "probability": stage["probability"],
                "target_days": stage["target_days"],
                "open_count": count,
                "open_value": value,
                "weighted_value": value * stage["probability"],
                "stuck_count": stuck_count,
                "stuck_value": stuck_value,
                "overdue_days": overdue / DAY_S,
            }
        )
    totals = {
        "open_count": sum(r["open_count"] for r in rows),
        "open_value": sum((r["open_value"] for r in rows), ZERO),
        "weighted_value": sum((r["weighted_value"] for r in rows), ZERO),
        "stuck_count": sum(r["stuck_count"] for r in rows),
        "stuck_value": sum((r["stuck_value"] for r in rows), ZERO),
        "overdue_days": sum(load[4] for load in loads.values()) / DAY_S,
    }
    return {"now": now, "currency": currency, "rows": rows, "totals": totals}
