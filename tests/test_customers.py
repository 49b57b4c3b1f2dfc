"""/customer through signed requests: the New customer modal, the duplicate check, search and cards."""

from bot.views.ids import Action
from tests import builders
from tests.conftest import ADMIN, MANAGER, OTHER_REP, REP


def open_new_customer_form(slack, standin, user=REP):
    return builders.open_form(slack, standin, "/customer", user=user)


def test_customer_without_text_opens_the_new_customer_modal(slack, standin):
    view = open_new_customer_form(slack, standin)
    assert view["callback_id"] == "customer.new"
    fields = [block["block_id"] for block in view["blocks"]]
    for name in (
        "name",
        "contact_person",
        "phone",
        "email",
        "region",
        "industry",
        "products",
        "tags",
        "source",
        "level",
    ):
        assert name in fields
    assert "owner" not in fields, "reps always own what they add"


def test_a_manager_may_give_the_new_customer_to_the_pool_or_a_rep(slack, standin, env):
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER, name="Mei")
    view = open_new_customer_form(slack, standin, user=MANAGER)
    owner = next(b for b in view["blocks"] if b["block_id"] == "owner")["element"]
    assert [o["value"] for o in owner["options"]] == ["me", "pool", REP]

    reply = slack.submit(MANAGER, view, {"name": "Harbour Trading", "owner": REP})
    assert reply.json == {"response_action": "clear"}
    card = slack.command(MANAGER, "/customer", "Harbour Trading").text
    assert f"<@{REP}>" in card


def test_a_rep_cannot_forge_an_owner(slack, standin):
    view = open_new_customer_form(slack, standin)
    view["blocks"].append(
        {
            "type": "input",
            "block_id": "owner",
            "label": {"type": "plain_text", "text": "Owner"},
            "element": {
                "type": "static_select",
                "action_id": "owner",
                "options": [{"text": {"type": "plain_text", "text": "x"}, "value": "pool"}],
            },
        }
    )
    reply = slack.submit(REP, view, {"name": "Sneaky Ltd", "owner": "pool"})
    assert reply.json["response_action"] == "errors"
    assert "owner" in reply.json["errors"]
    assert "No customer matches" in slack.command(REP, "/customer", "Sneaky").text


def test_saving_a_new_customer_confirms_with_its_card(slack, standin):
    view = open_new_customer_form(slack, standin)
    reply = slack.submit(
        REP, view, {"name": "Acme <!channel> & Sons", "phone": "138 1234 5678", "level": "A"}
    )
    assert reply.json == {"response_action": "clear"}
    confirmation = standin.last("respond")
    text = str(confirmation["blocks"])
    assert "Acme &lt;!channel&gt; &amp; Sons" in text
    assert "138 1234 5678" in text, "the owner sees the phone"


def test_a_probable_duplicate_turns_the_form_into_a_confirmation_naming_the_owner(slack, standin, env):
    builders.customer(env, "上海华东贸易有限公司", owner=OTHER_REP)
    builders.customer(env, "华东贸易集团", owner=None)
    view = open_new_customer_form(slack, standin)
    reply = slack.submit(REP, view, {"name": "华东贸易"})
    body = reply.json
    assert body["response_action"] == "push"
    listing = str(body["view"]["blocks"])
    assert "上海华东贸易有限公司" not in listing, "a match needs one key to start with the other"
    assert "华东贸易集团" in listing
    assert "in the pool" in listing
    assert body["view"]["submit"]["text"] == "Save anyway"

    saved = slack.submit(REP, body["view"])
    assert saved.json == {"response_action": "clear"}
    assert "华东贸易" in str(standin.last("respond")["blocks"])


def test_the_same_phone_is_a_duplicate_whatever_the_name(slack, standin, env):
    builders.customer(env, "Blue Ocean", owner=OTHER_REP, phone="+86 138 0000 1111")
    view = open_new_customer_form(slack, standin)
    body = slack.submit(REP, view, {"name": "Totally Different", "phone": "13800001111"}).json
    assert body["response_action"] == "push"
    assert f"<@{OTHER_REP}>" in str(body["view"]["blocks"])


def test_bad_fields_are_refused_in_the_modal_and_nothing_is_saved(slack, standin):
    view = open_new_customer_form(slack, standin)
    for values, field in [
        ({"name": "!!!"}, "name"),
        ({"name": "Good Name", "email": "not-an-email"}, "email"),
        ({"name": "Good Name", "phone": "call me"}, "phone"),
        ({"name": "x" * 151}, "name"),
    ]:
        reply = slack.submit(REP, view, values)
        assert reply.json["response_action"] == "errors"
        assert field in reply.json["errors"]
    assert "No customer matches" in slack.command(REP, "/customer", "Good Name").text


def test_customer_search_answers_with_a_card_in_the_ack(slack, env):
    builders.customer(env, "Acme Trading", owner=REP, phone="13812345678", region="华东")
    reply = slack.command(REP, "/customer", "acme")
    assert "Acme Trading" in reply.text
    assert f"<@{REP}>" in reply.text
    assert "13812345678" in reply.text


def test_contact_details_are_hidden_from_other_reps_but_shown_to_the_manager_and_admins(slack, env):
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER)
    builders.customer(env, "Acme Trading", owner=REP, phone="13812345678")
    assert "13812345678" not in slack.command(OTHER_REP, "/customer", "Acme").text
    assert "13812345678" in slack.command(MANAGER, "/customer", "Acme").text
    assert "13812345678" in slack.command(ADMIN, "/customer", "Acme").text


def test_chinese_names_are_found_by_any_part(slack, env):
    builders.customer(env, "上海华东贸易有限公司", owner=REP)
    assert "上海华东贸易有限公司" in slack.command(REP, "/customer", "华东").text


def test_several_matches_answer_with_a_pick_list(slack, standin, env):
    first = builders.customer(env, "Acme Trading", owner=REP)
    builders.customer(env, "Acme Logistics", owner=None)
    reply = slack.command(REP, "/customer", "acme")
    assert "2 customers match" in reply.text
    slack.button(REP, Action.CUSTOMER_VIEW, str(first.id))
    shown = standin.last("respond")
    assert shown["replace_original"] is True
    assert "Acme Trading" in str(shown["blocks"])


def test_an_unknown_customer_gets_a_friendly_answer(slack):
    reply = slack.command(REP, "/customer", "Nobody & <Co>")
    assert reply.status == 200
    assert "No customer matches “Nobody &amp; &lt;Co&gt;”" in reply.text


def test_the_type_ahead_answers_options_best_first(slack, env):
    builders.customer(env, "Acme Trading", owner=REP)
    builders.customer(env, "Trading Acme Partners", owner=REP)
    builders.customer(env, "上海华东贸易有限公司", owner=None)
    options = slack.options(REP, Action.CUSTOMER_PICK, "acme").json["options"]
    assert [o["text"]["text"] for o in options][0].startswith("Acme Trading")
    assert len(options) == 2
    chinese = slack.options(REP, Action.CUSTOMER_PICK, "华东").json["options"]
    assert "上海华东贸易有限公司" in chinese[0]["text"]["text"]


def test_the_type_ahead_puts_my_own_customers_first(slack, env):
    builders.customer(env, "Acme", owner=OTHER_REP)
    builders.customer(env, "Acme Trading", owner=None)
    builders.customer(env, "Acme Zeta Logistics", owner=REP)
    options = slack.options(REP, Action.CUSTOMER_PICK, "acme").json["options"]
    assert [o["text"]["text"].split(" · ")[0] for o in options] == [
        "Acme Zeta Logistics",
        "Acme",
        "Acme Trading",
    ]


def test_a_full_name_with_a_company_suffix_is_found_among_many_sharing_its_words(slack, env):
    for number in range(120):
        builders.customer(env, f"Crest Components {number:03}", owner=REP)
    builders.customer(env, "Prime Crest Components 9710 Inc", owner=REP)
    reply = slack.command(REP, "/customer", "Prime Crest Components 9710 Inc")
    assert "Owner" in reply.text
    assert "Prime Crest Components 9710 Inc" in reply.text
    middle = slack.command(REP, "/customer", "9710 components").text
    assert "Prime Crest Components 9710 Inc" in middle


def test_a_search_reads_the_text_as_slack_sends_it_with_entities(slack, env):
    builders.customer(env, "Smith & Sons", owner=REP)
    card = slack.command(REP, "/customer", "Smith &amp; Sons")  # Slack sends & as &amp;
    assert card.json["blocks"][0]["text"]["text"] == "Smith &amp; Sons", "the card of Smith & Sons"
