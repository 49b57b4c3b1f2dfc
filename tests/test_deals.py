"""`/deal` and the opportunity card through signed requests: open, move, won (the order written), lost
with a reason, stale buttons, rights, listings, bad input on the form."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col

from bot.views.ids import Action
from store.models import Opportunity, OpportunityChange, Order, Visit
from tests import builders
from tests.conftest import CHINESE_REP, MANAGER, OTHER_REP, REP

CLOSE = (date(2026, 11, 23) + timedelta(days=20)).isoformat()


@pytest.fixture
def acme(env):
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER)
    builders.person(env, OTHER_REP)
    return builders.customer(env, "Acme Trading", owner=REP)


def open_deal(slack, standin, acme, **values: Any) -> dict[str, Any]:
    """Fill *New opportunity* and submit it; the card the person was told."""
    view = builders.open_form(slack, standin, "/deal")
    seen = standin.count("respond")
    fields = {"customer": str(acme.id), "title": "Cold-chain contract", "amount": "50000",
              "expected_close_on": CLOSE, **values}  # fmt: skip
    reply = slack.submit(REP, view, fields)
    assert reply.json == {"response_action": "clear"}, reply.json
    return standin.next_call("respond", after=seen)


def elements(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for block in card.get("blocks", []):
        for element in block.get("elements", []):
            if "action_id" in element:
                found[element["action_id"]] = element
    return found


def click(slack, standin, user: str, element: dict[str, Any], **chosen: Any) -> dict[str, Any]:
    """Click a card's button (or choose an option of its select); what the person was told next."""
    seen = standin.count("respond")
    action = {"action_id": element["action_id"], "block_id": "b", "type": element["type"], **chosen}
    if element["type"] == "button":
        action["value"] = element["value"]
    reply = slack.act(user, action, trigger_id="trig")
    assert reply.status == 200
    return standin.next_call("respond", after=seen)


def shown(blocks: Any) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def count(env, model) -> int:
    with env.db.session() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_a_new_opportunity_is_shown_as_a_card_with_its_figures_and_buttons(slack, standin, acme):
    card = open_deal(slack, standin, acme, probability="25", next_step="Send the quote on Friday")
    text = shown(card["blocks"])
    assert "#1 Cold-chain contract · Acme Trading" in text
    assert "Qualify · 25%" in text
    assert "CN¥50,000.00" in text
    assert "CN¥12,500.00" in text, "weighted: 25 %"
    assert "Send the quote on Friday" in text
    assert set(elements(card)) == {
        Action.OPPORTUNITY_NEXT, Action.OPPORTUNITY_WON, Action.OPPORTUNITY_LOST,
        Action.OPPORTUNITY_SET_STAGE, Action.OPPORTUNITY_EDIT, Action.OPPORTUNITY_VISIT,
    }  # fmt: skip
    assert "Next: Needs analysis" in text


@pytest.mark.parametrize(
    ("values", "field", "said"),
    [
        ({"amount": "-5"}, "amount", "more than zero"),
        ({"amount": "abc"}, "amount", "must be a number"),
        ({"amount": "1e20"}, "amount", "too large"),
        ({"expected_close_on": "2026-11-01"}, "expected_close_on", "has passed"),
        ({"probability": "101"}, "probability", "from 0 to 100"),
    ],
)
def test_bad_input_on_the_form_is_refused_by_field_and_nothing_is_written(
    slack, standin, env, acme, values, field, said
):
    view = builders.open_form(slack, standin, "/deal")
    fields = {"customer": str(acme.id), "title": "T", "amount": "100", "expected_close_on": CLOSE, **values}
    reply = slack.submit(REP, view, fields)
    assert reply.json["response_action"] == "errors"
    assert said in reply.json["errors"][field]
    assert count(env, Opportunity) == 0


def test_a_broadcast_in_a_title_renders_as_typed_and_never_pings(slack, standin, acme):
    card = open_deal(slack, standin, acme, title="Renewal <!channel> for <@U0LI>")
    text = shown(card["blocks"])
    assert "&lt;!channel&gt;" in text
    assert "<!channel>" not in text
    assert "<@U0LI>" not in text


def test_next_stage_moves_it_and_an_older_card_is_refused_and_drawn_as_it_is_now(slack, standin, env, acme):
    card = open_deal(slack, standin, acme)
    old_next = elements(card)[Action.OPPORTUNITY_NEXT]
    moved = click(slack, standin, REP, old_next)
    assert "Needs analysis · 20%" in shown(moved["blocks"])
    seen = standin.count("respond")
    again = click(slack, standin, REP, old_next)  # the same, older card clicked again
    assert "Someone changed this opportunity a moment ago" in shown(again)
    redrawn = standin.next_call("respond", after=seen + 1)
    assert "Needs analysis · 20%" in shown(redrawn["blocks"]), "the card as it is now"
    assert count(env, OpportunityChange) == 2, "created, moved: nothing more"


def test_set_stage_moves_it_to_the_stage_chosen(slack, standin, acme):
    card = open_deal(slack, standin, acme)
    select = elements(card)[Action.OPPORTUNITY_SET_STAGE]
    negotiation = next(o for o in select["options"] if o["text"]["text"] == "Negotiation")
    moved = click(slack, standin, REP, select, selected_option=negotiation)
    assert "Negotiation · 70%" in shown(moved["blocks"])


def test_won_writes_the_order_and_the_customer_becomes_dealt(slack, standin, env, acme):
    card = open_deal(slack, standin, acme, products="dyed yarn")
    won = click(slack, standin, REP, elements(card)[Action.OPPORTUNITY_WON])
    text = shown(won["blocks"])
    assert "Won · 100%" in text
    assert Action.OPPORTUNITY_WON not in elements(won), "a closed opportunity has no buttons"
    assert count(env, Order) == 1
    customer_card = slack.command(REP, "/customer", "Acme").text
    assert "Orders:* 1" in customer_card
    assert "dyed yarn" in customer_card


def test_lost_asks_why_and_words_for_other(slack, standin, env, acme):
    card = open_deal(slack, standin, acme)
    seen = standin.count("views.open")
    click_lost = {"action_id": Action.OPPORTUNITY_LOST, "block_id": "b", "type": "button",
                  "value": elements(card)[Action.OPPORTUNITY_LOST]["value"]}  # fmt: skip
    slack.act(REP, click_lost, trigger_id="trig")
    opened = standin.wait_for("views.open", seen + 1)[seen]
    view = {**opened.args["view"], "id": opened.answer["view"]["id"], "hash": opened.answer["view"]["hash"]}
    refused = slack.submit(REP, view, {"reason": "other"})
    assert "in a few words" in refused.json["errors"]["note"]
    seen_told = standin.count("respond")
    assert slack.submit(REP, view, {"reason": "competitor", "note": "cheaper carrier"}).json == {
        "response_action": "clear"
    }
    lost = standin.next_call("respond", after=seen_told)
    text = shown(lost["blocks"])
    assert "Lost · 0%" in text
    assert "cheaper carrier" in text
    assert count(env, Order) == 0


def test_a_colleague_sees_the_listing_but_cannot_move_the_opportunity(slack, standin, env, acme):
    card = open_deal(slack, standin, acme)
    listing = slack.command(OTHER_REP, "/deal", "Acme").text
    assert "Cold-chain contract" in listing
    told = click(slack, standin, OTHER_REP, elements(card)[Action.OPPORTUNITY_NEXT])
    assert "someone else's" in shown(told)
    assert count(env, OpportunityChange) == 1


def test_deal_mine_lists_the_open_ones_and_a_manager_sees_the_teams(slack, standin, acme):
    open_deal(slack, standin, acme, title="First")
    open_deal(slack, standin, acme, title="Second")
    mine = slack.command(REP, "/deal", "mine").text
    assert "First" in mine
    assert "Second" in mine
    assert "First" in slack.command(MANAGER, "/deal", "mine").text
    assert "no open opportunities" in slack.command(OTHER_REP, "/deal", "mine").text


def test_in_chinese_the_card_speaks_chinese_with_the_stages_chinese_names(slack, standin, env):
    haichao = builders.customer(env, "上海海潮贸易", owner=CHINESE_REP)  # Wang's Slack speaks Chinese
    view = builders.open_form(slack, standin, "/deal", user=CHINESE_REP)
    seen = standin.count("respond")
    fields = {
        "customer": str(haichao.id),
        "title": "冷链年度合同",
        "amount": "50000",
        "expected_close_on": CLOSE,
    }
    assert slack.submit(CHINESE_REP, view, fields).json == {"response_action": "clear"}
    text = shown(standin.next_call("respond", after=seen)["blocks"])
    assert "验证客户 · 10%" in text
    assert "推进到：需求确定" in text
    assert "赢单" in text
    assert "预计成交日期" in text
    assert view["title"]["text"] == "新建商机"


def opened_form(slack, standin, user: str, element: dict[str, Any]) -> dict[str, Any]:
    """Click a card's button that opens a form; the form as Slack opened it."""
    seen = standin.count("views.open")
    slack.act(user, {"action_id": element["action_id"], "block_id": "b", "type": "button",
                     "value": element["value"]}, trigger_id="trig")  # fmt: skip
    opened = standin.wait_for("views.open", seen + 1)[seen]
    return {**opened.args["view"], "id": opened.answer["view"]["id"], "hash": opened.answer["view"]["hash"]}


def test_edit_opens_the_form_as_it_stands_and_saves_what_changed(slack, standin, env, acme):
    card = open_deal(slack, standin, acme, next_step="Call Jo")
    form = opened_form(slack, standin, REP, elements(card)[Action.OPPORTUNITY_EDIT])
    initial = {block["block_id"]: block["element"].get("initial_value") for block in form["blocks"]}
    assert initial["title"] == "Cold-chain contract"
    assert initial["amount"] == "50000"
    assert initial["next_step"] == "Call Jo"
    refused = slack.submit(REP, form, {"probability": "150"})
    assert "from 0 to 100" in refused.json["errors"]["probability"]
    seen = standin.count("respond")
    assert slack.submit(REP, form, {"amount": "60000", "next_step": "Send the contract"}).json == {
        "response_action": "clear"
    }
    text = shown(standin.next_call("respond", after=seen)["blocks"])
    assert "CN¥60,000.00" in text
    assert "Send the contract" in text
    assert "edited it" in text
    with env.db.session() as session:
        note = session.scalar(
            sa.select(col(OpportunityChange.note)).where(col(OpportunityChange.change) == "edited")
        )
    assert note == "amount_minor, amount_base_minor, next_step"


def test_an_edit_from_a_form_older_than_the_opportunity_is_refused(slack, standin, env, acme):
    card = open_deal(slack, standin, acme)
    form = opened_form(slack, standin, REP, elements(card)[Action.OPPORTUNITY_EDIT])
    click(slack, standin, REP, elements(card)[Action.OPPORTUNITY_NEXT])  # moved meanwhile
    refused = slack.submit(REP, form, {"amount": "1"})
    assert refused.json["response_action"] == "errors"
    assert "Someone changed this opportunity a moment ago" in json.dumps(refused.json)
    assert count(env, OpportunityChange) == 2, "created, moved"


def test_log_visit_on_the_card_names_the_opportunity_and_the_card_counts_its_visits(
    slack, standin, env, acme
):
    card = open_deal(slack, standin, acme)
    form = opened_form(slack, standin, REP, elements(card)[Action.OPPORTUNITY_VISIT])
    chosen = next(b for b in form["blocks"] if b["block_id"] == "opportunity")["element"]["initial_option"]
    assert chosen["value"] == "1", "the opportunity chosen already"
    assert slack.submit(REP, form, {"note": "Walked them through the quote"}).json == {
        "response_action": "clear"
    }
    with env.db.session() as session:
        linked = session.scalar(sa.select(col(Visit.opportunity_id)))
    assert linked == 1
    listing = slack.command(REP, "/deal", "Acme").text
    assert "Cold-chain contract" in listing
    standin.wait_for("respond", count=2)  # the card, then the visit's confirmation (a lazy answer)
    seen = standin.count("respond")
    slack.act(REP, {"action_id": Action.OPPORTUNITY_VIEW, "block_id": "b", "type": "button", "value": "1"})
    assert "1, the last on Nov 23, 2026" in shown(standin.next_call("respond", after=seen)["blocks"])


def test_a_visit_naming_another_customers_opportunity_is_refused(slack, standin, env, acme):
    open_deal(slack, standin, acme)
    other = builders.customer(env, "Beta Works", owner=REP)
    form = builders.open_form(slack, standin, "/visit", "Beta")
    form = {
        **form,
        "blocks": [
            *form["blocks"],
            {
                "type": "input",
                "block_id": "opportunity",
                "optional": True,
                "label": {"type": "plain_text", "text": "x"},
                "element": {
                    "type": "static_select",
                    "action_id": "opportunity",
                    "options": [{"text": {"type": "plain_text", "text": "#1"}, "value": "1"}],
                },
            },
        ],
    }  # fmt: skip  (a form as an older one showed it: the opportunity of another customer)
    refused = slack.submit(REP, form, {"customer": str(other.id), "note": "x", "opportunity": "1"})
    assert "not one of this customer's open ones" in refused.json["errors"]["opportunity"]
    assert count(env, Visit) == 0


def test_a_customers_listing_offers_a_new_opportunity_for_it(slack, standin, acme):
    listing = slack.command(REP, "/deal", "Acme").json
    [button] = [e for b in listing["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == (Action.OPPORTUNITY_NEW, str(acme.id))
    form = opened_form(slack, standin, REP, button)
    assert form["blocks"][0]["element"]["initial_option"]["value"] == str(acme.id), "the customer chosen"
