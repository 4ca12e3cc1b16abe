"""The commands' floor and a bare reference, served exactly like the bot (bench.commands).

- `bench.command_floor:floor_app`: a bare Bolt app (`process_before_response=True`, as the
  bot) whose listeners do each command's essential database work with hand-written SQL
  through the raw driver, on the same database as the bot, and reply with a plain f-string:
  `show` reads the deal and its stage; `list` what the bot's list reads (up to 500 rows of
  the filter, the count of the rest, the shown rows' owner names: `Floor.list`);
  `/pipeline` one GROUP BY of the open deals; `move` reads the stages, then reads the deal
  (locked), updates it and inserts its history row in one transaction; `new` takes the next
  number, inserts the deal and its create history rows in one transaction.
- `bench.command_floor:bare_app`: the same app whose only listener acknowledges (Bolt with
  no work at all; a reference column, not the goal's denominator).
Settings come from the environment like `assistant.wsgi` (DATABASE_URL, SLACK_BOT_TOKEN,
SLACK_SIGNING_SECRET, SLACK_API_URL). No SQLAlchemy and no bot code here.
"""

from __future__ import annotations

import os
import re
import threading
from datetime import UTC, datetime, timedelta

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bench import rawdb
from bench.floor_stats import Sql

LIST_LIMIT = 500  # rows the bot's list reads at most (assistant.domain.limits.LIST_LIMIT)
LIST_ROWS = 40  # rows it shows (assistant.blocks.deal_list.LIST_ROWS)
CHANGE_COLUMNS = (
    "workspace_id, entity, entity_id, action, field, old_value, new_value, actor_id, at,"
    " stay_stage, stay_began_at"
)


def _app() -> App:
    token = os.environ["SLACK_BOT_TOKEN"]
    return App(
        token=token,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=WebClient(token=token, base_url=os.environ["SLACK_API_URL"]),
        process_before_response=True,
    )


class Floor:
    """One connection per thread; each command's SQL, written the shortest way."""

    def __init__(self, url: str) -> None:
        self.kind, self.target = rawdb.target_of(url)
        self.mark = rawdb.placeholder(self.kind)
        self.local = threading.local()

    @property
    def sql(self) -> Sql:
        sql = getattr(self.local, "sql", None)
        if sql is None:
            sql = self.local.sql = Sql(self.kind, rawdb.connect(self.kind, self.target))
            if self.kind == "sqlite":
                sql.rows("PRAGMA busy_timeout = 5000")
        return sql

    def rows(self, statement: str, *args) -> list[tuple]:
        return self.sql.rows(statement, *args)

    def transaction(self, work):
        """`work(run)` in one transaction; `run(statement, *args)` returns its first row."""
        connection = self.sql.connection

        def run(statement: str, *args):
            cursor = connection.execute(statement.replace("?", self.mark), args)
            return cursor.fetchone() if cursor.description else None

        connection.execute("BEGIN IMMEDIATE" if self.kind == "sqlite" else "BEGIN")
        try:
            result = work(run)
            connection.execute("COMMIT")
            return result
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def when(self, at: datetime):
        return self.sql.at(at)

    def parse_time(self, value) -> datetime:
        at = datetime.fromisoformat(value) if isinstance(value, str) else value
        return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite keeps UTC, naive

    def workspace(self, team: str) -> tuple[int, str]:
        return self.rows("SELECT id, currency FROM workspaces WHERE team_id = ?", team)[0]

    def stages(self, ws: int) -> list[tuple]:
        return self.rows(
            "SELECT key, label, target_days FROM stages WHERE workspace_id = ?"
            " AND kind = 'pipeline' AND active ORDER BY position",
            ws,
        )

    # -- the commands ---------------------------------------------------------------------------
    def show(self, team: str, number: int) -> str:
        ws, currency = self.workspace(team)
        found = self.rows(
            "SELECT d.number, d.name, d.amount, d.owner_id, d.status, s.label FROM deals d"
            " JOIN stages s ON s.workspace_id = d.workspace_id AND s.kind = 'pipeline'"
            " AND s.key = d.stage_key WHERE d.workspace_id = ? AND d.number = ?",
            ws,
            number,
        )
        if not found:
            return f":warning: No deal #{number}."
        n, name, amount, owner, status, label = found[0]
        return f"*#{n} {name}* · {label} · {status} · {_money(amount, currency)} · <@{owner}>"

    def list(self, team: str, user: str, word: str) -> str:
        """What the bot's `/deal list` needs: up to LIST_LIMIT rows of the filter in its order
        (all of them for `stuck`, most overdue first), the count of the rest when the page is
        full, the value and stuck count of the whole list when it fits, and the names of the
        owners of the LIST_ROWS rows it shows."""
        ws, currency = self.workspace(team)
        stages = {key: (label, target) for key, label, target in self.stages(ws)}
        now = datetime.now(UTC)
        where, args = "workspace_id = ? AND status = 'open'", [ws]
        if word == "mine":
            where, args = where + " AND owner_id = ?", [*args, user]
        columns = "number, name, amount, owner_id, stage_key, stage_entered_at"
        if word == "stuck":
            limits = [(k, now - timedelta(days=t)) for k, (_, t) in stages.items() if t is not None]
            where += " AND (" + " OR ".join(
                "(stage_key = ? AND stage_entered_at < ?)" for _ in limits
            )
            where += ")"
            for key, limit in limits:
                args += [key, self.when(limit)]
            found = self.rows(f"SELECT {columns} FROM deals WHERE {where}", *args)
            total = len(found)
        else:
            found = self.rows(
                f"SELECT {columns} FROM deals WHERE {where} ORDER BY number LIMIT {LIST_LIMIT}",
                *args,
            )
            total = len(found)
            if total == LIST_LIMIT:
                total = self.rows(f"SELECT count(*) FROM deals WHERE {where}", *args)[0][0]
        listed = []
        for n, name, amount, owner, stage, entered in found:
            label, target = stages.get(stage, (stage, None))
            in_stage = (now - self.parse_time(entered)).total_seconds() / 86400
            overdue = max(0.0, in_stage - target) if target is not None else 0.0
            listed.append((n, name, amount, owner, label, in_stage, overdue))
        if word == "stuck":
            listed.sort(key=lambda row: -row[6])
            listed = listed[:LIST_LIMIT]
        summary = f"{total} deals"
        if len(listed) == total and listed:
            value = sum(row[2] or 0 for row in listed)
            stuck = sum(1 for row in listed if row[6] > 0)
            summary += f", {_money(value, currency)} in total, {stuck} stuck"
        shown = listed[:LIST_ROWS]
        names = self.names(ws, sorted({row[3] for row in shown}))
        lines = [
            f"#{n} {name} · {label} · {_money(a, currency)} · {names.get(o, o)} · {d:.1f}"
            + (f" +{late:.1f}" if late else "")
            for n, name, a, o, label, d, late in shown
        ]
        return summary + "\n" + "\n".join(lines)

    def names(self, ws: int, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        return dict(
            self.rows(
                "SELECT slack_user_id, name FROM people WHERE workspace_id = ?"
                f" AND slack_user_id IN ({marks})",
                ws,
                *ids,
            )
        )

    def board(self, team: str) -> str:
        ws, currency = self.workspace(team)
        stages = self.stages(ws)
        now = datetime.now(UTC)
        cases = " ".join(
            f"WHEN '{key}' THEN {self.mark}" for key, _, target in stages if target is not None
        )
        args = [self.when(now - timedelta(days=t)) for _, _, t in stages if t is not None]
        found = self.rows(
            "SELECT stage_key, count(*), sum(amount),"
            f" sum(CASE WHEN stage_entered_at < (CASE stage_key {cases} END) THEN 1 ELSE 0 END)"
            " FROM deals WHERE workspace_id = ? AND status = 'open' GROUP BY stage_key",
            *args,
            ws,
        )
        by_key = {key: (count, value, stuck) for key, count, value, stuck in found}
        lines = []
        for key, label, _ in stages:
            count, value, stuck = by_key.get(key, (0, 0, 0))
            lines.append(f"{label}: {count} deals, {_money(value, currency)}, {stuck} stuck")
        return "\n".join(lines)

    def move(self, team: str, user: str, number: int, step: int) -> str:
        ws, _ = self.workspace(team)
        stages = self.stages(ws)
        keys = [key for key, _, _ in stages]
        now = self.when(datetime.now(UTC))
        lock = "" if self.kind == "sqlite" else " FOR UPDATE"  # SQLite: BEGIN IMMEDIATE

        def work(run) -> str | None:
            found = run(
                "SELECT id, stage_key, status, stage_entered_at FROM deals"
                f" WHERE workspace_id = ? AND number = ?{lock}",
                ws, number,
            )  # fmt: skip
            if found is None:
                return None
            deal_id, stage, status, entered = found
            at = min(max(keys.index(stage) + step, 0), len(keys) - 1) if stage in keys else 0
            # The row ends the deal's stay if it is open and moves: it says which and since
            # when, as the product's does (records.history.Stay).
            moves = status == "open" and keys[at] != stage
            stay = (stage, entered) if moves else (None, None)
            run(
                "UPDATE deals SET stage_key = ?, stage_entered_at = ?, updated_at = ?,"
                " version = version + 1 WHERE id = ?",
                keys[at], now, now, deal_id,
            )  # fmt: skip
            run(
                f"INSERT INTO changes ({CHANGE_COLUMNS}) VALUES (?, 'deal', ?, 'move',"
                " 'stage_key', ?, ?, ?, ?, ?, ?)",
                ws, deal_id, stage, keys[at], user, now, *stay,
            )  # fmt: skip
            return stages[at][1]

        label = self.transaction(work)
        if label is None:
            return f":warning: No deal #{number}."
        return f"Moved #{number} to {label}."

    def new(self, team: str, user: str, name: str, amount: int | None) -> str:
        ws, currency = self.workspace(team)
        first = self.stages(ws)[0][0]
        now = self.when(datetime.now(UTC))
        values = (("name", name), ("amount", _text(amount)), ("owner_id", user))
        values += (("stage_key", first), ("status", "open"))

        def work(run) -> int:
            (number,) = run(
                "UPDATE workspaces SET deal_seq = deal_seq + 1 WHERE id = ? RETURNING deal_seq",
                ws,
            )
            (deal_id,) = run(
                "INSERT INTO deals (workspace_id, number, name, name_folded, amount, owner_id,"
                " stage_key, stage_entered_at, status, created_by, created_at, updated_at,"
                " version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, 1) RETURNING id",
                ws, number, name, name.casefold(), amount, user, first, now, user, now, now,
            )  # fmt: skip
            marks = ", ".join(
                ["(?, 'deal', ?, 'create', ?, NULL, ?, ?, ?, NULL, NULL)"] * len(values)
            )
            args: list = []
            for field, value in values:
                args += [ws, deal_id, field, value, user, now]
            run(f"INSERT INTO changes ({CHANGE_COLUMNS}) VALUES {marks}", *args)
            return number

        number = self.transaction(work)
        return f"Created #{number} {name} ({_money(amount, currency)})."


def _money(cents, currency: str) -> str:
    return "—" if cents is None else f"{currency} {cents / 100:,.0f}"


def _text(cents: int | None) -> str | None:
    return None if cents is None else f"{cents / 100:.2f}"


NEW = re.compile(r'new\s+"([^"]+)"\s*(\d+)(k?)', re.IGNORECASE)


def _floor_app() -> SlackRequestHandler:
    app = _app()
    floor = Floor(os.environ["DATABASE_URL"])

    @app.command("/deal")
    def deal(ack, command) -> None:
        team, user = command["team_id"], command["user_id"]
        words = command.get("text", "").split()
        verb = words[0] if words else ""
        if verb == "show":
            ack(floor.show(team, int(words[1])))
        elif verb == "list":
            ack(floor.list(team, user, words[1] if len(words) > 1 else ""))
        elif verb == "move":
            ack(floor.move(team, user, int(words[1]), 1 if words[2] == "next" else -1))
        elif (match := NEW.match(command.get("text", ""))) is not None:
            amount = int(match.group(2)) * (1000 if match.group(3) else 1) * 100
            ack(floor.new(team, user, match.group(1), amount))
        else:
            ack(":warning: Try `/deal show 1`.")

    @app.command("/pipeline")
    def pipeline(ack, command) -> None:
        ack(floor.board(command["team_id"]))

    return SlackRequestHandler(app)


def _bare_app() -> SlackRequestHandler:
    app = _app()

    @app.command(re.compile(".*"))
    def acknowledge(ack) -> None:
        ack()

    return SlackRequestHandler(app)


def __getattr__(name: str):
    # Built on first access, so gunicorn builds only the app it serves (one auth.test).
    if name == "floor_app":
        return _floor_app()
    if name == "bare_app":
        return _bare_app()
    raise AttributeError(name)
