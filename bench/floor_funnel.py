"""The floor of the funnel digest: the funnel, per source and per campaign, from two queries.

One GROUP BY over the cohort (both periods) by lower-cased source, lower-cased campaign and
furthest stage gives all three tallies at once; one narrow query gives the days to action.
"""

from __future__ import annotations

from collections import defaultdict

from bench.floor_stats import Delta, Sql, days, median, period_dict, share, stage_set

NO_GROUP = "(none)"


class _Tally:
    __slots__ = ("furthest", "days_to_action")

    def __init__(self) -> None:
        self.furthest: dict[int | None, int] = defaultdict(int)
        self.days_to_action: list[float] = []

    @property
    def size(self) -> int:
        return sum(self.furthest.values())

    def reached(self, position: int) -> int:
        return sum(n for p, n in self.furthest.items() if p is not None and p >= position)


def funnel_digest(sql: Sql, ws: int, period, previous) -> dict:
    stages = stage_set(
        sql.rows(
            "SELECT key, label, position, probability, target_days, active FROM stages"
            " WHERE workspace_id = ? AND kind = ?",
            ws,
            "funnel",
        )
    )
    current, start, end = sql.at(period[0]), sql.at(previous[0]), sql.at(period[1])
    cohort = sql.rows(
        "SELECT CASE WHEN created_at >= ? THEN 1 ELSE 0 END, lower(source), lower(campaign),"
        " min(source), min(campaign), furthest_stage_key, count(*) FROM leads"
        " WHERE workspace_id = ? AND created_at >= ? AND created_at < ?"
        " GROUP BY 1, 2, 3, 6",
        current,
        ws,
        start,
        end,
    )
    tallies = {by: defaultdict(_Tally) for by in ("all", "source", "campaign")}
    names: dict[str, dict] = {"source": {}, "campaign": {}}
    for b, source, campaign, source_name, campaign_name, furthest, count in cohort:
        known = stages.by_key.get(furthest)
        position = known["position"] if known else None
        for by, key, name in (
            ("all", None, None),
            ("source", source, source_name),
            ("campaign", campaign, campaign_name),
        ):
            tallies[by][(b, key)].furthest[position] += count
            if by != "all":
                shown = name or NO_GROUP
                names[by][key] = min(names[by].get(key, shown), shown)
    acted = sql.rows(
        f"SELECT CASE WHEN created_at >= ? THEN 1 ELSE 0 END, lower(source), lower(campaign),"
        f" {sql.us('created_at')}, {sql.us('action_at')} FROM leads"
        " WHERE workspace_id = ? AND created_at >= ? AND created_at < ?"
        " AND action_at IS NOT NULL",
        current,
        ws,
        start,
        end,
    )
    for b, source, campaign, created, action in acted:
        value = days(action - created)
        for by, key in (("all", None), ("source", source), ("campaign", campaign)):
            tallies[by][(b, key)].days_to_action.append(value)
    everyone = tallies["all"]
    whole = _funnel(
        stages,
        period,
        previous,
        everyone.get((1, None)),
        everyone.get((0, None)),
        source=None,
        campaign=None,
        group=None,
    )
    groups = {
        by: _groups(stages, period, previous, by, tallies[by], names[by])
        for by in ("source", "campaign")
    }
    found = {
        "workspace_id": ws,
        "period": period_dict(period),
        "funnel": whole,
        "sources": groups["source"],
        "campaigns": groups["campaign"],
    }
    for by in ("source", "campaign"):
        best, worst = _best_and_worst(groups[by]["groups"])
        found[f"best_{by}"] = best and best["group"]
        found[f"worst_{by}"] = worst and worst["group"]
    return found


def _funnel(stages, period, previous, now, before, **labels) -> dict:
    now, before = now or _Tally(), before or _Tally()
    steps = []
    for index, stage in enumerate(stages.active):
        position = stage["position"]
        conversion = Delta(None, None)
        if index:
            prior = stages.active[index - 1]["position"]
            conversion = Delta(
                share(now.reached(position), now.reached(prior)),
                share(before.reached(position), before.reached(prior)),
            )
        steps.append(
            {
                "key": stage["key"],
                "label": stage["label"],
                "position": position,
                "reached": Delta(now.reached(position), before.reached(position)),
                "step_conversion": conversion,
            }
        )
    last = stages.active[-1]["position"] if stages.active else None
    return {
        "period": period_dict(period),
        "previous_period": period_dict(previous),
        "cohort": Delta(now.size, before.size),
        "steps": steps,
        "overall": Delta(
            share(now.reached(last), now.size) if last is not None else None,
            share(before.reached(last), before.size) if last is not None else None,
        ),
        "median_days_to_action": Delta(median(now.days_to_action), median(before.days_to_action)),
        **labels,
    }


def _groups(stages, period, previous, by: str, tallies, names) -> dict:
    groups = [
        _funnel(
            stages,
            period,
            previous,
            tallies.get((1, key)),
            tallies.get((0, key)),
            source=None,
            campaign=None,
            group=names.get(key, NO_GROUP),
        )
        for key in {k for _, k in tallies}
    ]
    groups.sort(key=lambda g: (-(g["cohort"]["current"] or 0), (g["group"] or "").casefold()))
    return {
        "period": period_dict(period),
        "previous_period": period_dict(previous),
        "by": by,
        "groups": groups,
    }


# Named only among named groups with 30 leads or more, as the product does.
MIN_SAMPLE = 30
UNNAMED = {NO_GROUP.casefold(), "unknown", "none", "n/a", "na", "null", "-", "not set"}


def _best_and_worst(groups: list[dict]):
    ranked = sorted(
        (
            g
            for g in groups
            if (g["group"] or "").strip().casefold() not in UNNAMED
            and g["overall"]["current"] is not None
            and (g["cohort"]["current"] or 0) >= MIN_SAMPLE
        ),
        key=lambda g: (g["group"] or "").casefold(),
    )
    if len(ranked) < 2:
        return None, None
    best = max(ranked, key=lambda g: (g["overall"]["current"], g["cohort"]["current"]))
    worst = min(ranked, key=lambda g: (g["overall"]["current"], -(g["cohort"]["current"] or 0)))
    if best["overall"]["current"] == worst["overall"]["current"]:
        return None, None  # all convert alike: there is no best or worst
    return best, worst
