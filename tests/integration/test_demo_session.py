"""The demo console's dispatch, in process, on both databases: lines typed as in Slack reach
the same handlers, and the replies come back as text."""

from __future__ import annotations

import io
from functools import partial

import pytest
from slack_sdk.models.blocks import HeaderBlock
from sqlalchemy import select

from assistant.blocks.common import section
from assistant.demo import digests
from assistant.demo.mrkdwn import Style
from assistant.demo.sample import CHANNELS, DEMO_USER, MARKETER, PEOPLE, TEAM_ID
from assistant.demo.session import OK, REFUSED, UNKNOWN, DemoSession, slack_text
from assistant.digests.model import DigestMessage, DigestRequest
from assistant.services.context import Actor, Services
from assistant.storage.models import User


@pytest.fixture
def demo_services(db, clock) -> Services:
    return Services(db=db, clock=clock, admins=frozenset({DEMO_USER}))


def session_for(services: Services, user: str = DEMO_USER) -> tuple[DemoSession, io.StringIO]:
    out = io.StringIO()
    style = Style(names=PEOPLE, channels=CHANNELS)
    return DemoSession(services, Actor(TEAM_ID, user), out, style), out


def test_typed_mentions_reach_the_handler_as_slack_mentions(demo_services):
    session, out = session_for(demo_services)
    assert session.run_line("/sales role @Ben manager") == OK
    assert "@ben is now manager (was rep)" in out.getvalue()
    with demo_services.db.reading() as db_session:
        role = db_session.scalar(select(User.role).where(User.slack_user_id == "U0DEMOBEN"))
    assert role == "manager"


def test_channels_by_name_and_the_slash_is_optional(demo_services):
    session, out = session_for(demo_services)
    assert session.run_line("sales settings feed:#wins") == OK
    assert "Feed channel (won deals): #wins" in out.getvalue()
    assert "<#" not in out.getvalue()


def test_refusals_and_bad_input_return_1_unknown_commands_2(demo_services):
    session, out = session_for(demo_services, MARKETER)
    assert session.run_line("/sales role @ben admin") == REFUSED
    assert "admins" in out.getvalue()
    assert session.run_line("/sales rols") == REFUSED
    assert "Did you mean" in out.getvalue()
    assert session.run_line("/frobnicate") == UNKNOWN
    assert "Unknown command `/frobnicate`" in out.getvalue()
    assert session.run_line("   ") == OK


def test_share_says_where_it_would_have_gone(demo_services):
    session, out = session_for(demo_services)
    assert session.run_line("/sales roles share") == OK
    assert "(posted in #sales for everyone)" in out.getvalue()


def test_help_and_people(demo_services):
    session, out = session_for(demo_services)
    session.run_line("help")
    session.run_line("people")
    text = out.getvalue()
    for command in ("/deal", "/lead", "/pipeline", "/funnel", "/digest", "/sales", "digest"):
        assert command in text
    assert "Reps: @ana, @ben" in text and "You are @you" in text


def test_digest_with_the_composer(demo_services, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session, out = session_for(demo_services)
    session.run_line("/sales roles")  # creates the workspace, as seeding would
    assert digests.print_digests(session, tmp_path / "charts") == 0
    assert "<@U" not in out.getvalue() and '{"type":' not in out.getvalue()


def test_digest_prints_both_and_saves_the_charts(demo_services, tmp_path, monkeypatch):
    """With a composer in place (here a stand-in honouring the model's contract)."""
    asked: list[str] = []

    def compose(services, request: DigestRequest) -> DigestMessage:
        asked.append(request.kind)
        blocks = [HeaderBlock(text=f"{request.kind.title()} digest"), section("<@U0DEMOANA>")]
        png = b"\x89PNG\r\n\x1a\n" + request.kind.encode()
        return DigestMessage(
            text="fallback", blocks=blocks, charts=[(f"{request.kind}.png", png, "Chart")]
        )

    monkeypatch.setattr(digests, "make_composer", lambda services: partial(compose, services))
    session, out = session_for(demo_services)
    session.run_line("/sales roles")
    assert digests.print_digests(session, tmp_path / "charts") == 0
    text = out.getvalue()
    assert asked == ["pipeline", "funnel"]
    assert "Pipeline digest" in text and "Funnel digest" in text and "@ana" in text
    for kind in asked:
        path = tmp_path / "charts" / f"{kind}.png"
        assert path.read_bytes().endswith(kind.encode()) and str(path) in text


def test_slack_text_escapes_like_slack():
    assert slack_text("a <b> & @ana #sales #12 @nobody") == (
        "a &lt;b&gt; &amp; <@U0DEMOANA|ana> <#C0DEMOSALES|sales> #12 @nobody"
    )


def test_mistyped_commands_and_subcommands_suggest_the_likely_one(demo_services):
    session, out = session_for(demo_services)
    assert session.run_line("/deals list") == UNKNOWN
    assert "Unknown command `/deals`. Did you mean `/deal`?" in out.getvalue()
    session.run_line("/deal lsit")
    assert "Did you mean `/deal list`?" in out.getvalue()  # not `lost`: a swap is one slip
