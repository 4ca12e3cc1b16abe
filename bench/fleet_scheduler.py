"""One scheduler process of the fleet: `python -m bench.fleet_scheduler CONFIG`.

The product's own digest scheduler, as `assistant.server.run_scheduler` starts it
(`build_services`, `build_scheduler`, `start()`), in multi-workspace mode (each workspace's
bot token from the installation store), against the fake Slack, with product defaults
(tick every 30 s on the half-minute, every due digest posted before any chart is drawn, 16
workspaces side by side on PostgreSQL, one message a second per channel). The one
change: `services.clock` is the real time shifted by CONFIG's `offset` seconds, the same
offset in every process, so their wall clocks agree as NTP'd machines' would.

Prints one JSON line when started (process id, CPU so far, when `start()` was called) and
one when stopped (CPU, when its ticks started): it stops when stdin closes, waiting for the
tick in progress to finish, as `run_scheduler` does on SIGTERM.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from datetime import UTC, datetime, timedelta


def main(argv: list[str]) -> int:
    with open(argv[0], encoding="utf-8") as config_file:
        config = json.load(config_file)
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    from assistant.config import Settings
    from assistant.server import build_scheduler, build_services

    settings = Settings(
        database_url=config["url"],
        slack_api_url=config["slack_api_url"],
        slack_client_id=config["client_id"],
        slack_client_secret=config["client_secret"],
        timezone=config["timezone"],
    )
    offset = timedelta(seconds=config["offset"])
    services = build_services(settings)
    services.clock = lambda: datetime.now(UTC) + offset
    scheduler = build_scheduler(settings, services, alone=True)  # as run_scheduler does
    ready = time.process_time()
    started_at = time.time()
    scheduler.start()
    say(
        process_id=scheduler.process_id,
        pid=os.getpid(),
        cpu_start=ready,
        started_at=started_at,
        parallel_workspaces=scheduler.parallel_workspaces,
    )
    sys.stdin.read()  # until the parent closes our stdin
    stopping = time.time()
    scheduler.shutdown(wait=True)
    usage = os.times()
    say(
        cpu=time.process_time(),
        user=usage.user,
        system=usage.system,
        stopped_after=time.time() - stopping,
        ticks=[at.timestamp() for at in scheduler.tick_starts],  # on the services' clock
    )
    return 0


def say(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
