"""`/sales` end to end: help, roles, settings, and the refusals."""

from __future__ import annotations


def test_help_lists_every_command(bot):
    result = bot.command("/sales", "help")
    assert result.status == 200 and result.ephemeral
    for command in ("/deal", "/lead", "/pipeline", "/funnel", "/digest", "/sales"):
        assert command in result.text


def test_only_admins_change_roles(bot):
    refused = bot.command("/sales", "role <@U0OTHER|other> manager", user="UREP")
    assert "only admins" in refused.text
    assert "U0OTHER" not in bot.command("/sales", "roles", user="UREP").text
    granted = bot.command("/sales", "role <@U0OTHER|other> manager", user="UADMIN")
    assert "is now *manager* (was rep)" in granted.text
    assert "*manager*: <@U0OTHER>" in bot.command("/sales", "roles").text


def test_slack_workspace_admins_are_admins(bot):
    bot.fake.users["UOWNER"] = {"id": "UOWNER", "is_owner": True, "is_admin": True}
    result = bot.command("/sales", "settings tz:Europe/Berlin currency:eur", user="UOWNER")
    assert "`Europe/Berlin`" in result.text and "`EUR`" in result.text


def test_settings_bad_input_changes_nothing(bot):
    result = bot.command("/sales", "settings tz:Mars/Olympus", user="UADMIN")
    assert "Unknown time zone" in result.text and "Usage:" in result.text
    assert "`UTC`" in bot.command("/sales", "settings", user="UADMIN").text


def test_feed_channel_from_escaped_mention(bot):
    result = bot.command("/sales", "settings feed:<#C0WINS|wins>", user="UADMIN")
    assert "<#C0WINS>" in result.text


def test_unknown_subcommand_suggests(bot):
    result = bot.command("/sales", "rols")
    assert "Unknown subcommand `rols`" in result.text and "/sales roles" in result.text


def test_share_posts_in_channel_only_as_a_word_of_its_own(bot):
    shared = bot.command("/sales", "roles share")
    assert shared.status == 200 and not shared.ephemeral
    bot.command("/deal", "new Acme 5k")
    noted = bot.command("/deal", "note #1 please share the deck")
    assert noted.ephemeral
    card = bot.command("/deal", "show #1")
    assert "please share the deck" in card.text
