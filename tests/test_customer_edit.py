"""Edit customer through signed requests: the form filled in from the card, only what changed written,
the duplicate check again on a new name or phone, search terms following the name, each change in the
card's history (a phone's values only for those who see contact details), who may edit, two people
editing at once, and bad input that changes nothing."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.services import customers
from bot.views.ids import Action
from store.models import Customer, CustomerChange
from tests import builders
from tests.conftest import ADMIN, CHINESE_REP, MANAGER, OTHER_REP, REP
from tests.test_followups import team


def open_edit(slack, standin, user: str, customer: Customer) -> dict[str, Any]:
    seen = standin.count("views.open")
    assert slack.button(user, Action.CUSTOMER_EDIT, str(customer.id)).status == 200
    return dict(standin.next_call("views.open", after=seen)["view"])


def stored(env, customer: Customer) -> Customer:
    with env.db.session() as session:
        found = session.get(Customer, customer.id)
        assert found is not None
        return found


def changes(env, customer: Customer) -> list[tuple[str, str, str, str]]:
    with env.db.session() as session:
        rows = session.exec(
            select(CustomerChange)
            .where(col(CustomerChange.customer_id) == customer.id)
            .order_by(col(CustomerChange.id))
        ).all()
    return [(row.field, row.old_value, row.new_value, row.actor_id) for row in rows]


def card_text(slack, user: str, name: str) -> str:
    return str(slack.command(user, "/customer", name).json)


def buttons_of(slack, user: str, name: str) -> set[str]:
    card = slack.command(user, "/customer", name).json
    return {
        element["action_id"]
        for block in card["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


def test_the_owner_corrects_the_phone_and_region_and_the_card_shows_it_with_its_history(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP, phone="138 0013 8000", region="East")
    form = open_edit(slack, standin, REP, acme)
    values = {
        block["block_id"]: block["element"].get("initial_value")
        for block in form["blocks"]
        if block["type"] == "input"
    }
    assert values["phone"] == "138 0013 8000", "the form is filled in"
    assert values["name"] == "Acme Trading"

    reply = slack.submit(REP, form, {"phone": "138 0013 9999", "region": "East China"})

    assert reply.json == {"response_action": "clear"}
    saved = stored(env, acme)
    assert (saved.phone, saved.region) == ("138 0013 9999", "East China")
    assert saved.phone_key == "8613800139999"
    assert changes(env, acme) == [
        ("phone", "138 0013 8000", "138 0013 9999", REP),
        ("region", "East", "East China", REP),
    ]
    card = card_text(slack, REP, "Acme Trading")
    assert "138 0013 9999" in card
    assert f"<@{REP}> changed the phone from “138 0013 8000” to “138 0013 9999”" in card
    assert f"<@{REP}> changed the region from “East” to “East China”" in card


def test_a_colleague_sees_that_the_phone_changed_but_not_the_numbers(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP, phone="138 0013 8000")
    slack.submit(REP, open_edit(slack, standin, REP, acme), {"phone": "138 0013 9999"})
    card = card_text(slack, OTHER_REP, "Acme Trading")
    assert f"<@{REP}> changed the phone" in card
    assert "138 0013" not in card


def test_a_new_name_is_what_search_finds_and_the_old_one_is_not(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    slack.submit(REP, open_edit(slack, standin, REP, acme), {"name": "Zenith Harbor Foods"})
    assert stored(env, acme).name_key == "zenithharborfoods"
    found = customers.search(env, workspace_id=builders.WORKSPACE, query="harbor")
    assert [c.id for c in found] == [acme.id]
    assert customers.search(env, workspace_id=builders.WORKSPACE, query="acme") == []


def test_renaming_to_another_customers_name_asks_first_and_save_anyway_saves(env, slack, standin):
    team(env)
    builders.customer(env, "Blue River Foods", owner=OTHER_REP)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    form = open_edit(slack, standin, REP, acme)

    asked = slack.submit(REP, form, {"name": "Blue River Foods"}).json

    assert asked["response_action"] == "push"
    assert "Blue River Foods" in str(asked["view"]["blocks"])
    assert stored(env, acme).name == "Acme Trading", "nothing written before the answer"
    assert slack.submit(REP, asked["view"], {}).json == {"response_action": "clear"}
    assert stored(env, acme).name == "Blue River Foods"


def test_a_phone_another_customer_has_is_checked_too(env, slack, standin):
    team(env)
    builders.customer(env, "Blue River Foods", owner=OTHER_REP, phone="021 5555 0100")
    acme = builders.customer(env, "Acme Trading", owner=REP)
    asked = slack.submit(REP, open_edit(slack, standin, REP, acme), {"phone": "021-5555-0100"}).json
    assert asked["response_action"] == "push"
    assert stored(env, acme).phone == ""


def test_its_own_name_and_phone_are_not_a_duplicate_of_itself(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP, phone="021 5555 0100")
    reply = slack.submit(
        REP, open_edit(slack, standin, REP, acme), {"name": "Acme Trading Ltd", "phone": "021-5555-0100"}
    )
    assert reply.json == {"response_action": "clear"}


def test_only_the_owner_their_manager_and_admins_edit(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    pool = builders.customer(env, "Pool Partners", owner=None)
    assert Action.CUSTOMER_EDIT in buttons_of(slack, REP, "Acme Trading")
    assert Action.CUSTOMER_EDIT not in buttons_of(slack, OTHER_REP, "Acme Trading")
    assert Action.CUSTOMER_EDIT not in buttons_of(slack, REP, "Pool Partners")
    assert Action.CUSTOMER_EDIT in buttons_of(slack, ADMIN, "Pool Partners")

    seen = standin.count("views.open")
    slack.button(OTHER_REP, Action.CUSTOMER_EDIT, str(acme.id))  # an old card, or a forged press
    refused = standin.wait_for_response(f"btn-{OTHER_REP}")[-1]
    assert "Only the owner, their manager and admins can edit Acme Trading." in str(refused)
    assert standin.count("views.open") == seen, "refused before the form opens"

    slack.submit(MANAGER, open_edit(slack, standin, MANAGER, acme), {"industry": "Retail"})
    slack.submit(ADMIN, open_edit(slack, standin, ADMIN, pool), {"industry": "Food"})
    assert (stored(env, acme).industry, stored(env, pool).industry) == ("Retail", "Food")


def test_a_form_submitted_after_the_customer_changed_hands_is_refused(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    form = open_edit(slack, standin, REP, acme)
    with env.db.session() as session:
        row = session.get(Customer, acme.id)
        assert row is not None
        row.owner_id = OTHER_REP
    answer = slack.submit(REP, form, {"phone": "138 0013 9999"}).json
    assert answer["response_action"] == "errors"
    assert stored(env, acme).phone == ""
    assert changes(env, acme) == []


def test_two_people_editing_the_same_field_the_second_is_told_and_nothing_is_lost(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP, phone="138 0013 8000")
    first = open_edit(slack, standin, REP, acme)
    second = open_edit(slack, standin, MANAGER, acme)
    assert slack.submit(REP, first, {"phone": "138 0013 1111"}).json == {"response_action": "clear"}

    late = slack.submit(MANAGER, second, {"phone": "138 0013 2222"}).json

    assert late["response_action"] == "errors"
    assert "Someone changed Acme Trading while you were editing it" in str(late["errors"])
    assert stored(env, acme).phone == "138 0013 1111"
    assert [c[2] for c in changes(env, acme)] == ["138 0013 1111"]
    other_field = slack.submit(MANAGER, second, {"industry": "Retail"}).json
    assert other_field == {"response_action": "clear"}, "a field nobody else changed is written"


def test_bad_input_is_flagged_and_changes_nothing(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    form = open_edit(slack, standin, REP, acme)
    assert "name" in str(slack.submit(REP, form, {"name": "   "}).json["errors"])
    assert "too long" in str(slack.submit(REP, form, {"region": "x" * 61}).json["errors"])
    assert "e-mail" in str(slack.submit(REP, form, {"email": "not an address"}).json["errors"])
    assert changes(env, acme) == []
    assert slack.submit(REP, form, {}).json == {"response_action": "clear"}, (
        "nothing changed: nothing to write"
    )
    assert changes(env, acme) == []


def test_text_that_would_ping_is_kept_as_typed_and_shown_harmless(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    slack.submit(REP, open_edit(slack, standin, REP, acme), {"region": "<!channel> & <@U0LI>"})
    assert stored(env, acme).region == "<!channel> & <@U0LI>"
    card = card_text(slack, REP, "Acme Trading")
    assert "<!channel>" not in card
    assert "&lt;!channel&gt; &amp; &lt;@U0LI&gt;" in card


def test_in_chinese_the_history_reads_as_one_sentence(env, slack, standin):
    slack.command(CHINESE_REP, "/crm", "help")  # Wang reaches the bot once: the person is known
    acme = builders.customer(env, "上海华东贸易有限公司", owner=CHINESE_REP, phone="138 0013 8000")
    form = open_edit(slack, standin, CHINESE_REP, acme)
    assert form["title"]["text"] == "编辑客户"
    slack.submit(CHINESE_REP, form, {"phone": "138 0013 9999"})
    card = card_text(slack, CHINESE_REP, "上海华东贸易有限公司")
    assert f"<@{CHINESE_REP}> 把电话从“138 0013 8000”改为“138 0013 9999”" in card


def test_region_and_industry_are_chosen_among_the_values_in_use_or_typed_new(env, slack, standin):
    team(env)
    for name, region in (
        ("A1", "East China"),
        ("A2", "East China"),
        ("A3", "Eastern Europe"),
        ("A4", "South"),
    ):
        builders.customer(env, name, owner=REP, region=region)
    acme = builders.customer(env, "Acme Trading", owner=REP, region="South")
    form = open_edit(slack, standin, REP, acme)
    [region] = [block for block in form["blocks"] if block.get("block_id") == "region"]
    assert region["element"]["type"] == "external_select"
    assert region["element"]["initial_option"]["value"] == "South", "filled in"

    offered = slack.options(REP, "region", "east", view=form, block_id="region").json["options"]
    assert [o["value"] for o in offered] == ["east", "East China", "Eastern Europe"], "typed, then most used"
    exact = slack.options(REP, "region", "east china", view=form, block_id="region").json["options"]
    assert [o["value"] for o in exact] == ["East China"], "no second spelling of a value in use"
    assert slack.submit(REP, form, {"region": "East China"}).json == {"response_action": "clear"}
    assert stored(env, acme).region == "East China"
