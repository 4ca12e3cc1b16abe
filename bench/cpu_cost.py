"""CPU per command, in-process, by `time.thread_time` rather than the wall clock
(bench/RESULTS.md, issue 20 item 3).

`python -m bench.cpu_cost [sqlite|postgresql] [requests]`: the commands benchmark's data
(quick size) and mix, sent straight to the WSGI app one at a time as `bench.profiling` does,
with each command's follow-ups (App Home, feed) run after it; printed per kind: the mean CPU
ms of the reply and of its follow-ups, SQL statements and write transactions begun. The
thread's CPU time does not count waiting for the database server or for a core, so it stays
comparable while other work loads the machine (the wall-clock figures do not).
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime

from bench.commands import MIX, SECRET, TOKEN, Workload
from bench.dbs import Scratch
from bench.profiling import _InlineFollowUps, wsgi_call
from testkit.generate import generate
from testkit.workspace_plan import Spec

SPEC = Spec(1_000, 10_000)


def measure(dialect: str, requests: int) -> None:
    from sqlalchemy import event

    from assistant.config import Settings
    from assistant.server import build_wsgi
    from testkit.fake_slack import FakeSlack

    with Scratch() as scratch:
        url = scratch.new(dialect, "cpu")
        generate(replace(SPEC, now=datetime.now(UTC).replace(microsecond=0)), [url])
        with FakeSlack.start() as fake:
            settings = Settings(
                database_url=url,
                slack_bot_token=TOKEN,
                slack_signing_secret=SECRET,
                slack_api_url=fake.url,
            )
            app, runtime = build_wsgi(settings)
            runtime.followups.shutdown(wait=True)
            followups = runtime.followups = _InlineFollowUps()
            clients = Workload(url).clients(4, 7)
            for i in range(40):
                wsgi_call(app, clients[i % 4]()[1], SECRET)
                followups.run()
            db = runtime.services.db
            counts = {"statements": 0, "writes": 0}

            def statement(*_args) -> None:
                counts["statements"] += 1

            def begin(connection) -> None:
                if connection.engine is db.write_engine and db.is_sqlite:
                    counts["writes"] += 1

            engines = {id(e): e for e in (db.write_engine, db.read_engine)}.values()
            for engine in engines:
                event.listen(engine, "before_cursor_execute", statement)
                event.listen(engine, "begin", begin)
            reply: dict[str, list[float]] = defaultdict(list)
            after: dict[str, list[float]] = defaultdict(list)
            statements: dict[str, list[int]] = defaultdict(list)
            writes: dict[str, list[int]] = defaultdict(list)
            for i in range(requests):
                kind, body, _ = clients[i % 4]()
                before = dict(counts)
                started = time.thread_time()
                wsgi_call(app, body, SECRET)
                middle = time.thread_time()
                statements[kind].append(counts["statements"] - before["statements"])
                writes[kind].append(counts["writes"] - before["writes"])
                followups.run()
                reply[kind].append(middle - started)
                after[kind].append(time.thread_time() - middle)
            db.dispose()
        scratch.drop(url)
    weights = dict(MIX)
    mean = lambda values: sum(values) / len(values)  # noqa: E731
    print(f"{dialect}: {requests} commands; CPU ms (thread time), mean per command")
    print("command | reply ms | follow-ups ms | statements | write transactions (SQLite)")
    for kind in sorted(reply):
        print(
            f"{kind:7} | {1000 * mean(reply[kind]):8.2f} | {1000 * mean(after[kind]):13.2f} | "
            f"{mean(statements[kind]):10.1f} | {mean(writes[kind]):.1f}"
        )
    total = sum(weights.values())
    mix = sum(weights[k] * mean(reply[k]) for k in reply) / total * 1000
    mix_after = sum(weights[k] * mean(after[k]) for k in reply) / total * 1000
    print(f"mix     | {mix:8.2f} | {mix_after:13.2f} |")


if __name__ == "__main__":
    measure(
        sys.argv[1] if len(sys.argv) > 1 else "sqlite",
        int(sys.argv[2]) if len(sys.argv) > 2 else 400,
    )
