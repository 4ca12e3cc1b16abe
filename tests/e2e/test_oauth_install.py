"""Multi-workspace mode end to end: the OAuth exchange against the fake Web API, two
workspaces that each see and change only their own data, and uninstalling."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from assistant.server import build_scheduler
from assistant.storage.models import Deal, DigestSubscription, Lead, Workspace
from tests.e2e.oauth_support import CLIENT_ID, CLIENT_SECRET, OAuthBot, clear_store_tables


@pytest.fixture
def oauth_bot(services, fake) -> Iterator[OAuthBot]:
    clear_store_tables(services)
    instance = OAuthBot(services, fake)
    yield instance
    instance.close()


@pytest.fixture
def two(oauth_bot) -> OAuthBot:
    assert oauth_bot.install("T_A", "xoxb-team-a")[0] == 200
    assert oauth_bot.install("T_B", "xoxb-team-b")[0] == 200
    return oauth_bot


def test_install_page_says_what_the_app_does_and_links_to_slack(oauth_bot):
    status, headers, page = oauth_bot.http.get("/slack/install")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "post the digests you schedule" in page and "does not read your messages" in page
    assert f"client_id={CLIENT_ID}" in page and "chat:write" in page and "commands" in page
    assert "slack-app-oauth-state=" in headers["set-cookie"]
    assert oauth_bot.store_rows()["slack_oauth_states"] == 1


def test_the_whole_oauth_exchange_stores_the_installation(oauth_bot):
    status, body = oauth_bot.install("T_A", "xoxb-team-a")
    assert status == 200, body
    (exchange,) = oauth_bot.fake.calls_to("oauth.v2.access")
    assert exchange.args["code"] == "code-T_A"
    assert (exchange.args.get("client_id"), exchange.args.get("client_secret")) == (
        CLIENT_ID,
        CLIENT_SECRET,
    ) or exchange.headers.get("authorization", "").startswith("Basic ")
    assert oauth_bot.store_rows("T_A") == {
        "slack_installations": 1,
        "slack_bots": 1,
        "slack_oauth_states": 0,  # the state was used up
    }
    with oauth_bot.services.db.reading() as session:
        name, gone = session.execute(
            select(Workspace.name, Workspace.uninstalled_at).where(Workspace.team_id == "T_A")
        ).one()
    assert name == "Team T_A" and gone is None
    # The bot now answers that workspace, with its own token.
    assert "Created" in oauth_bot.command("/deal", "new Acme 12k", team="T_A").text


def test_a_redirect_without_a_valid_state_installs_nothing(oauth_bot):
    status, _, _ = oauth_bot.http.get("/slack/oauth_redirect?code=x&state=forged")
    assert status in (400, 200)
    assert oauth_bot.fake.calls_to("oauth.v2.access") == []
    assert oauth_bot.store_rows()["slack_bots"] == 0


def test_requests_from_a_workspace_that_never_installed_are_refused(oauth_bot):
    result = oauth_bot.command("/deal", "new Acme 12k", team="T_STRANGER")
    assert "Created" not in result.text
    with oauth_bot.services.db.reading() as session:
        assert session.scalar(select(Deal.id)) is None


def _deal(bot, team: str, number: int = 1):
    """(stage, status) of a workspace's deal by number, or None."""
    with bot.services.db.reading() as session:
        row = session.execute(
            select(Deal.stage_key, Deal.status)
            .join(Workspace, Workspace.id == Deal.workspace_id)
            .where(Workspace.team_id == team, Deal.number == number)
        ).one_or_none()
    return None if row is None else tuple(row)


def test_two_workspaces_each_see_and_change_only_their_own(two):
    assert "Created" in two.command("/deal", "new Acme 12k", team="T_A").text
    assert "Created" in two.command("/deal", "new Globex 8k", team="T_B").text
    two.command("/lead", "new Jane Doe email:jane@acme.com source:webinar", team="T_A")
    two.command("/lead", "new Bob Roe email:bob@globex.com source:ads", team="T_B")

    # Reads: each sees its own #1 and L1, never the other's.
    a_list, b_list = (two.command("/deal", "list", team=t).text for t in ("T_A", "T_B"))
    assert "Acme" in a_list and "Globex" not in a_list
    assert "Globex" in b_list and "Acme" not in b_list
    assert "Acme" in two.command("/deal", "show 1", team="T_A").text
    assert "No deal matches" in two.command("/deal", "show Acme", team="T_B").text
    assert "Globex" in two.command("/deal", "show 1", team="T_B").text
    a_leads = two.command("/lead", "list", team="T_A").text
    assert "Jane" in a_leads and "Bob" not in a_leads
    assert "Bob" in two.command("/lead", "show L1", team="T_B").text
    a_board = two.command("/pipeline", team="T_A").text
    assert "$12,000" in a_board and "$8,000" not in a_board
    b_sources = two.command("/funnel", "sources", team="T_B").text
    assert "ads" in b_sources and "webinar" not in b_sources

    # Writes: B moves its #1; A's #1 stays where it was.
    two.command("/deal", "move 1 next", team="T_B")
    assert _deal(two, "T_B")[0] != _deal(two, "T_A")[0]
    assert two.command("/deal", "move Globex next", team="T_A").text.count("Qualification") == 0

    # Buttons: the card's Won button pressed in A wins A's deal only.
    blocks = two.command("/deal", "show 1", team="T_A").body["blocks"]
    won = next(
        e for b in blocks if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == "deal_won"
    )  # fmt: skip
    assert two.http.action("deal_won", won["value"], team_id="T_A")[0] == 200
    assert (_deal(two, "T_A")[1], _deal(two, "T_B")[1]) == ("won", "open")
    # The same button value replayed from workspace B changes nothing there.
    two.http.action("deal_won", won["value"], team_id="T_B")
    assert _deal(two, "T_B")[1] == "open"

    # Settings and digests: per workspace.
    two.command("/sales", "settings tz:Europe/Berlin", team="T_B", user="UADMIN")
    sub = two.command("/digest", "subscribe <#C0A|a> pipeline daily", team="T_A", user="UADMIN")
    assert "(subscription #" in sub.text
    assert "C0A" in two.command("/digest", "list", team="T_A", user="UADMIN").text
    assert "C0A" not in two.command("/digest", "list", team="T_B", user="UADMIN").text
    with two.services.db.reading() as session:
        zones = dict(session.execute(select(Workspace.team_id, Workspace.timezone)).all())
        leads = session.execute(select(Lead.workspace_id, Lead.number)).all()
    assert zones == {"T_A": "UTC", "T_B": "Europe/Berlin"}
    assert sorted(n for _, n in leads) == [1, 1]

    # Every Web API call for a workspace used that workspace's token.
    for call in two.fake.calls:
        if call.method in ("views.publish", "chat.postMessage", "chat.postEphemeral"):
            assert call.token in ("xoxb-team-a", "xoxb-team-b")


def test_app_home_shows_each_workspace_its_own_deals_with_its_own_token(two):
    two.command("/deal", "new Acme 12k", team="T_A")
    two.command("/deal", "new Globex 8k", team="T_B")
    two.runtime.followups.shutdown(wait=True)
    two.runtime.followups = type(two.runtime.followups)(workers=1)
    before = len(two.fake.calls_to("views.publish"))
    event = {"type": "app_home_opened", "user": "UREP", "channel": "D0", "tab": "home",
             "event_ts": "1700000000.000100"}  # fmt: skip
    assert two.http.event(event, team_id="T_B")[0] == 200
    call = two.fake.wait_for("views.publish", before + 1)[-1]
    text = json.dumps(call.args["view"])
    assert call.token == "xoxb-team-b" and "Globex" in text and "Acme" not in text


def test_uninstall_removes_tokens_and_stops_digests_but_keeps_data(two):
    for team in ("T_A", "T_B"):
        two.command("/deal", "new Acme 12k", team=team)
        result = two.command(
            "/digest",
            f"subscribe <#C0{team[-1]}|x> pipeline daily at 10:00",
            team=team,
            user="UADMIN",
        )
        assert result.status == 200
    assert two.http.event({"type": "app_uninstalled"}, team_id="T_A")[0] == 200

    assert two.store_rows("T_A") == {"slack_installations": 0, "slack_bots": 0,
                                     "slack_oauth_states": 0}  # fmt: skip
    assert two.store_rows("T_B")["slack_bots"] == 1
    with two.services.db.reading() as session:
        gone = session.scalar(select(Workspace.uninstalled_at).where(Workspace.team_id == "T_A"))
        subs = session.scalar(select(DigestSubscription.id).where(DigestSubscription.active))
    assert gone is not None and subs is not None and _deal(two, "T_A") is not None
    # Requests from the uninstalled workspace no longer reach the bot.
    assert "Created" not in two.command("/deal", "new Late 1k", team="T_A").text

    scheduler = build_scheduler(two.settings, two.services)
    due = two.services.now().replace(hour=10, minute=0) + timedelta(seconds=30)
    two.services.clock.set(due)
    scheduler.tick(due)
    posts = two.fake.calls_to("chat.postMessage")
    assert [(c.args["channel"], c.token) for c in posts] == [("C0B", "xoxb-team-b")]


def test_reinstalling_within_retention_brings_the_workspace_back(two):
    two.command("/deal", "new Acme 12k", team="T_A")
    two.http.event({"type": "app_uninstalled"}, team_id="T_A")
    assert two.install("T_A", "xoxb-team-a-2")[0] == 200
    with two.services.db.reading() as session:
        gone = session.scalar(select(Workspace.uninstalled_at).where(Workspace.team_id == "T_A"))
    assert gone is None
    assert "Acme" in two.command("/deal", "list", team="T_A").text


def test_tokens_revoked_for_the_bot_counts_as_uninstalled(two):
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOTTB"]}}
    assert two.http.event(event, team_id="T_B")[0] == 200
    assert two.store_rows("T_B")["slack_bots"] == 0
    assert two.store_rows("T_A")["slack_bots"] == 1
    with two.services.db.reading() as session:
        gone = dict(session.execute(select(Workspace.team_id, Workspace.uninstalled_at)).all())
    assert gone["T_B"] is not None and gone["T_A"] is None


def test_a_slow_workspace_does_not_hold_up_the_others_digests(two):
    from assistant.digests.compose import make_composer
    from assistant.digests.scheduler import DigestScheduler
    from assistant.server import scheduler_client_for
    from assistant.slack.pacing import ChannelPacer

    for team in ("T_A", "T_B"):  # A first: one after the other, B would wait for A
        result = two.command(
            "/digest",
            f"subscribe <#C0{team[-1]}|x> pipeline daily at 10:00",
            team=team,
            user="UADMIN",
        )
        assert "(subscription #" in result.text, result.text
    compose = make_composer(two.services)
    seen_by_a: list[str] = []

    def slow_for_a(request):
        if request.team_id == "T_A":
            # A is stuck until B's digest is out: run one after the other, this would wait in
            # vain (and A would be retried later); side by side, B goes out meanwhile.
            posts = two.fake.wait_for("chat.postMessage", 1, timeout=20)
            seen_by_a.extend(c.args["channel"] for c in posts)
        return compose(request)

    scheduler = DigestScheduler(
        two.services,
        slow_for_a,
        scheduler_client_for(two.settings, two.services),
        pacer=ChannelPacer(1.0),
    )
    due = two.services.now().replace(hour=10, minute=0) + timedelta(seconds=30)
    two.services.clock.set(due)
    outcomes = scheduler.tick(due)
    scheduler.shutdown()
    assert seen_by_a == ["C0B"]
    assert outcomes["posted"] == 2
    assert [c.args["channel"] for c in two.fake.calls_to("chat.postMessage")] == ["C0B", "C0A"]


def test_rotating_tokens_are_refreshed_before_they_expire(oauth_bot):
    from assistant.server import scheduler_client_for
    from assistant.storage.slack_stores import BOTS

    def install_answer(call):
        if call.args.get("grant_type") == "refresh_token":
            token = f"xoxb-rotated-{len(oauth_bot.fake.calls_to('oauth.v2.access'))}"
            oauth_bot.tokens[token] = "T_A"
            # Expiring within the hour again: the next user of the token rotates it again.
            return {"ok": True, "token_type": "bot", "access_token": token,
                    "refresh_token": f"xoxe-{token}", "expires_in": 3600}  # fmt: skip
        return {**oauth_bot.fake.oauth_response, "refresh_token": "xoxe-1", "expires_in": 3600}

    oauth_bot.fake.set_response("oauth.v2.access", install_answer)
    assert oauth_bot.install("T_A", "xoxb-first")[0] == 200

    assert "Created" in oauth_bot.command("/deal", "new Acme 12k", team="T_A").text
    refresh = oauth_bot.fake.calls_to("oauth.v2.access")[-1]
    assert (
        refresh.args["grant_type"] == "refresh_token" and refresh.args["refresh_token"] == "xoxe-1"
    )
    with oauth_bot.services.db.reading() as session:
        stored = session.execute(select(BOTS.c.bot_token, BOTS.c.bot_refresh_token)).all()
    assert [tuple(row) for row in stored] == [("xoxb-rotated-2", "xoxe-xoxb-rotated-2")]

    # The scheduler rotates too, through the same store, before posting.
    client = scheduler_client_for(oauth_bot.settings, oauth_bot.services)("T_A")
    assert client.token == "xoxb-rotated-3"
    assert oauth_bot.fake.calls_to("oauth.v2.access")[-1].args["refresh_token"] == (
        "xoxe-xoxb-rotated-2"
    )
