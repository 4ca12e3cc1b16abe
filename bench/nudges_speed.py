"""How long the morning's nudges take: `python -m bench.nudges_speed [--reps N] [--deals N]
[--database URL]`.

One workspace of 1,000 reps (default) owning 100,000 deals (default), 40 % of them due (stuck,
past their close date, or quiet), everyone's 09:00 passed. Measured:

- `nudger`: one pass of the scheduler's own nudge code (`Nudger.tick`): find who is due,
  claim each (rep, day), plan, write the items, post each DM to a local fake Slack Web API,
  record it;
- `floor`: the same work written by hand: one SQL query for every due deal with its value at
  risk, ranking in Python, the sends and items written with two bulk INSERTs, then the same
  HTTP posts.

Both run in the same process on fresh copies of the same data, and the result is the ratio
(nudger / floor), so it says what the product's structure costs, whatever the machine.
Self-contained on purpose: nothing else in bench/ is imported.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import insert, select, text

from assistant.digests.nudges import Nudger
from assistant.domain.stages import DEFAULT_PIPELINE
from assistant.services.context import Services
from assistant.services.workspaces import ensure_workspace
from assistant.slack.pacing import ChannelPacer
from assistant.storage.database import Database
from assistant.storage.migrate import upgrade
from assistant.storage.models import Deal, NudgeItem, NudgeSend, Person, Stage

TEAM = "TBENCH"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday, everyone's 09:00 passed (UTC)
BUDGET = 5


class _FakeSlack(BaseHTTPRequestHandler):
    """chat.postMessage answered ok at once; counts what it got."""

    posts = 0
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with _FakeSlack.lock:
            _FakeSlack.posts += 1
            ts = f"1700000000.{_FakeSlack.posts:06d}"
        body = json.dumps({"ok": True, "channel": "D0BENCH", "ts": ts}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def _build(url: str, reps: int, deals: int, seed: int = 7) -> None:
    db = Database(url)
    upgrade(db)
    rng = random.Random(seed)
    with db.transaction() as session:
        ws = ensure_workspace(session, TEAM, NOW - timedelta(days=400), "UTC")
        ws_id = ws.id
    users = [f"U{n:07d}" for n in range(reps)]
    with db.transaction() as session:
        session.execute(
            insert(Person),
            [{"workspace_id": ws_id, "slack_user_id": u, "name": u.lower(),
              "name_folded": u.lower(), "timezone": "UTC", "deleted": False,
              "refreshed_at": NOW} for u in users],
        )  # fmt: skip
    stages = [s.key for s in DEFAULT_PIPELINE]
    rows = []
    for number in range(1, deals + 1):
        due = rng.random() < 0.4
        in_stage = rng.uniform(20, 90) if due else rng.uniform(0, 6)
        entered = NOW - timedelta(days=in_stage)
        rows.append(
            {"workspace_id": ws_id, "number": number, "name": f"Deal {number}",
             "name_folded": f"deal {number}", "amount": Decimal(rng.randrange(1, 200) * 500),
             "owner_id": users[number % reps], "stage_key": rng.choice(stages),
             "stage_entered_at": entered, "status": "open",
             "close_date": date(2026, 6, 30), "created_at": entered, "updated_at": entered,
             "version": 1}
        )  # fmt: skip
    with db.transaction() as session:
        for start in range(0, len(rows), 5000):
            session.execute(insert(Deal), rows[start : start + 5000])
    db.dispose()


def _client(port: int) -> WebClient:
    return WebClient(token="xoxb-bench", base_url=f"http://127.0.0.1:{port}/api/")


def _run_nudger(url: str, port: int) -> tuple[float, int]:
    db = Database(url)
    services = Services(db=db, clock=lambda: NOW)
    client = _client(port)
    nudger = Nudger(services, lambda _t: client, "bench", ChannelPacer(interval=0))
    started = time.perf_counter()
    outcomes = nudger.tick(lambda: NOW)
    seconds = time.perf_counter() - started
    db.dispose()
    return seconds, outcomes["posted"]


FLOOR_SQL = """
SELECT d.id, d.owner_id, d.amount, d.stage_key, d.version, s.probability, s.target_days,
       d.stage_entered_at, d.close_date, d.updated_at
FROM deals d JOIN stages s
  ON s.workspace_id = d.workspace_id AND s.kind = 'pipeline' AND s.key = d.stage_key
WHERE d.workspace_id = :ws AND d.status = 'open'
"""


def _run_floor(url: str, port: int) -> tuple[float, int]:
    db = Database(url)
    client = _client(port)
    started = time.perf_counter()
    with db.reading() as session:
        ws_id = session.scalar(text("SELECT id FROM workspaces WHERE team_id = :t"), {"t": TEAM})
        due: dict[str, list] = defaultdict(list)
        # Typed columns: amounts, probabilities and instants read as the models store them.
        query = text(FLOOR_SQL).columns(
            Deal.id, Deal.owner_id, Deal.amount, Deal.stage_key, Deal.version,
            Stage.probability, Stage.target_days, Deal.stage_entered_at, Deal.close_date,
            Deal.updated_at,
        )  # fmt: skip
        for row in session.execute(query, {"ws": ws_id}):
            in_stage = (NOW - row.stage_entered_at).total_seconds() / 86400
            target = row.target_days or 14
            if in_stage > target:
                ratio = Decimal(str(round(in_stage / target, 4)))
                risk = (row.amount or 0) * row.probability * ratio
                due[row.owner_id].append((-risk, row.id, row.stage_key, row.version, risk))
    sends, items = [], []
    with db.transaction() as session:
        for user_id in sorted(due):
            sends.append({"workspace_id": ws_id, "slack_user_id": user_id, "day": NOW.date(),
                          "status": "posting", "budget": BUDGET, "total": len(due[user_id]),
                          "claimed_by": "floor", "claimed_at": NOW, "attempts": 1})  # fmt: skip
        session.execute(insert(NudgeSend), sends)
        ids = dict(
            session.execute(
                select(NudgeSend.slack_user_id, NudgeSend.id).where(
                    NudgeSend.workspace_id == ws_id, NudgeSend.day == NOW.date()
                )
            ).all()
        )
        for user_id, found in due.items():
            for position, (_key, deal_id, stage, version, risk) in enumerate(sorted(found)):
                items.append({"workspace_id": ws_id, "send_id": ids[user_id], "deal_id": deal_id,
                              "owner_id": user_id, "position": position, "reason": "stuck",
                              "stage_key": stage, "deal_version": version,
                              "value_at_risk": risk.quantize(Decimal("0.01")),
                              "escalation": False, "state": "sent", "sent_at": NOW})  # fmt: skip
        session.execute(insert(NudgeItem), items)
    posted = 0
    for user_id in sorted(due):
        shown = sorted(due[user_id])[:BUDGET]
        lines = [f"#{deal_id}" for _k, deal_id, *_ in shown]
        client.chat_postMessage(channel=user_id, text=", ".join(lines))
        posted += 1
    seconds = time.perf_counter() - started
    db.dispose()
    return seconds, posted


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.nudges_speed")
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--deals", type=int, default=100_000)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeSlack)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    workdir = Path(tempfile.mkdtemp(prefix="nudges-bench-"))
    try:
        template = workdir / "template.db"
        started = time.perf_counter()
        _build(f"sqlite:///{template}", args.reps, args.deals)
        print(f"built {args.reps:,} reps, {args.deals:,} deals in "
              f"{time.perf_counter() - started:.1f} s (SQLite)")  # fmt: skip
        results = {}
        for name, run in (("floor", _run_floor), ("nudger", _run_nudger)):
            copy = workdir / f"{name}.db"
            shutil.copy(template, copy)
            results[name] = run(f"sqlite:///{copy}", port)
            seconds, posted = results[name]
            print(f"{name:>7}: {seconds:7.2f} s for {posted:,} DMs "
                  f"({seconds / max(posted, 1) * 1000:.1f} ms each)")  # fmt: skip
        ratio = results["nudger"][0] / results["floor"][0]
        print(f"  ratio: {ratio:.1f}x the hand-written floor")
    finally:
        server.shutdown()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
