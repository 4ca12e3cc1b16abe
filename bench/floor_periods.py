"""The floor's figures over periods: stays that ended, movement, outcomes (see bench.floor).

The stays that ended in the movement window come from one query, their order statistics over
the 30 days and the 30 before from one more (ranked as the product ranks them: in SQL on
PostgreSQL, where at 1M deals those are ~509k stays, and in Python on SQLite); closed deals
from one more.
"""

from __future__ import annotations

import heapq
from datetime import datetime

from bench.floor_stats import (
    DAY_S,
    ZERO,
    Delta,
    Sql,
    days,
    median,
    micros,
    money,
    percentile_at,
    period_dict,
    share,
)

EMPTY = (0, ZERO, 0, ZERO, 0)
TOP_STUCK = 10


def stay_ends(sql: Sql, ws: int, start: datetime, end: datetime) -> list[tuple]:
    """(left_us, stage left, where to, outcome, entered_us, amount now) per stay ended.

    From the rows that ended them, which say the stage left and when it was entered
    (`changes.stay_stage`/`stay_began_at`): what the product reads, so the floor does too.
    """
    rows = sql.rows(
        f"""
        SELECT e.field, e.new_value, {sql.us("e.at")}, e.stay_stage,
               {sql.us("e.stay_began_at")}, d.amount
        FROM changes e
        LEFT JOIN deals d ON d.id = e.entity_id
        WHERE e.workspace_id = ? AND e.stay_began_at IS NOT NULL
          AND e.at >= ? AND e.at < ?
        """,
        ws,
        sql.at(start),
        sql.at(end),
    )
    return [
        (left, stage, new, None, entered, amount)
        if field == "stage_key"
        else (left, stage, None, new, entered, amount)
        for field, new, left, stage, entered, amount in rows
    ]


def stay_ranks(sql: Sql, ws: int, period, previous) -> dict[tuple[int, str], tuple]:
    """(count, {rank: days}) per (1 for the period or 0 for the one before, stage left): the
    stays that ended there, with the durations at the ranks their median and p90 read.
    Ranked in SQL on PostgreSQL and in Python on SQLite, as the product does."""
    stays = f"""
        SELECT CASE WHEN e.at >= ? THEN 1 ELSE 0 END AS b, e.stay_stage AS s,
               {sql.us("e.at")} - {sql.us("e.stay_began_at")} AS v
        FROM changes e
        WHERE e.workspace_id = ? AND e.stay_began_at IS NOT NULL AND e.at >= ? AND e.at < ?
    """
    args = (sql.at(period[0]), ws, sql.at(previous[0]), sql.at(period[1]))
    if sql.kind == "sqlite":
        return _ranked_here(sql.rows(stays, *args))
    rows = sql.rows(
        f"""
        SELECT b, s, n, r, v FROM (
          SELECT b, s, v, count(*) OVER w AS n, row_number() OVER w - 1 AS r FROM ({stays}) stays
          WINDOW w AS (PARTITION BY b, {sql.bytewise("s")} ORDER BY v
                       ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
        ) ranked
        WHERE r IN ((n - 1) / 2, (n - 1) / 2 + 1, (n - 1) * 9 / 10, (n - 1) * 9 / 10 + 1)
        """,
        *args,
    )
    found: dict[tuple[int, str], tuple] = {}
    for which, key, count, rank, duration in rows:
        found.setdefault((which, key), (count, {}))[1][rank] = days(duration)
    return found


def _ranked_here(rows) -> dict[tuple[int, str], tuple]:
    groups: dict[tuple[int, str], list[int]] = {}
    for which, key, duration in rows:
        groups.setdefault((which, key), []).append(duration)
    found = {}
    for key, durations in groups.items():
        durations.sort()
        last = len(durations) - 1
        ranks = {last // 2, last * 9 // 10}
        ranks |= {min(rank + 1, last) for rank in ranks}
        found[key] = (len(durations), {rank: days(durations[rank]) for rank in ranks})
    return found


def movement(sql: Sql, ws: int, stages, ends, since: datetime, until: datetime) -> dict:
    created, value = sql.rows(
        "SELECT count(*), sum(d.amount) FROM changes c JOIN deals d ON d.id = c.entity_id"
        " WHERE c.workspace_id = ? AND c.entity = 'deal' AND c.field = 'status'"
        " AND c.old_value IS NULL AND c.at >= ? AND c.at < ?",
        ws,
        sql.at(since),
        sql.at(until),
    )[0]
    low, high = micros(since), micros(until)
    advances = setbacks = won = lost = 0
    won_cents = None
    for left, key, to, outcome, _entered, amount in ends:
        if not low <= left < high:
            continue
        if outcome == "won" and amount is not None:
            won_cents = (won_cents or 0) + amount
        if key is None:
            continue
        source, target = stages.by_key.get(key), stages.by_key.get(to)
        if source and target:
            advances += target["position"] > source["position"]
            setbacks += target["position"] < source["position"]
        won += outcome == "won"
        lost += outcome == "lost"
    return {
        "since": since,
        "until": until,
        "new_count": created,
        "new_value": money(value) or ZERO,
        "advances": advances,
        "setbacks": setbacks,
        "won_count": won,
        "won_value": money(won_cents) or ZERO,
        "lost_count": lost,
    }


def bottlenecks(stages, loads, days_now, stays, period, previous, now, currency, top) -> dict:
    rows = []
    for index, stage in enumerate(stages.laid_out([*loads, *(k for _, k in stays)])):
        key = stage["key"]
        count, value, stuck_count, stuck_value, overdue = loads.get(key, EMPTY)
        rows.append(
            (
                overdue,
                index,
                {
                    "key": key,
                    "label": stage["label"],
                    "position": stage["position"],
                    "target_days": stage["target_days"],
                    "open_count": count,
                    "open_value": value,
                    "median_days_in_stage": median(days_now.get(key, [])),
                    "stuck_count": stuck_count,
                    "stuck_value": stuck_value,
                    "overdue_days": overdue / DAY_S,
                    **_stay_figures(stays.get((1, key)), stays.get((0, key))),
                },
            )
        )
    stuck_rows = [r for r in rows if r[2]["stuck_count"]]
    worst = max(stuck_rows, key=lambda r: (r[0], r[2]["stuck_value"], -r[1]), default=None)
    return {
        "period": period_dict(period),
        "previous_period": period_dict(previous),
        "now": now,
        "currency": currency,
        "bottleneck": worst[2] if worst else None,
        "stages": [r[2] for r in rows],
        "top_stuck": top,
        "stuck_total": sum(load[2] for load in loads.values()),
    }


def _stay_figures(current, before) -> dict:
    now_count, now_at = current or (0, {})
    before_count, before_at = before or (0, {})

    def both(share_: float) -> dict:
        return Delta(
            percentile_at(now_count, share_, now_at), percentile_at(before_count, share_, before_at)
        )

    return {
        "completed_stays": Delta(now_count, before_count),
        "stay_median_days": both(0.5),
        "stay_p90_days": both(0.9),
    }


def top_stuck(sql: Sql, ws: int, stuck: list[tuple], stages, now_us: int) -> list[dict]:
    top = heapq.nsmallest(TOP_STUCK, stuck, key=lambda s: (s[0], s[1]))
    if not top:
        return []
    marks = ", ".join("?" for _ in top)
    names = {
        number: (name, owner)
        for number, name, owner in sql.rows(
            f"SELECT number, name, owner_id FROM deals WHERE workspace_id = ?"
            f" AND number IN ({marks})",
            ws,
            *(s[1] for s in top),
        )
    }
    found = []
    for _since, number, key, amount, entered in top:
        stage = stages.get(key)
        in_stage = days(now_us - entered)
        found.append(
            {
                "number": number,
                "name": names[number][0],
                "owner_id": names[number][1],
                "stage_key": key,
                "stage_label": stage["label"],
                "amount": money(amount),
                "days_in_stage": in_stage,
                "overdue_days": max(0.0, in_stage - (stage["target_days"] or 0)),
            }
        )
    return found


def outcomes(sql: Sql, ws: int, period, previous) -> dict:
    rows = sql.rows(
        f"SELECT status, amount, {sql.us('created_at')}, {sql.us('closed_at')} FROM deals"
        " WHERE workspace_id = ? AND status IN ('won', 'lost') AND closed_at >= ?"
        " AND closed_at < ?",
        ws,
        sql.at(previous[0]),
        sql.at(period[1]),
    )
    current = micros(period[0])
    closed = {b: {"won": 0, "cents": None, "priced": 0, "lost": 0, "cycles": []} for b in (0, 1)}
    for status, amount, created, closed_at in rows:
        c = closed[1 if closed_at >= current else 0]
        if status == "lost":
            c["lost"] += 1
            continue
        c["won"] += 1
        c["cycles"].append(max(closed_at - created, 0))
        if amount is not None:
            c["cents"] = (c["cents"] or 0) + amount
            c["priced"] += 1
    now, before = closed[1], closed[0]
    value = {b: money(c["cents"]) or ZERO for b, c in closed.items()}
    rate = {b: share(c["won"], c["won"] + c["lost"]) for b, c in closed.items()}
    cycle = {b: median(days(us) for us in c["cycles"]) for b, c in closed.items()}
    return {
        "period": period_dict(period),
        "previous_period": period_dict(previous),
        "won_count": Delta(now["won"], before["won"]),
        "won_value": Delta(value[1], value[0]),
        "lost_count": Delta(now["lost"], before["lost"]),
        "win_rate": Delta(rate[1], rate[0]),
        "sales_cycle_days": Delta(cycle[1], cycle[0]),
    }
