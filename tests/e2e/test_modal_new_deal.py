"""`/deal new` with no arguments: the form opens, reports bad fields inline, creates the deal."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from assistant.storage.models import Deal


def form(name="Acme renewal", amount="12k", stage="qualification", owner="U0ANA", close=None,
         company="Acme Inc", source=None, campaign=None) -> dict:  # fmt: skip
    """view.state.values as Slack sends them: {block_id: {action_id: {...}}}."""

    def text(value):
        return {"value": {"type": "plain_text_input", "value": value}}

    values = {"name": text(name), "amount": text(amount), "company": text(company)}
    values["source"], values["campaign"] = text(source), text(campaign)
    values["stage"] = {
        "value": {"type": "static_select", "selected_option": {"value": stage, "text": {}}}
    }
    values["owner"] = {"value": {"type": "users_select", "selected_user": owner}}
    values["close"] = {"value": {"type": "datepicker", "selected_date": close}}
    return values


def submit(bot, values: dict, user: str = "UREP", channel: str = "C_GENERAL") -> tuple:
    metadata = json.dumps({"channel": channel})
    status, _, raw = bot.http.submit_view(
        "deal_new", values, user_id=user, private_metadata=metadata
    )
    return status, json.loads(raw) if raw.strip().startswith("{") else {}


def deals(bot) -> list[Deal]:
    with bot.services.db.reading() as session:
        found = list(session.scalars(select(Deal).order_by(Deal.number)))
        session.expunge_all()
        return found


def test_empty_new_opens_the_form_with_the_trigger_id(bot):
    result = bot.command("/deal", "new", trigger_id="123.456.abcdef")
    assert result.status == 200 and result.ephemeral and "form" in result.text
    (call,) = bot.fake.calls_to("views.open")
    assert call.args["trigger_id"] == "123.456.abcdef"
    view = call.args["view"]
    assert view["type"] == "modal" and view["callback_id"] == "deal_new"
    assert json.loads(view["private_metadata"]) == {"channel": "C_GENERAL"}
    blocks = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert list(blocks) == [
        "name", "amount", "stage", "owner", "close", "company", "source", "campaign",
    ]  # fmt: skip
    assert [o["value"] for o in blocks["stage"]["options"]][:2] == ["prospecting", "qualification"]
    assert blocks["owner"]["type"] == "users_select" and blocks["owner"]["initial_user"] == "UREP"
    assert blocks["close"]["type"] == "datepicker"


def test_when_slack_refuses_the_form_the_user_is_told_to_type_it(bot):
    bot.fake.fail_next("views.open", status=200, body={"ok": False, "error": "expired_trigger_id"})
    result = bot.command("/deal", "new")
    assert result.status == 200 and "Slack did not open the form" in result.text


def test_bad_fields_are_reported_inline_and_nothing_is_created(bot):
    status, body = submit(bot, form(name="  ", amount="12 bananas", source="s" * 120))
    assert status == 200 and body["response_action"] == "errors"
    assert set(body["errors"]) == {"name", "amount", "source"}
    assert "12 bananas" in body["errors"]["amount"] and "`" not in body["errors"]["amount"]
    assert "100 characters" in body["errors"]["source"]
    assert deals(bot) == []


def test_a_stage_removed_while_the_form_was_open_is_reported_on_the_stage(bot):
    status, body = submit(bot, form(stage="vanished"))
    assert body["response_action"] == "errors" and "vanished" in body["errors"]["stage"]
    assert deals(bot) == []


def test_a_valid_form_creates_the_deal_and_confirms_in_the_channel(bot):
    status, body = submit(bot, form(close="2025-12-31", campaign="spring"))  # past is allowed
    assert status == 200 and body.get("response_action") is None
    (deal,) = deals(bot)
    assert (deal.number, deal.name, deal.amount) == (1, "Acme renewal", Decimal("12000.00"))
    assert (deal.owner_id, deal.stage_key, deal.close_date) == (
        "U0ANA", "qualification", date(2025, 12, 31),
    )  # fmt: skip
    assert (deal.company, deal.campaign, deal.source) == ("Acme Inc", "spring", None)
    (note,) = bot.fake.wait_for("chat.postEphemeral")
    assert (note.args["channel"], note.args["user"]) == ("C_GENERAL", "UREP")
    assert "Created *#1 Acme renewal*: $12,000, in Qualification" in note.args["text"]


def test_the_confirmation_falls_back_to_a_dm(bot):
    bot.fake.fail_next(
        "chat.postEphemeral", status=200, body={"ok": False, "error": "not_in_channel"}
    )
    submit(bot, form())
    (dm,) = bot.fake.wait_for("chat.postMessage")
    assert dm.args["channel"] == "UREP" and "#1 Acme renewal" in dm.args["text"]
    assert len(deals(bot)) == 1


def test_a_marketer_submitting_gets_a_message_not_a_deal(bot):
    bot.command("/sales", "role <@U0MKT|mkt> marketer", user="UADMIN")
    status, body = submit(bot, form(), user="U0MKT")
    assert body["response_action"] == "update"
    assert "You can't create deals" in json.dumps(body["view"])
    assert deals(bot) == []
