"""Two workspaces in one database (PRODUCT.md §6): from the other one, every read and change
of the first's records, by number, by name fragment, by email and by a button payload that
carries its deal number, is refused or not found, and nothing changes."""

from __future__ import annotations

import json

from sqlalchemy import select

from assistant.storage.models import Base, Workspace
from tests.e2e.test_home_tab import home_text

HOME, AWAY = "T_TEST", "T_OTHER"
# Secrets of the home workspace: none of them may show up in anything AWAY sees.
SECRETS = ("Zephyr", "Quasar", "zara@", "Nimbus", "C0HOMEDIG", "U0HOMEREP", "Z-campaign")


def _seed_home(bot) -> None:
    cmds = [
        ("/deal", "new Zephyr Holdings 120k company:Nimbus source:web campaign:Z-campaign"),
        ("/deal", "new Quasar Labs 40k <@U0HOMEREP|homerep> stage:proposal"),
        ("/deal", "new Zephyr Minor 5k"),
        ("/deal", "won 3"),
        ("/deal", "note 1 secret pricing"),
        ("/lead", "new Zara Quasar email:zara@quasar.io source:web campaign:Z-campaign"),
        ("/digest", "subscribe <#C0HOMEDIG|dig> pipeline daily"),
        ("/sales", "role <@U0HOMEREP|homerep> manager"),
    ]
    for cmd, text in cmds:
        result = bot.command(cmd, text, user="UADMIN", team_id=HOME)
        assert "You can't" not in result.text and ":warning:" not in result.text, result.text


ATTEMPTS = [
    ("/deal", "show #1"), ("/deal", "show 2"), ("/deal", "show zephyr"), ("/deal", "show quas"),
    ("/deal", "move #1 next"), ("/deal", "move zephyr next"), ("/deal", "won 2"),
    ("/deal", "won quasar 1k"), ("/deal", "lost 1 nope"), ("/deal", "lost zephyr nope"),
    ("/deal", "reopen 3"), ("/deal", "reopen minor"), ("/deal", "assign 1 <@U0AWAY|away>"),
    ("/deal", "assign quasar <@U0AWAY|away>"), ("/deal", "edit 1 1k"),
    ("/deal", 'edit zephyr name:"Hijacked"'), ("/deal", "note 1 hello"),
    ("/deal", "note quasar hello"), ("/deal", "list"), ("/deal", "list won"),
    ("/deal", "list <@U0HOMEREP|homerep>"), ("/deal", "list proposal"),
    ("/lead", "show L1"), ("/lead", "show zara@quasar.io"), ("/lead", "show zara"),
    ("/lead", "move L1 next"), ("/lead", "move zara next"), ("/lead", "convert L1 5k"),
    ("/lead", "convert zara@quasar.io"), ("/lead", "drop L1 x"), ("/lead", "drop zara x"),
    ("/lead", "list"), ("/lead", "list source:web"), ("/lead", "list campaign:Z-campaign"),
    ("/pipeline", ""), ("/pipeline", "bottlenecks"), ("/pipeline", "forecast this year"),
    ("/pipeline", "stages"), ("/funnel", ""), ("/funnel", "sources"), ("/funnel", "campaigns"),
    ("/digest", "list"), ("/digest", "unsubscribe 1"), ("/digest", "preview pipeline"),
    ("/sales", "roles"),
]  # fmt: skip


def test_nothing_crosses_between_workspaces(bot, tally):
    _seed_home(bot)
    bot.runtime.followups.shutdown(wait=True)
    bot.runtime.followups = type(bot.runtime.followups)(workers=2)
    before = _home_rows(bot)
    seen = len(bot.fake.calls)
    leaks: list[str] = []
    # An admin of the other workspace: the strongest caller there is.
    for user in ("UADMIN", "U0AWAY"):
        for cmd, text in ATTEMPTS:
            result = bot.command(cmd, text, user=user, team_id=AWAY)
            assert result.status == 200
            tally("isolation", f"{cmd} attempts")
            # The reply may echo what was typed ("No deal matches `zephyr`"), nothing more.
            unseen = [s for s in SECRETS if s.lower() not in text.lower()]
            if any(secret.lower() in result.raw.lower() for secret in unseen):
                leaks.append(f"{user} {cmd} {text}: {result.text[:200]}")
    # Buttons carrying the home workspace's deal numbers, pressed from AWAY.
    for action_id in ("deal_next", "deal_won", "deal_lost"):
        for number in (1, 2):
            calls = len(bot.fake.calls_to("respond"))
            value = json.dumps({"n": number, "v": 1})
            status, _, _ = bot.http.action(action_id, value, user_id="UADMIN", team_id=AWAY)
            assert status == 200
            (reply,) = bot.fake.wait_for("respond", calls + 1)[calls:]
            assert "No deal matches" in reply.args["text"], reply.args["text"]
            tally("isolation", "button payloads")
    # App Home from AWAY: its own (empty) totals only.
    publishes = len(bot.fake.calls_to("views.publish"))
    status, _, _ = bot.http.event(
        {"type": "app_home_opened", "user": "UADMIN", "tab": "home"}, team_id=AWAY
    )
    assert status == 200
    publish = bot.fake.wait_for("views.publish", publishes + 1)[-1]
    tally("isolation", "app home")
    assert "$165,000" not in home_text(publish) and "Zephyr" not in home_text(publish)
    for call in bot.fake.calls[seen:]:
        if call.method.startswith("respond") or call.method == "views.publish":
            body = call.body.decode(errors="replace")
            # No typed text reaches these: the cards and Home are made from stored records.
            leaks.extend(f"{call.method}: {s}" for s in SECRETS if s.lower() in body.lower())
    tally("isolation", "leaks found", len(leaks))
    assert leaks == []
    assert _home_rows(bot) == before
    # And the home workspace still sees all of it.
    assert "Zephyr Holdings" in bot.command("/deal", "show 1", team_id=HOME).text


def test_numbers_are_per_workspace(bot, tally):
    bot.command("/deal", "new Zephyr 10k", team_id=HOME)
    made = bot.command("/deal", "new Orion 20k", team_id=AWAY)
    assert "#1" in made.text  # each workspace numbers its own deals from 1
    assert "to Qualification" in bot.command("/deal", "move 1 next", team_id=AWAY).text
    home = bot.command("/deal", "show 1", team_id=HOME).text
    assert "Zephyr" in home and "Lead generation" in home
    away = bot.command("/deal", "show zephyr", team_id=AWAY).text
    assert "No deal matches" in away
    tally("isolation", "number collisions", 3)


def _home_rows(bot) -> list[str]:
    """Every row of the home workspace (and of tables that belong to no workspace); the
    other workspace may create its own settings when first used."""
    rows: list[str] = []
    with bot.services.db.reading() as session:
        home_id = session.scalar(select(Workspace.id).where(Workspace.team_id == HOME))
        for table in Base.metadata.sorted_tables:
            if table.name == "processed_requests":
                continue
            query = select(table).order_by(*table.primary_key.columns)
            if "workspace_id" in table.c:
                query = query.where(table.c.workspace_id == home_id)
            elif table.name == "workspaces":
                query = query.where(table.c.team_id == HOME)
            rows.extend(f"{table.name}: {tuple(row)!r}" for row in session.execute(query))
    return rows
