"""`/pipeline results` and `/funnel cohorts` as cases of `bench.digests` (issue #16: within the
digest goals at 100k deals / 1M leads).

- "results": the figures of `/pipeline results` with its default period (this quarter so far)
  and of `/pipeline results by:owner`, two calls of `reports.results` as the two commands make
  them; the floor is `bench.floor_results`, once for each.
- "cohorts": `/funnel cohorts` with its defaults (the last 6 months, by month) through
  `reports.cohorts`; the floor is `bench.floor_cohorts`.
Periods are parsed in the parent (UTC, like the bench's workspace) and handed to both sides.
The product's reply data is reduced to the figures it shows (`results_view`), so the floor is
compared on every figure rather than on the product's intermediate lists.
"""

from __future__ import annotations

from datetime import datetime

from testkit.workspace_plan import NOW

DIGESTS = ("results", "cohorts")
RESULTS_PERIOD = "this quarter"  # the commands' own defaults
COHORTS_PERIOD = "last 6 months"


def periods(now: datetime = NOW) -> dict:
    from zoneinfo import ZoneInfo

    from assistant.domain.periods import parse_period

    zone = ZoneInfo("UTC")
    quarter, six = parse_period(RESULTS_PERIOD, zone, now), parse_period(COHORTS_PERIOD, zone, now)
    as_list = lambda p: [p.start.isoformat(), p.end.isoformat(), p.label]  # noqa: E731
    return {
        "quarter": as_list(quarter),
        "previous_quarter": as_list(quarter.previous()),
        "six_months": as_list(six),
    }


def _period(args: dict, name: str) -> tuple:
    start, end, label = args[name]
    return datetime.fromisoformat(start), datetime.fromisoformat(end), label


def digest_call(args: dict):
    """The call `bench.digests` times for one side of one case."""
    if args["side"] == "floor":
        from bench import floor_cohorts, floor_results, rawdb
        from bench.floor_stats import Sql

        sql = Sql(args["kind"], rawdb.connect(args["kind"], args["target"]))
        ws = sql.rows("SELECT id FROM workspaces WHERE team_id = ?", "T_BENCH")[0][0]
        if args["digest"] == "cohorts":
            six = _period(args, "six_months")
            return lambda: floor_cohorts.cohorts(sql, ws, six)
        period, previous = _period(args, "quarter"), _period(args, "previous_quarter")

        def call():
            currency = sql.rows("SELECT currency FROM workspaces WHERE id = ?", ws)[0][0]
            return [
                floor_results.results(sql, ws, period, previous, by, currency)
                for by in (None, "owner")
            ]

        return call
    from assistant.services.context import Services
    from assistant.storage.database import Database

    now = datetime.fromisoformat(args["now"])
    services = Services(db=Database(args["url"]), clock=lambda: now)
    call = product_call(services, args)
    call.services = services  # for the profiler's SQL timing
    return call


def product_call(services, args: dict):
    """The product's computation of the case `args["digest"]` (with the periods of
    `periods()` in `args`), as a call to time."""
    from assistant.domain.periods import Period
    from assistant.services import reports
    from assistant.services.context import Actor

    viewer = Actor("T_BENCH", "U_BENCH_VIEWER")
    if args["digest"] == "results":
        quarter = Period(*_period(args, "quarter"))
        # The view is timed too: the reply works out medians and velocity from the report.
        return lambda: [
            results_view(reports.results(services, viewer, quarter, by)) for by in (None, "owner")
        ]
    six = Period(*_period(args, "six_months"))
    return lambda: reports.cohorts(services, viewer, six, "month")


def results_view(report) -> dict:
    """Every figure `/pipeline results` shows (and the CSV carries), from a `ResultsReport`."""
    found = report.results

    def figures(f) -> dict:
        return {
            "won_count": f.won_count,
            "won_value": f.won_value,
            "priced_won": f.priced_won,
            "lost_count": f.lost_count,
            "closed_count": f.closed_count,
            "win_rate": f.win_rate,
            "win_rate_interval": f.win_rate_interval,
            "average_won": f.average_won,
            "median_cycle_days": f.median_cycle_days,
            "p90_cycle_days": f.p90_cycle_days,
            "mean_cycle_days": f.mean_cycle_days,
            "open_count": f.open_count,
            "velocity": f.velocity,
        }

    def segment(s) -> dict:
        return {
            "key": s.key,
            "small_sample": s.small_sample,
            "current": figures(s.current),
            "previous": figures(s.previous),
        }

    return {
        "period": found.period,
        "previous_period": found.previous_period,
        "by": found.by,
        "currency": report.currency,
        "total": segment(found.total),
        "segments": [segment(s) for s in found.segments],
        "velocity_change": found.velocity_change,
        "target": report.target,
    }
