"""Commands: signed slash commands over HTTP to the bot served as the README recommends.

Production per the README is `gunicorn -w 4 --worker-class gthread --threads 4 --keep-alive
30 assistant.wsgi:application` (4 workers x 4 threads = 16 requests at once; threads because
gunicorn's default sync worker closes every connection); the floor and the bare Bolt app of
`bench.command_floor` are served the same way, the floor on the same database as the bot,
just before it. The fake Slack Web API runs in its own process. Each client is one rep with
one keep-alive connection sending a mix of `/deal show`, `/deal list`, `/pipeline`,
`/deal move` (their own open deals, next or back) and `/deal new`; the floor and the bare
app get the same requests.
"""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import rawdb
from bench.loadgen import Connection, LevelResult, Request, request_bytes, run_level
from bench.measure import ROOT, Child, child_env
from testkit.slack_requests import slash_command_body
from testkit.workspace_plan import PIPELINE, TEAM_ID, Spec

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
WORKERS, THREADS = 4, 4
SERVE_FLAGS = f"-w {WORKERS} --worker-class gthread --threads {THREADS}"
APPS = {
    "bot": "assistant.wsgi:application",
    "floor": "bench.command_floor:floor_app",
    "bare Bolt": "bench.command_floor:bare_app",
}
# Share of each kind in the mix; `list` is mostly "mine", sometimes all open or stuck deals.
MIX = (("show", 35), ("list", 20), ("board", 15), ("move", 20), ("new", 10))
LIST_WORDS = (("mine", 60), ("", 25), ("stuck", 15))


@dataclass
class CommandsResult:
    server: str  # "bot" | "floor" | "bare Bolt"
    dialect: str | None  # the database; None for the bare app
    level: LevelResult


# -- what the clients send ----------------------------------------------------------------------


class Workload:
    """Who the clients are and which deals they may move, read from the database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.run = uuid.uuid4().hex[:6]
        self.refresh()

    def refresh(self) -> None:
        """Read the open deals again (the last level moved them), and where the deals and
        their history end, to find what the next level writes (`check_writes`)."""
        from bench.dbs import raw_connect

        connection = raw_connect(self.url)
        rows = connection.execute(
            "SELECT number, owner_id, stage_key FROM deals WHERE status = 'open' ORDER BY number"
        ).fetchall()
        self.deal_count = connection.execute("SELECT max(number) FROM deals").fetchone()[0]
        self.written_after = connection.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM deals),"
            " (SELECT coalesce(max(id), 0) FROM changes)"
        ).fetchone()
        connection.close()
        self.open_by_owner: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for number, owner, stage in rows:
            if stage in PIPELINE:
                self.open_by_owner[owner].append((number, PIPELINE.index(stage)))
        self.reps = sorted(self.open_by_owner)

    def clients(self, count: int, seed: int) -> list:
        return [self._client(k, count, seed) for k in range(count)]

    def _client(self, k: int, count: int, seed: int):
        rng = random.Random(seed * 1000 + k)
        rep = self.reps[k % len(self.reps)]
        sharing = [c for c in range(count) if c % len(self.reps) == k % len(self.reps)]
        mine = {
            number: stage
            for i, (number, stage) in enumerate(self.open_by_owner[rep])
            if i % len(sharing) == sharing.index(k)
        }
        numbers = list(mine)
        kinds = [kind for kind, weight in MIX for _ in range(weight)]
        words = [word for word, weight in LIST_WORDS for _ in range(weight)]
        sequence = iter(range(10**9))

        def next_request() -> Request:
            kind = rng.choice(kinds)
            write = None
            if kind == "move" and not numbers:
                kind = "show"
            if kind == "show":
                command, text = "/deal", f"show {rng.randint(1, self.deal_count)}"
            elif kind == "list":
                command, text = "/deal", f"list {rng.choice(words)}".strip()
            elif kind == "board":
                command, text = "/pipeline", ""
            elif kind == "move":
                number = rng.choice(numbers)
                stage = mine[number]
                step = 1 if stage == 0 or (stage < len(PIPELINE) - 1 and rng.random() < 0.5) else -1
                mine[number] = stage + step
                command, text = "/deal", f"move {number} {'next' if step > 0 else 'back'}"
                write = ("move", number, PIPELINE[stage + step])
            else:
                name = f"Bench {self.run}-{seed}-{k}-{next(sequence)}"
                command, text = "/deal", f'new "{name}" 12k'
                write = ("new", name)
            # Unique per request, or the bot rightly answers "already handled".
            trigger = f"{self.run}.{seed}.{k}.{next(sequence)}"
            body = slash_command_body(
                command,
                text,
                user_id=rep,
                team_id=TEAM_ID,
                channel_id="C_BENCH",
                trigger_id=trigger,
                response_url="http://127.0.0.1:9/respond/unused",
            )
            return Request(kind, body, write)

        return next_request

    def check_writes(self, level: LevelResult) -> list[str]:
        """What the database lacks or holds twice of the writes `level` had answered since
        the last `refresh`: each new deal once, each move one stage row of its deal's history
        (so once), and each moved deal in the stage its last move named. Empty when all is
        there once."""
        from bench.dbs import raw_connect

        mark = rawdb.placeholder(rawdb.target_of(self.url)[0])
        deals_after, changes_after = self.written_after
        connection = raw_connect(self.url)
        created = Counter(
            name
            for (name,) in connection.execute(
                f"SELECT name FROM deals WHERE id > {mark}", (deals_after,)
            ).fetchall()
        )
        moved = dict(
            connection.execute(
                "SELECT d.number, count(*) FROM changes c JOIN deals d ON d.id = c.entity_id"
                f" WHERE c.id > {mark} AND c.entity = 'deal' AND c.action = 'move'"
                " AND c.field = 'stage_key' GROUP BY d.number",
                (changes_after,),
            ).fetchall()
        )
        stages = dict(connection.execute("SELECT number, stage_key FROM deals").fetchall())
        connection.close()
        answered = Counter(w[1] for w in level.writes if w[0] == "new")
        moves = Counter(w[1] for w in level.writes if w[0] == "move")
        last_stage = {w[1]: w[2] for w in level.writes if w[0] == "move"}
        wrong = [f"new deal {n!r} {created[n]} times" for n in answered if created[n] != 1]
        wrong += [f"deal {n!r} created unanswered" for n in created.keys() - answered.keys()]
        wrong += [
            f"#{number}: {moved.get(number, 0)} moves in its history, {count} answered"
            for number, count in moves.items()
            if moved.get(number, 0) != count
        ]
        wrong += [f"#{n}: moves unanswered" for n in moved.keys() - moves.keys()]
        wrong += [
            f"#{number} in {stages.get(number)}, its last move named {stage}"
            for number, stage in last_stage.items()
            if stages.get(number) != stage
        ]
        return wrong


# -- servers ------------------------------------------------------------------------------------


@contextmanager
def fake_slack(work: Path):
    """The fake Slack Web API in its own process, answering at once; yields its base URL."""
    child = Child("testkit.slack_process", None, work)
    try:
        yield child.line(30)
    finally:
        child.stop(10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app: str, database_url: str, slack_url: str, log_dir: Path):
    port = _free_port()
    log = log_dir / f"gunicorn-{port}.log"
    env = child_env(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack_url,
    )
    flags = f"{SERVE_FLAGS} -b 127.0.0.1:{port} --keep-alive 30 --log-level info"
    command = [sys.executable, "-m", "gunicorn", *flags.split(), app]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        _wait_ready(port, process, log)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    probe = slash_command_body("/pipeline", "", user_id="UPROBE", team_id=TEAM_ID)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        booted = log.read_text().count("Booting worker")
        if booted >= WORKERS:
            try:
                connection = Connection("127.0.0.1", port)
                status, _ = connection.exchange(request_bytes("127.0.0.1", port, SECRET, probe))
                connection.close()
                if status == 200:
                    return
            except OSError:
                pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not come up in {timeout}s:\n{log.read_text()[-3000:]}")


# -- the benchmark ------------------------------------------------------------------------------


def run(
    dialects: list[str],
    scratch,
    spec: Spec,
    levels: list[int],
    duration: float,
    log=print,
    profiles: dict | None = None,
    *,
    warmup: float = 2.0,
) -> list[CommandsResult]:
    """With `profiles` (a dict), also profile the bot in-process on each database."""
    from testkit.generate import generate

    urls = {d: scratch.new(d, "commands") for d in dialects}
    generate(spec, list(urls.values()))
    results = []
    if profiles is not None:
        from bench.profiling import profile_commands

        for dialect, url in urls.items():
            profiles[dialect] = profile_commands(url)
            log(f"  profiled the bot's commands on {dialect}")
    with fake_slack(scratch.dir) as slack_url:
        floors: dict[tuple, LevelResult] = {}
        plan = [("bare Bolt", None, urls[dialects[0]])]
        plan += [(name, d, urls[d]) for d in dialects for name in ("floor", "bot")]
        for name, dialect, url in plan:
            workload = Workload(url)
            with gunicorn(APPS[name], url, slack_url, scratch.dir) as port:
                # Warm every worker (imports, caches, pools) before measuring.
                run_level("127.0.0.1", port, SECRET, workload.clients(16, 0), 0.0, warmup)
                for count in levels:
                    workload.refresh()
                    level = run_level(
                        "127.0.0.1", port, SECRET, workload.clients(count, count), 0.5, duration
                    )
                    if name != "bare Bolt":  # it answers and writes nothing
                        level.wrong_writes = workload.check_writes(level)
                    results.append(CommandsResult(name, dialect, level))
                    p50, p99 = (_ms(level.percentile(share)) for share in (0.5, 0.99))
                    floor = floors.get((dialect, count)) if name == "bot" else None
                    versus = f"  {level.throughput / floor.throughput:5.2f}× floor" if floor else ""
                    log(
                        f"  {name:9} {dialect or '':10} {count:2} clients "
                        f"{level.throughput:7.0f} req/s  p50 {p50} ms  "
                        f"p99 {p99} ms  errors {level.errors} failed {level.failed}"
                        f"{_writes(level)}{versus}"
                    )
                    if name == "floor":
                        floors[(dialect, count)] = level
    for url in urls.values():
        scratch.drop(url)
    return results


def _writes(level: LevelResult) -> str:
    return "" if level.wrong_writes is None else f"  writes {level.writes_said()}"


def _ms(seconds: float | None) -> str:
    """A tiny run on a loaded machine may finish no request inside its window."""
    return "     -" if seconds is None else f"{seconds * 1000:6.1f}"
