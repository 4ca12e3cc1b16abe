"""The feed channel: won deals announced after the reply; moves too when enabled."""

from __future__ import annotations

from sqlalchemy import select

from assistant.storage.models import Deal


def set_feed(bot, *options: str) -> None:
    result = bot.command("/sales", "settings " + " ".join(options), user="UADMIN")
    assert "Workspace settings" in result.text


def settle(bot, publishes: int) -> None:
    """The feed post runs before the Home refresh in the same follow-up; once the Home is
    published, the feed post (if any) has been made."""
    bot.fake.wait_for("views.publish", publishes)


def feed_posts(bot) -> list:
    return [c for c in bot.fake.calls_to("chat.postMessage") if c.args.get("channel") == "C0WINS"]


def test_a_won_deal_is_announced_in_the_feed_channel(bot):
    set_feed(bot, "feed:<#C0WINS|wins>")
    bot.command("/deal", "new Acme renewal 12k company:Acme")
    bot.command("/deal", "move 1 next")
    result = bot.command("/deal", "won 1 15k")
    assert ":tada: Won #1 Acme renewal for $15,000" in result.text
    settle(bot, 3)
    (post,) = feed_posts(bot)
    assert ":tada: Won #1 Acme renewal for $15,000, from Qualification" in post.args["text"]
    assert "(by <@UREP>, owner <@UREP>)" in post.args["text"] and post.args["blocks"]


def test_moves_are_announced_only_when_enabled(bot):
    set_feed(bot, "feed:<#C0WINS|wins>")
    bot.command("/deal", "new Acme 12k")
    bot.command("/deal", "move 1 next")
    settle(bot, 2)
    assert feed_posts(bot) == []
    set_feed(bot, "moves:on")
    bot.command("/deal", "move 1 next")
    settle(bot, 3)  # follow-ups run on a pool: wait, so the posts come in command order
    bot.command("/deal", "lost 1 budget")
    settle(bot, 4)
    texts = [p.args["text"] for p in feed_posts(bot)]
    assert len(texts) == 2
    assert "Moved #1 Acme from Qualification to Assessment" in texts[0]
    assert "Lost #1 Acme ($12,000) from Assessment" in texts[1] and "budget" in texts[1]


def test_no_feed_channel_means_no_post(bot):
    bot.command("/deal", "new Acme 12k")
    bot.command("/deal", "won 1")
    settle(bot, 2)
    assert bot.fake.calls_to("chat.postMessage") == []


def test_not_in_channel_is_logged_and_the_win_stands(bot, caplog):
    set_feed(bot, "feed:<#C0WINS|wins>")
    bot.command("/deal", "new Acme 12k")
    error = {"ok": False, "error": "not_in_channel"}
    bot.fake.fail_next("chat.postMessage", status=200, body=error)
    result = bot.command("/deal", "won 1")
    assert result.status == 200 and ":tada: Won #1 Acme" in result.text
    settle(bot, 2)
    assert [c.status for c in bot.fake.calls_to("chat.postMessage")] == [200]
    assert "not_in_channel" in caplog.text
    with bot.services.db.reading() as session:
        assert session.scalar(select(Deal.status)) == "won"


def test_a_win_by_button_is_announced_too(bot):
    set_feed(bot, "feed:<#C0WINS|wins>")
    bot.command("/deal", "new Acme 12k")
    card = bot.command("/deal", "show 1").body["blocks"]
    won = next(e for b in card if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == "deal_won")  # fmt: skip
    bot.http.action("deal_won", won["value"])
    settle(bot, 2)
    (post,) = feed_posts(bot)
    assert ":tada: Won #1 Acme for $12,000" in post.args["text"]
