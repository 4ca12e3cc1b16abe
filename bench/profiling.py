"""Where the time goes: cProfile of the bot's commands and of the digests, in-process.

Commands are sent straight to the WSGI callable `assistant.server.build_wsgi` returns (the
one gunicorn serves), one at a time, so the profile holds only the bot's own work: no HTTP
server, no client, no other process. Each profile is summarised as the share of time spent
in each library (own time of its functions) and the top functions by own and cumulative time.
Digests also get a per-statement timing of their SQL.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import pstats
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from testkit.workspace_plan import NOW

PACKAGES = (
    ("sqlalchemy", "/sqlalchemy/"), ("psycopg", "/psycopg"), ("slack_bolt", "/slack_bolt/"),
    ("slack_sdk", "/slack_sdk/"), ("alembic", "/alembic/"),
    ("assistant (bot code)", "/assistant/"), ("bench", "/bench/"),
    ("python stdlib", "/lib/python3"),
)  # fmt: skip


@dataclass
class Profile:
    title: str
    seconds: float
    calls: int
    by_package: list[tuple[str, float]]  # (package, share of own time)
    top_own: list[tuple[str, float, int]]  # (function, seconds, calls)
    top_cumulative: list[tuple[str, float]]
    notes: list[str] = field(default_factory=list)


def _where(filename: str) -> str:
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C: drivers, sockets, sqlite3)"
    for name, marker in PACKAGES:
        if marker in filename:
            return name
    return "other"


def _short(func: tuple) -> str:
    filename, line, name = func
    for marker in ("site-packages/", "/main/", "/lib/python3.11/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{filename}:{line}({name})" if line else name


def summarise(profiler: cProfile.Profile, title: str, seconds: float, calls: int) -> Profile:
    stats = pstats.Stats(profiler, stream=io.StringIO())
    own: dict[str, float] = defaultdict(float)
    total = 0.0
    rows = []
    for func, (_cc, nc, tt, ct, _callers) in stats.stats.items():
        own[_where(func[0])] += tt
        total += tt
        rows.append((func, tt, ct, nc))
    by_package = sorted(((k, v / total) for k, v in own.items()), key=lambda kv: -kv[1])
    top_own = [(_short(f), tt, nc) for f, tt, _ct, nc in sorted(rows, key=lambda r: -r[1])[:12]]
    cumulative = [
        (_short(f), ct)
        for f, _tt, ct, _nc in sorted(rows, key=lambda r: -r[2])
        if "/assistant/" in f[0] or f[2] in ("_execute_internal", "dispatch")
    ][:16]
    return Profile(title, seconds, calls, by_package, top_own, cumulative)


# -- commands -----------------------------------------------------------------------------------


def wsgi_call(app, body: str, secret: str) -> tuple[str, bytes]:
    from testkit.slack_requests import sign

    data = body.encode()
    headers = sign(body, secret, content_type="application/x-www-form-urlencoded")
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
        "CONTENT_TYPE": headers["Content-Type"], "CONTENT_LENGTH": str(len(data)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": headers["X-Slack-Request-Timestamp"],
        "HTTP_X_SLACK_SIGNATURE": headers["X-Slack-Signature"], "SERVER_NAME": "bench",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.input": io.BytesIO(data),
        "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "wsgi.multithread": True,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
    }  # fmt: skip
    status: list[str] = []
    chunks = app(environ, lambda s, h, exc=None: status.append(s))
    return status[0], b"".join(chunks)


@dataclass
class CommandCosts:
    """Mean in-process milliseconds and SQL statements per command kind, and the statements
    the whole mix ran most often."""

    ms: dict[str, float]  # without the profiler
    followup_ms: dict[str, float]  # after the reply: App Home refreshes, feed posts
    profiled_ms: dict[str, float]
    statements: dict[str, float]
    commits: dict[str, float]
    frequent: list[tuple[str, int]]


def _statement_counter(engines) -> tuple[list[str], Callable[[], None]]:
    from sqlalchemy import event

    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(" ".join(statement.split())[:90])

    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)

    def stop() -> None:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)

    return seen, stop


class _InlineFollowUps:
    """Follow-ups (App Home refreshes, feed posts) held until the reply is out, then run and
    timed apart: the worker pays for them too, though the reply does not wait for them."""

    def __init__(self) -> None:
        self.jobs: list = []

    def submit(self, job) -> None:
        self.jobs.append(job)

    def run(self) -> float:
        started = time.perf_counter()
        for job in self.jobs:
            with contextlib.suppress(Exception):  # FollowUps logs failures; no reply waits
                job()
        self.jobs.clear()
        return time.perf_counter() - started

    def shutdown(self, wait: bool = True) -> None:
        self.run()


def profile_commands(url: str, requests: int = 400) -> tuple[Profile, CommandCosts]:
    """Profile `requests` commands of the benchmark's mix; also their costs per kind (time
    measured on another `requests` commands sent without the profiler)."""
    from assistant.config import Settings
    from assistant.server import build_wsgi
    from bench.commands import SECRET, TOKEN, Workload
    from testkit.fake_slack import FakeSlack

    with FakeSlack.start() as fake:
        settings = Settings(database_url=url, slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                            slack_api_url=fake.url)  # fmt: skip
        app, runtime = build_wsgi(settings)
        runtime.followups.shutdown(wait=True)
        followups = runtime.followups = _InlineFollowUps()
        clients = Workload(url).clients(4, 7)
        for i in range(40):  # warm caches (users.info, compiled statements) first
            wsgi_call(app, clients[i % 4]()[1], SECRET)
            followups.run()
        plain: dict[str, list[float]] = defaultdict(list)
        after: dict[str, list[float]] = defaultdict(list)
        for i in range(requests):  # first without the profiler: what each command costs
            kind, body, _ = clients[i % 4]()
            started = time.perf_counter()
            wsgi_call(app, body, SECRET)
            plain[kind].append(time.perf_counter() - started)
            after[kind].append(followups.run())
        db = runtime.services.db
        engines = {id(e): e for e in (db.read_engine, db.write_engine)}.values()
        seen, stop = _statement_counter(engines)
        spent: dict[str, list[float]] = defaultdict(list)
        statements: dict[str, list[int]] = defaultdict(list)
        commits: dict[str, list[int]] = defaultdict(list)
        profiler = cProfile.Profile()
        began = time.perf_counter()
        for i in range(requests):
            kind, body, _ = clients[i % 4]()
            before = len(seen)
            started = time.perf_counter()
            profiler.enable()
            wsgi_call(app, body, SECRET)
            profiler.disable()
            spent[kind].append(time.perf_counter() - started)
            mine = seen[before:]
            statements[kind].append(len(mine))
            commits[kind].append(sum(s.startswith(("INSERT", "UPDATE", "DELETE")) for s in mine))
            followups.run()
            del seen[before + len(mine) :]  # the follow-ups' statements are not the reply's
        seconds = time.perf_counter() - began
        stop()
        db.dispose()

    def mean(samples: dict[str, list], scale: float = 1000) -> dict[str, float]:
        return {k: scale * sum(v) / len(v) for k, v in sorted(samples.items())}

    costs = CommandCosts(
        mean(plain), mean(after), mean(spent), mean(statements, 1), mean(commits, 1),
        Counter(seen).most_common(10),
    )  # fmt: skip
    title = f"bot, {requests} commands of the mix, in-process (no HTTP), one at a time"
    return summarise(profiler, title, seconds, requests), costs


# -- digests ------------------------------------------------------------------------------------


def profile_digest(url: str, digest: str) -> tuple[Profile, list[tuple[str, float, int]]]:
    """Profile one product digest (after a warm-up call); also time each SQL statement."""
    from sqlalchemy import event

    from bench.digests import case_args, digest_call

    call = digest_call(case_args(url, digest, "product"))
    call()
    statements: dict[str, list[float]] = defaultdict(list)
    engine = call.services.db.read_engine

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        first = " ".join(statement.split())[:110]
        statements[first].append(time.perf_counter() - conn.info.pop("bench_started"))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    call()
    profiler.disable()
    seconds = time.perf_counter() - began
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    call.services.db.dispose()
    timed = sorted(((s, sum(t), len(t)) for s, t in statements.items()), key=lambda r: -r[1])
    return summarise(profiler, f"{digest} digest, product", seconds, 1), timed


# -- import -------------------------------------------------------------------------------------


def profile_import(url: str, csv_path: str, deals: int) -> Profile:
    """Profile `importer.import_csv` of the file into the (empty) database at `url`."""
    from assistant.storage.database import Database
    from assistant.transfer.importer import ImportOptions, import_csv
    from testkit.workspace_plan import TEAM_ID

    db = Database(url)
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    import_csv(db, csv_path, ImportOptions(kind="deals", team_id=TEAM_ID), now=NOW)
    profiler.disable()
    seconds = time.perf_counter() - began
    db.dispose()
    return summarise(profiler, f"import of {deals:,} deals, product", seconds, 1)
