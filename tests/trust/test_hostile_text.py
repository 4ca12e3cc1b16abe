"""Whatever is typed: always a reply, never a 500 or a crash, never a change outside the
caller's reach, and user text shown escaped so it pings nobody and breaks no formatting."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from assistant.storage.models import Base, Workspace

EXAMPLES = int(os.environ.get("TRUST_EXAMPLES", "30"))
VICTIM_TEAM = "T_VICTIM"
SUBCOMMANDS = {
    "/deal": ["new", "move", "won", "lost", "reopen", "show", "list", "assign", "edit", "note",
              "help", "share"],
    "/lead": ["new", "move", "convert", "drop", "show", "list", "help"],
    "/pipeline": ["", "board", "bottlenecks", "forecast", "stages", "stages set", "stage", "help",
                  "share"],
    "/funnel": ["", "report", "sources", "campaigns", "chart", "help"],
    "/digest": ["subscribe", "list", "unsubscribe", "preview", "send", "help"],
    "/sales": ["", "help", "role", "roles", "settings"],
}  # fmt: skip
FRAGMENTS = [
    "<!channel>", "<!here>", "<!everyone>", "<!subteam^S0TEAM>", "<@U0VICTIM>",
    "<@U0VICTIM|victim>", "<#C0X|x>", "<#C0X>", "<https://evil.example|click me>",
    "&lt;!channel&gt;", "&amp;", "'; DROP TABLE deals; --", "\" OR 1=1 --", "' OR ''='",
    "%s", "{0}", "%(x)s", "\\", '"', "'", "`", "```", "*bold*", "_it_", "~s~", ">quote",
    "#1", "#2", "1", "L1", "0", "-1", "#-1", "99999999999999999999", "1e309", "NaN", "12k",
    "$1.5m", "1,2,3", "stage:prop", "stage:", "close:2026-13-45", "close:9999-12-31",
    'name:"x"', "company:", "tz:Mars/Base", "tz:Europe/Berlin", "currency:XYZ",
    "target:-5d", "probability:500%", "label:\"\"", "at 25:61", "weekly funday", "today",
    "2026-Q5", "2026-01-01..2025-01-01", "next", "back", "won", "lost", "share", "mine",
    "stuck", "\u202e", "\u200b", "💥", "ﷺ", "İ", "ß", "\t", "\n", "\r\n", "\x00", "\x1b[31m",
    "null", "None", "undefined", "<script>", "🇺🇳" * 3,
]  # fmt: skip

word = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=24))
short_text = st.lists(word, max_size=8).map(" ".join)
long_text = st.tuples(st.lists(word, min_size=1, max_size=4).map(" ".join), st.integers(3900, 4100))
long_text = long_text.map(lambda pair: ((pair[0] or "x") * 4100)[: pair[1]])


def _rows(bot, team_id: str) -> list[str]:
    rows: list[str] = []
    with bot.services.db.reading() as session:
        ws = session.scalar(select(Workspace.id).where(Workspace.team_id == team_id))
        for table in Base.metadata.sorted_tables:
            if "workspace_id" not in table.c:
                continue
            query = select(table).where(table.c.workspace_id == ws)
            rows.extend(
                repr(tuple(r)) for r in session.execute(query.order_by(*table.primary_key.columns))
            )
    return rows


def _others_deal(bot) -> str:
    """The home workspace's deal #1, owned by someone else: a rep may not change it."""
    with bot.services.db.reading() as session:
        found = session.execute(
            select(Base.metadata.tables["deals"]).where(
                Base.metadata.tables["deals"].c.owner_id == "U0OTHER"
            )
        ).all()
    return repr(found)


def _seed(bot) -> None:
    bot.command("/deal", "new Victim Corp 50k", team_id=VICTIM_TEAM, user="UADMIN")
    bot.command("/lead", "new Victim Lead email:v@victim.io", team_id=VICTIM_TEAM)
    bot.command("/deal", "new Others 10k <@U0OTHER|other>", user="UADMIN")
    bot.command("/deal", "new Mine 5k")
    bot.command("/lead", "new Lia email:lia@x.io")
    # The seed's follow-ups (names learned from users.info, DMs, App Home) finish before the
    # victim's rows are taken as the reference; otherwise a late one looks like a change.
    bot.runtime.followups.shutdown(wait=True)
    bot.runtime.followups = type(bot.runtime.followups)(workers=1)


SPECIAL = ("<!channel", "<!here", "<!everyone", "<!subteam")


def formatted(node) -> str:
    """Every string Slack reads as mrkdwn (message text, mrkdwn blocks); plain_text objects
    show `<!channel>` as typed and never notify, so they are left out."""
    found: list[str] = []

    def walk(item) -> None:
        if isinstance(item, dict):
            if item.get("type") == "plain_text":
                return
            for key, value in item.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(item, list):
            for each in item:
                walk(each)

    walk(node)
    return "\n".join(found)


@pytest.mark.parametrize("command", list(SUBCOMMANDS))
def test_any_text_gets_a_reply_and_changes_nothing_outside(bot, command, tally):
    _seed(bot)
    victim = _rows(bot, VICTIM_TEAM)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(
        sub=st.sampled_from(SUBCOMMANDS[command]),
        rest=st.one_of(short_text, short_text, long_text),
        user=st.sampled_from(["UREP", "UREP", "UADMIN"]),
    )
    def check(sub: str, rest: str, user: str) -> None:
        text = f"{sub} {rest}".strip()
        others = _others_deal(bot)
        result = bot.command(command, text, user=user)
        tally("hostile cases", command)
        assert result.status == 200, (text, result.raw)
        assert result.body.get("text"), (text, result.raw)
        assert "Something went wrong" not in result.text, (text, result.text)
        reply = formatted(result.body)
        assert not any(s in reply for s in SPECIAL), (text, reply[:500])
        if user == "UREP":
            assert _others_deal(bot) == others, text
        assert _rows(bot, VICTIM_TEAM) == victim, text

    check()
    bot.runtime.followups.shutdown(wait=True)
    for call in bot.fake.calls:
        sent = formatted(call.args)
        assert not any(s in sent for s in SPECIAL), (call.method, sent[:500])


def outside_code(text: str) -> str:
    return re.sub(r"```.*?```", "", text, flags=re.DOTALL)


HOSTILE_NAME = '"<!channel> <@U0VICTIM> *Big* <https://evil.example|click> & co"'


def test_markup_in_names_is_shown_escaped_everywhere(bot, tally):
    bot.command("/sales", "settings feed:<#C0FEED|feed>", user="UADMIN")
    made = bot.command("/deal", f"new {HOSTILE_NAME} 12k company:<!here>")
    assert "#1" in made.text, made.text
    bot.command("/deal", "new <!here> Acme 5k")
    bot.command("/lead", "new <!channel> Lead company:<!everyone>")
    bot.command("/deal", "note 1 <!channel> look <@U0VICTIM>")
    bot.services.clock.advance(days=9)
    replies = [
        bot.command("/deal", "show 1"),
        bot.command("/deal", "show 2"),
        bot.command("/deal", "list"),
        bot.command("/deal", "list stuck"),
        bot.command("/lead", "show L1"),
        bot.command("/lead", "list"),
        bot.command("/pipeline", "bottlenecks"),
        bot.command("/digest", "preview pipeline", user="UADMIN"),
        bot.command("/digest", "send pipeline <#C0DIG|dig>", user="UADMIN"),
        bot.command("/deal", "won 1"),
        bot.command("/deal", "move 2 next"),
        bot.command("/deal", "show <!here>"),
    ]
    bot.http.event({"type": "app_home_opened", "user": "UREP", "tab": "home"})
    bot.fake.wait_for("chat.postMessage", 2, timeout=10)  # feed win + digest
    bot.runtime.followups.shutdown(wait=True)
    shown = [formatted(r.body) for r in replies]
    shown += [formatted(c.args) for c in bot.fake.calls]
    tally("escaping", "places checked", len(shown))
    assert any("&lt;!channel&gt;" in s for s in shown)  # the name is there, inert
    for text in shown:
        assert not any(s in text for s in SPECIAL), text[:600]
        # Outside code blocks, where Slack formats, the typed `*Big*` must not become bold.
        assert "*Big*" not in outside_code(text), text[:600]
        assert "<@U0VICTIM" not in text, text[:600]
        assert "<https://evil" not in text, text[:600]
