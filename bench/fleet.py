"""The fleet: N installed workspaces, each with a 09:00 digest, two scheduler processes.

Issue #8's must-show: every digest posted exactly once, and how long after 09:00 the last
one is out. One run:

1. a fresh database, migrated; N workspaces installed and filled (`bench.fleet_setup`);
2. a fake Slack Web API in its own process (`testkit.slack_process`; 30-100 ms per call);
3. two scheduler processes (`bench.fleet_scheduler`: the product's scheduler, product
   defaults), whose clock reads `LEAD` seconds before 09:00 when they are started;
4. wait until every digest has reached the fake Slack (or the timeout), stop the schedulers
   (each finishes its tick in progress), and check the fake's records against the ledger.

`python -m bench.fleet [N] [sqlite|postgresql]` runs one fleet and prints what it found.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.domain.schedule import Schedule, local_to_utc
from bench import fleet_setup
from bench.fleet_check import Checked, check, compose_costs
from bench.measure import Child

PROCESSES = 2
LEAD = 10.0  # seconds before 09:00 on the schedulers' clock when they start
LATENCY = (0.03, 0.10)  # seconds, uniform, per Web API call of the fake Slack


@dataclass
class FleetResult:
    dialect: str
    workspaces: int
    counts: fleet_setup.Counts
    checked: Checked
    processes: list[dict] = field(default_factory=list)  # started/stopped lines, stderr notes
    setup_seconds: float = 0.0
    run_seconds: float = 0.0
    timed_out: bool = False
    first_tick_s: float | None = None  # the first scheduler tick at or after 09:00
    compose: dict[str, float] = field(default_factory=dict)
    latency: tuple[float, float] = LATENCY
    lead: float = LEAD


def target_instant(day: datetime | None = None) -> datetime:
    """09:00 in the fleet's zone, today: the instant every digest is due."""
    schedule = Schedule(frequency="daily", at_time=fleet_setup.AT, timezone=fleet_setup.ZONE)
    local_day = (day or datetime.now(UTC)).astimezone(schedule.zone).date()
    return local_to_utc(local_day, schedule.local_time, schedule.zone)


def run_fleet(
    url: str,
    n: int,
    *,
    processes: int = PROCESSES,
    lead: float = LEAD,
    funnel_every: int = fleet_setup.FUNNEL_EVERY,
    timeout: float | None = None,
    log=print,
) -> FleetResult:
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    target = target_instant()
    fleet = fleet_setup.teams(n, funnel_every)
    started = time.perf_counter()
    counts = fleet_setup.setup(url, fleet, target)
    setup_seconds = time.perf_counter() - started
    log(
        f"  fleet ({dialect}): {n} workspaces, {counts.subscriptions} digests, "
        f"{counts.deals:,} deals ({counts.open_deals:,} open) set up in {setup_seconds:.0f} s"
    )
    timeout = timeout or 120 + 2.0 * counts.subscriptions
    with tempfile.TemporaryDirectory(prefix="sales-fleet-") as tmp:
        work = Path(tmp)
        slack_config = {
            "tokens": {t.token: t.team_id for t in fleet},
            "channels": {t.channel: t.team_id for t in fleet},
            "latency": list(LATENCY),
        }
        slack = Child("testkit.slack_process", _write(work / "slack.json", slack_config), work)
        try:
            api = slack.line(30)
            offset = (target - timedelta(seconds=lead)) - datetime.now(UTC)
            config = {
                "url": url,
                "slack_api_url": api,
                "client_id": fleet_setup.CLIENT_ID,
                "client_secret": fleet_setup.CLIENT_SECRET,
                "timezone": fleet_setup.ZONE,
                "offset": offset.total_seconds(),
            }
            path = _write(work / "scheduler.json", config)
            schedulers = [Child("bench.fleet_scheduler", path, work) for _ in range(processes)]
            run_started = time.perf_counter()
            try:
                hello = [json.loads(child.line(120)) for child in schedulers]
                timed_out = not _wait_for_posts(api, counts.subscriptions, schedulers, timeout)
            finally:
                goodbye = [child.stop(300) for child in schedulers]
            run_seconds = time.perf_counter() - run_started
            records = _get(api, "fleet.records")["records"]
        finally:
            slack.stop(30)
    checked = check(url, fleet, target, offset.total_seconds(), records)
    infos = []
    for child, start, stop in zip(schedulers, hello, goodbye, strict=True):
        infos.append({**start, **(stop or {}), "log": child.tail})
    result = FleetResult(
        dialect, n, counts, checked, infos, setup_seconds, run_seconds, timed_out,
        _first_tick(goodbye, target), latency=LATENCY, lead=lead,
    )  # fmt: skip
    result.compose = compose_costs(url, target)
    return result


def _first_tick(goodbye: list[dict | None], target: datetime) -> float | None:
    """Seconds after 09:00 of the first scheduler tick that started at or after it, from
    the tick starts each process reported (on the schedulers' clock)."""
    found = [
        at - target.timestamp()
        for line in goodbye
        for at in (line or {}).get("ticks", [])
        if at >= target.timestamp()
    ]
    return min(found) if found else None


def _wait_for_posts(api: str, expected: int, children: list[Child], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _get(api, "fleet.counts")["counts"].get("chat.postMessage", 0) >= expected:
            return True
        for child in children:
            if child.process.poll() is not None:
                raise RuntimeError(f"a scheduler process died:\n{child.stderr_tail()}")
        time.sleep(0.25)
    return False


def _write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _get(api: str, method: str) -> dict:
    with urllib.request.urlopen(api + method, timeout=30) as answer:
        return json.loads(answer.read())


def run(dialects: list[str], scratch, n: int, log=print, lead: float = LEAD) -> list[FleetResult]:
    """The fleet on PostgreSQL (the must-show), or on SQLite when it is the only database."""
    dialect = "postgresql" if "postgresql" in dialects else dialects[0]
    url = scratch.new(dialect, "fleet")
    try:
        result = run_fleet(url, n, lead=lead, log=log)
    finally:
        scratch.drop(url)
    c = result.checked
    log(
        f"  fleet ({dialect}): {c.posts}/{c.expected} posted, {c.duplicates} duplicate(s), "
        f"{c.missing} missing; last post {c.last_s:.1f} s after 09:00"
        if c.last_s is not None
        else f"  fleet ({dialect}): nothing posted"
    )
    return [result]


def main(argv: list[str]) -> int:
    from bench.dbs import Scratch

    n = int(argv[0]) if argv else 20
    dialect = argv[1] if len(argv) > 1 else "postgresql"
    with Scratch() as scratch:
        (result,) = run([dialect], scratch, n)
    from bench.report import fleet_section

    print("\n".join(fleet_section([result])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
