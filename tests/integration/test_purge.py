"""Purging a workspace removes every row it has, in every table, and nothing of another:
at once (`python bot.py purge --team T... --yes`), or by the scheduler once an uninstalled
workspace's retention period is over. Expired OAuth states go too."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assistant.server import build_scheduler, housekeeping
from assistant.services.forecasts import keep_record
from assistant.services.purge import purge_expired, purge_expired_states, purge_workspace
from assistant.storage.models import (
    Base,
    Deal,
    DigestDelivery,
    NudgeItem,
    NudgeSend,
    NudgeSnooze,
    ProcessedRequest,
    Workspace,
)
from assistant.storage.slack_stores import OAUTH_STATES, STORE_METADATA
from testkit.fake_slack import FakeSlack
from tests.e2e.oauth_support import OAuthBot, clear_store_tables

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bot(services) -> Iterator[OAuthBot]:
    clear_store_tables(services)
    with FakeSlack.start() as fake:
        instance = OAuthBot(services, fake)
        yield instance
        instance.close()


def everything(db) -> list[str]:
    """Every row of every table, ours and slack_sdk's, in a stable order."""
    lines: list[str] = []
    with db.write_engine.connect() as connection:
        for table in [*Base.metadata.sorted_tables, *STORE_METADATA.sorted_tables]:
            order = list(table.primary_key.columns)
            for row in connection.execute(select(table).order_by(*order)):
                lines.append(f"{table.name}: {tuple(row)!r}")
        connection.rollback()
    return lines


def populate(bot: OAuthBot, team: str, channel: str, at: str = "10:00") -> None:
    """A workspace with a row in every table: install, deals, leads, notes, roles, settings,
    a subscription with a posted delivery, processed requests, a target, and a plain-word
    question whose thread and pending confirmation are kept."""
    assert bot.install(team, f"xoxb-{team}")[0] == 200
    run = [
        ("/deal", "new Acme 12k"),
        ("/deal", "new Globex 8k"),
        ("/deal", "note 1 Called, they want a demo"),
        ("/deal", "move 1 next"),
        ("/deal", "won 2"),
        ("/lead", "new Jane Doe email:jane@acme.com source:webinar"),
        ("/lead", "new Rita Roe email:rita@x.com source:ads"),
        ("/lead", "convert L2 5k"),
        ("/sales", "role <@U0ANA|ana> manager"),
        ("/sales", "settings tz:Europe/Berlin"),
        ("/digest", f"subscribe <#{channel}|x> pipeline daily at {at} tz:UTC"),
        ("/sales", "target team 50k this quarter"),
        ("/sales", "team <@U0ANA|ana> <@UADMIN|admin>"),
        ("/nudge", "max 3"),
    ]
    for command, text in run:
        result = bot.command(command, text, team=team, user="UADMIN")
        assert result.status == 200 and ":warning:" not in result.text, (text, result.text)
    # Questions in words: a thread remembered for follow-ups, and a change confirmed by click.
    mention(bot, team, channel, "which deals are in proposal?")
    ask = mention(bot, team, channel, "move acme to proposal")
    [confirm] = [
        button
        for block in ask.args["blocks"]
        if block["type"] == "actions"
        for button in block["elements"]
        if button["action_id"] == "ask_confirm"
    ]
    message = {"type": "message", "user": "UBOT", "ts": "1700000000.000200", "text": "",
               "blocks": []}  # fmt: skip
    answered = len(bot.fake.responses())
    status, _, _ = bot.http.action("ask_confirm", confirm["value"], user_id="UADMIN",
                                   team_id=team, channel_id=channel, message=message)  # fmt: skip
    assert status == 200
    bot.fake.wait_for("respond", answered + 1, timeout=10)
    keep_record(bot.services)  # the forecasts' track record: this month's and quarter's
    nudged(bot, team)
    bot.runtime.followups.shutdown(wait=True)
    bot.runtime.followups = type(bot.runtime.followups)(workers=1)


def nudged(bot: OAuthBot, team: str) -> None:
    """A morning's nudge, its item and a snooze. Written directly: their own tests send and
    click them (tests/e2e/test_nudges_*.py); here only where a purge must look matters."""
    now = bot.services.clock()
    with bot.services.db.transaction() as session:
        workspace, deal = session.execute(
            select(Workspace.id, Deal.id).join(Deal).where(Workspace.team_id == team).limit(1)
        ).one()
        send = NudgeSend(workspace_id=workspace, slack_user_id="UADMIN", day=now.date(),
                         status="posted", budget=5, claimed_at=now)  # fmt: skip
        session.add(send)
        session.flush()
        session.add(NudgeItem(workspace_id=workspace, send_id=send.id, deal_id=deal,
                              owner_id="UADMIN", position=0, reason="stuck",
                              stage_key="qualification", deal_version=1, value_at_risk=1,
                              sent_at=now))  # fmt: skip
        session.add(NudgeSnooze(workspace_id=workspace, deal_id=deal, snoozed_by="UADMIN",
                                until=now + timedelta(days=3), created_at=now))  # fmt: skip


def mention(bot: OAuthBot, team: str, channel: str, words: str):
    """An @mention of the workspace's bot user; returns the bot's answer in the thread."""
    bot_user = "UBOT" + team.replace("_", "")
    ts = f"1700000{len(bot.fake.calls)}.000100"
    question = {"type": "app_mention", "user": "UADMIN", "text": f"<@{bot_user}> {words}",
                "ts": ts, "channel": channel, "event_ts": ts}  # fmt: skip
    posted = len([call for call in bot.fake.calls if call.method == "chat.postMessage"])
    assert bot.http.event(question, team_id=team)[0] == 200
    return bot.fake.wait_for("chat.postMessage", posted + 1, timeout=10)[-1]


def post_digests(bot: OAuthBot, hour: int = 10) -> None:
    clock = bot.services.clock
    due = clock().replace(hour=hour, minute=0, second=30)
    clock.set(due)
    build_scheduler(bot.settings, bot.services).tick(due)


def rows_of_every_kind(bot: OAuthBot) -> dict[str, int]:
    with bot.services.db.reading() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table))
            for table in [*Base.metadata.sorted_tables, *STORE_METADATA.sorted_tables]
        }


def test_purge_removes_every_row_of_the_workspace_and_nothing_else(bot):
    populate(bot, "T_B", "C0B")
    post_digests(bot)
    bot.services.clock.advance(minutes=1)
    other_only = everything(bot.services.db)
    populate(bot, "T_A", "C0A", at="11:00")  # due when B's digest is not
    post_digests(bot, hour=11)
    counts = rows_of_every_kind(bot)
    # The test means something only if workspace A has rows everywhere a purge must look.
    empty = [name for name in counts if not counts[name] and name != "slack_oauth_states"]
    assert empty == [], counts
    with bot.services.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(DigestDelivery)) >= 2
        assert session.scalar(
            select(func.count()).where(ProcessedRequest.team_id == "T_A")
        ) > 0  # fmt: skip

    purged = purge_workspace(bot.services, "T_A")

    assert purged.rows > 30
    assert everything(bot.services.db) == other_only
    assert purge_workspace(bot.services, "T_A").rows == 0  # idempotent


def test_retention_purge_waits_for_the_period_then_deletes(bot):
    def kept(lines: list[str]) -> list[str]:
        # Housekeeping also forgets day-old delivery keys of every workspace, and keeps the
        # installed workspaces' forecasts (by design).
        return [line for line in lines if not line.startswith(("processed_requests", "forecasts"))]

    populate(bot, "T_B", "C0B")
    other_only = kept(everything(bot.services.db))
    populate(bot, "T_A", "C0A")
    assert bot.http.event({"type": "app_uninstalled"}, team_id="T_A")[0] == 200
    uninstalled = bot.services.now()

    assert purge_expired(bot.services, 30, uninstalled + timedelta(days=29)) == []
    assert any("'T_A'" in line for line in everything(bot.services.db))
    bot.services.clock.set(uninstalled + timedelta(days=30, minutes=1))
    housekeeping(bot.settings, bot.services)  # what the scheduler runs daily

    assert kept(everything(bot.services.db)) == other_only


def test_expired_oauth_states_are_purged_and_live_ones_kept(bot):
    bot.http.get("/slack/install")
    bot.http.get("/slack/install")
    with bot.services.db.transaction() as session:
        session.execute(OAUTH_STATES.insert().values(state="old", expire_at=datetime(2020, 1, 1)))
    assert purge_expired_states(bot.services, datetime.now(UTC)) == 1
    with bot.services.db.reading() as session:
        states = list(session.scalars(select(OAUTH_STATES.c.state)))
    assert len(states) == 2 and "old" not in states


def _bot_cli(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SALES_"))}
    env.update(DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_purge_command_asks_for_yes_then_deletes_that_workspace(bot, tmp_path):
    populate(bot, "T_B", "C0B")
    other_only = everything(bot.services.db)
    populate(bot, "T_A", "C0A")
    url = bot.services.db.url

    refused = _bot_cli("purge", "--team", "T_A", database_url=url, cwd=tmp_path)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert any("T_A" in line for line in everything(bot.services.db))

    done = _bot_cli("purge", "--team", "T_A", "--yes", database_url=url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "workspace T_A:" in done.stdout and "rows deleted" in done.stdout
    assert everything(bot.services.db) == other_only
