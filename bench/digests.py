"""Digests: time and peak memory of the pipeline and funnel digests' data, product vs floor.

Per size and database: generate the workspace, then one child process per (digest, side):
the product computes `reports.pipeline_digest_data` (board, movement, bottlenecks with the
stuck list, outcomes) or `daily_funnel_period` + `reports.funnel_digest_data` (funnel, sources,
campaigns) exactly as the digest composer does; the floor computes the same figures with the
hand-written SQL of `bench.floor`. That both give the same figures is a test
(tests/bench/test_floors.py), not part of the timing.
Block Kit rendering and charts are not timed (charts take about half a second each, see
`assistant/digests/compose.py`); the data is what grows with the database. `/pipeline results`
and `/funnel cohorts` are cases here too (issue #16), computed by `bench.digests_results`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bench import digests_results
from bench.measure import measure, run_child
from testkit.workspace_plan import NOW, Spec

DIGESTS = ("pipeline", "funnel", *digests_results.DIGESTS)
SIDES = ("product", "floor")


@dataclass
class DigestResult:
    dialect: str
    spec: Spec
    digest: str
    product: dict[str, float]
    floor: dict[str, float]
    # The generated workspace: its history rows and the seconds it took to write.
    history_rows: int = 0
    generated_seconds: float = 0.0

    @property
    def ratio(self) -> float:
        return self.product["best"] / self.floor["best"]


def periods(now: datetime = NOW, zone: str = "UTC") -> dict:
    """The periods a digest composed at `now` covers, as the product parses them."""
    from assistant.domain.periods import parse_period

    tz = ZoneInfo(zone)
    thirty, seven = parse_period("30d", tz, now), parse_period("7d", tz, now)
    as_list = lambda p: [p.start.isoformat(), p.end.isoformat(), p.label]  # noqa: E731
    return {
        "now": now.isoformat(),
        "since": (now - timedelta(hours=24)).isoformat(),
        "period30": as_list(thirty),
        "previous30": as_list(thirty.previous()),
        "period7": as_list(seven),
        "previous7": as_list(seven.previous()),
    }


def run_case(url: str, digest: str, side: str, repeat: int) -> dict:
    return run_child("bench.digests", case_args(url, digest, side, repeat))


def run(
    specs: list[Spec], dialects: list[str], scratch, repeat: int, log=print, kept=None
) -> list[DigestResult]:
    """With `kept` (a dict), the largest size's databases are kept there by dialect (for
    profiling; the caller drops them), not dropped."""
    from testkit.generate import generate

    results = []
    for spec in specs:
        urls = {d: scratch.new(d, "digests") for d in dialects}
        made = generate(spec, list(urls.values()))
        log(f"  generated {spec.label}: {made.changes:,} history rows in {made.seconds:.0f}s")
        for dialect, url in urls.items():
            for digest in DIGESTS:
                got = {side: run_case(url, digest, side, repeat) for side in SIDES}
                result = DigestResult(
                    dialect, spec, digest, got["product"], got["floor"], made.changes, made.seconds
                )
                results.append(result)
                log(
                    f"  {dialect:10} {spec.label:22} {digest:8} product "
                    f"{result.product['best'] * 1000:8.1f} ms  floor "
                    f"{result.floor['best'] * 1000:8.1f} ms  peak "
                    f"{result.product['peak_mb']:.0f} MB"
                )
            if kept is not None and spec is specs[-1]:
                kept[dialect] = url
            else:
                scratch.drop(url)
    return results


# -- the child process ----------------------------------------------------------------------


def digest_call(args: dict):
    """The call a child times: the product's or the floor's figures of one digest."""
    if args["digest"] in digests_results.DIGESTS:
        return digests_results.digest_call(args)
    now = datetime.fromisoformat(args["now"])
    since = datetime.fromisoformat(args["since"])

    def period(name: str) -> tuple:
        start, end, label = args[name]
        return datetime.fromisoformat(start), datetime.fromisoformat(end), label

    if args["side"] == "floor":
        from bench import floor, floor_funnel, rawdb

        connection = rawdb.connect(args["kind"], args["target"])
        sql = floor.Sql(args["kind"], connection)
        ws = sql.rows("SELECT id FROM workspaces WHERE team_id = ?", "T_BENCH")[0][0]
        if args["digest"] == "pipeline":
            p30, prev30 = period("period30"), period("previous30")
            return lambda: floor.pipeline_digest(sql, ws, now, since, p30, prev30)
        p7, prev7 = period("period7"), period("previous7")
        return lambda: floor_funnel.funnel_digest(sql, ws, p7, prev7)
    from assistant.services import reports
    from assistant.services.context import Services
    from assistant.storage.database import Database

    services = Services(db=Database(args["url"]), clock=lambda: now)
    with services.db.reading() as session:
        ws = session.execute(_workspace_query()).scalar_one()

    def call():
        if args["digest"] == "pipeline":
            return reports.pipeline_digest_data(services, ws, now, since)
        period_ = reports.daily_funnel_period(services, ws, now)
        return reports.funnel_digest_data(services, ws, period_)

    call.services = services  # for the profiler's SQL timing
    return call


def case_args(url: str, digest: str, side: str, repeat: int = 1) -> dict:
    from bench.rawdb import target_of

    kind, target = target_of(url)
    return {"url": url, "kind": kind, "target": target, "digest": digest, "side": side,
            "repeat": repeat, **periods(), **digests_results.periods()}  # fmt: skip


def _workspace_query():
    from sqlalchemy import select

    from assistant.storage.models import Workspace

    return select(Workspace.id).where(Workspace.team_id == "T_BENCH")


if __name__ == "__main__":
    import json

    if len(sys.argv) == 3 and sys.argv[1] == "child":
        args = json.loads(sys.argv[2])
        print(json.dumps(measure(digest_call(args), args["repeat"])[1]))
    else:
        raise SystemExit("usage: python -m bench.digests child <json> (see bench.run)")
