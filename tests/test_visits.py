"""/visit through signed requests: the modal, one-line logging, candidates and the message shortcut."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import sqlalchemy as sa

from bot.services import visits
from bot.services.people import Actor
from bot.services.visits import VisitDraft
from bot.views.ids import Action, Callback
from store.models import Visit
from tests import builders
from tests.conftest import OTHER_REP, REP

TODAY = date(2026, 11, 23)


def visits_of(slack, name, user=REP):
    return slack.command(user, "/customer", name).text


def test_one_line_visit_is_logged_in_the_ack_with_the_suggested_follow_up(slack, env):
    builders.customer(env, "Acme Trading", owner=REP, level="A")
    reply = slack.command(REP, "/visit", "Acme Trading: called about the renewal")
    assert reply.status == 200
    assert "Visit logged for" in reply.text
    assert "called about the renewal" in reply.text
    assert "Dec 7, 2026" in reply.text, "A-level cadence is 14 days"
    card = visits_of(slack, "Acme")
    assert "called about the renewal" in card
    assert "Last visit:* Nov 23, 2026" in card


def test_full_width_colon_and_the_word_payload_work(slack, env):
    builders.customer(env, "上海华东贸易有限公司", owner=REP)
    reply = slack.command(REP, "/visit", "华东：sent the payload spec")
    assert reply.status == 200
    assert "sent the payload spec" in reply.text


def test_broadcast_mentions_and_special_characters_in_a_note_render_as_typed(slack, env):
    builders.customer(env, "Acme Trading", owner=REP)
    reply = slack.command(REP, "/visit", "Acme: ping <!channel> & <!here> <b>")
    assert "ping &lt;!channel&gt; &amp; &lt;!here&gt; &lt;b&gt;" in reply.text
    assert "ping &lt;!channel&gt;" in visits_of(slack, "Acme")


def test_escaped_command_text_is_stored_as_typed(slack, env):
    builders.customer(env, "Acme Trading", owner=REP)
    slack.command(REP, "/visit", "Acme: a &amp; b &lt;3")
    assert "a &amp; b &lt;3" in visits_of(slack, "Acme"), "stored as 'a & b <3', escaped once on the way out"


def test_a_note_over_3000_characters_is_refused_and_nothing_is_written(slack, env):
    builders.customer(env, "Acme Trading", owner=REP)
    reply = slack.command(REP, "/visit", "Acme: " + "x" * 5000)
    assert "5000 characters" in reply.text
    assert "Recent visits" not in visits_of(slack, "Acme")


def test_an_empty_note_or_unknown_customer_gets_a_clear_answer(slack, env):
    builders.customer(env, "Acme Trading", owner=REP)
    assert "Write a note after the colon" in slack.command(REP, "/visit", "Acme:").text
    assert "No customer matches “Zeta”" in slack.command(REP, "/visit", "Zeta: hello").text


def test_several_matches_offer_buttons_and_a_button_logs_the_visit(slack, standin, env):
    builders.customer(env, "Acme Trading", owner=REP)
    logistics = builders.customer(env, "Acme Logistics", owner=REP)
    reply = slack.command(REP, "/visit", "Acme: quarterly review")
    assert "Several customers match" in reply.text
    buttons = [b["accessory"] for b in reply.json["blocks"] if "accessory" in b]
    chosen = next(b for b in buttons if json.loads(b["value"])["c"] == logistics.id)
    slack.button(REP, chosen["action_id"], chosen["value"])
    logged = standin.last("respond")
    assert logged["replace_original"] is True
    assert "Acme Logistics" in str(logged["blocks"])
    assert "quarterly review" in visits_of(slack, "Acme Logistics")


def test_the_candidates_offer_log_here_only_on_the_persons_own_customers(slack, env):
    builders.customer(env, "Acme Trading", owner=REP)
    builders.customer(env, "Acme Logistics", owner=OTHER_REP)
    builders.customer(env, "Acme Foods", owner=None)
    reply = slack.command(REP, "/visit", "Acme: quarterly review")
    offered = [b["text"]["text"] for b in reply.json["blocks"] if "accessory" in b]
    assert [line.split(" · ")[0] for line in offered] == ["*Acme Trading*"]
    assert "Acme Logistics" in reply.text, "listed, without the button"


def test_a_rep_cannot_log_a_visit_for_someone_elses_or_a_pool_customer(slack, env):
    builders.customer(env, "Acme Trading", owner=OTHER_REP)
    builders.customer(env, "Pool Partners", owner=None)
    assert "belongs to someone else" in slack.command(REP, "/visit", "Acme: hi").text
    assert "is in the pool" in slack.command(REP, "/visit", "Pool Partners: hi").text


def test_the_visit_modal_logs_a_visit(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=REP)
    view = builders.open_form(slack, standin, "/visit")
    assert view["callback_id"] == Callback.VISIT_LOG
    reply = slack.submit(
        REP,
        view,
        {
            "customer": str(acme.id),
            "kind": "meeting",
            "note": "Demo went well",
            "satisfaction": "4",
            "next_follow_up": "2026-12-01",
        },
    )
    assert reply.json == {"response_action": "clear"}
    assert "Visit logged for" in str(standin.last("respond")["blocks"])
    card = visits_of(slack, "Acme")
    assert "meeting" in card
    assert "satisfaction 4/5" in card
    assert "Next follow-up:* Dec 1, 2026" in card


def test_picking_a_customer_suggests_the_follow_up_from_its_level(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=REP, level="C")
    builders.open_form(slack, standin, "/visit")
    view = list(standin.views.values())[-1]  # as Slack holds it, with its id and hash
    slack.select_in_view(REP, view, {"customer": str(acme.id)}, Action.CUSTOMER_PICK)
    updated = standin.last("views.update")
    follow_up = next(b for b in updated["view"]["blocks"] if b["block_id"].startswith("next_follow_up"))
    assert follow_up["element"]["initial_date"] == "2027-01-22"


def test_impossible_dates_are_refused_with_a_field_error(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=REP)
    view = builders.open_form(slack, standin, "/visit")
    future = slack.submit(REP, view, {"customer": str(acme.id), "visited_on": "2026-12-25"})
    assert "visited_on" in future.json["errors"]
    past_follow_up = slack.submit(REP, view, {"customer": str(acme.id), "next_follow_up": "2020-01-01"})
    assert any(key.startswith("next_follow_up") for key in past_follow_up.json["errors"])
    no_customer = slack.submit(REP, view, {"customer": None})
    assert "customer" in no_customer.json["errors"]
    assert "Recent visits" not in visits_of(slack, "Acme")


def test_visit_with_a_name_opens_the_form_for_that_customer(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=REP, level="A")
    view = builders.open_form(slack, standin, "/visit", "Acme")
    picker = view["blocks"][0]["element"]
    assert picker["initial_option"]["value"] == str(acme.id)
    follow_up = next(b for b in view["blocks"] if b["block_id"].startswith("next_follow_up"))
    assert follow_up["element"]["initial_date"] == "2026-12-07"


def test_log_as_visit_opens_the_form_with_the_message_as_the_note(slack, standin):
    slack.message_shortcut(REP, Callback.LOG_AS_VISIT, "Customer asked for a &lt;discount&gt; &amp; samples")
    view = standin.last("views.open")["view"]
    note = next(b for b in view["blocks"] if b["block_id"] == "note")["element"]
    assert note["initial_value"] == "Customer asked for a <discount> & samples"


def test_a_slack_failure_in_a_lazy_listener_tells_the_user_with_a_reference(slack, standin):
    standin.fail_next("views.open", status=500, times=1)
    reply = slack.command(REP, "/visit")
    assert reply.status == 200
    told = standin.last("respond")
    assert "Something went wrong on our side" in str(told["blocks"])
    assert "reference" in str(told["blocks"])


def test_the_cards_buttons_open_the_visit_and_order_forms_for_that_customer(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=REP)
    card = slack.command(REP, "/customer", "Acme Trading").json
    buttons = {e["action_id"]: e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]}
    slack.button(REP, Action.VISIT_OPEN, buttons[Action.VISIT_OPEN]["value"])
    visit_form = standin.last("views.open")["view"]
    assert visit_form["callback_id"] == Callback.VISIT_LOG
    assert visit_form["blocks"][0]["element"]["initial_option"]["value"] == str(acme.id)
    seen = standin.count("views.open")
    slack.button(REP, Action.ORDER_OPEN, buttons[Action.ORDER_OPEN]["value"])
    order_form = standin.next_call("views.open", after=seen)["view"]
    assert order_form["callback_id"] == Callback.ORDER_LOG
    assert order_form["blocks"][0]["element"]["initial_option"]["value"] == str(acme.id)


def test_other_reps_see_the_card_without_the_work_buttons(slack, env):
    builders.customer(env, "Acme Trading", owner=OTHER_REP)
    card = slack.command(REP, "/customer", "Acme Trading").json
    buttons = [e["action_id"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["complaint.new"]  # anyone may file a complaint; the work buttons are the owner's


def test_a_long_note_is_refused_before_any_candidate_is_offered(slack, standin, env):
    builders.customer(env, "Acme Trading", owner=REP)
    builders.customer(env, "Acme Logistics", owner=REP)
    reply = slack.command(REP, "/visit", "Acme: " + "y" * 3500)
    assert "3500 characters" in reply.text
    assert standin.calls_to("views.open") == []


def test_a_note_too_long_for_a_button_opens_the_form_with_the_note(slack, standin, env):
    builders.customer(env, "Acme Trading", owner=REP)
    builders.customer(env, "Acme Logistics", owner=REP)
    note = "z" * 2500
    assert slack.command(REP, "/visit", f"Acme: {note}").raw == ""
    form = standin.last("views.open")["view"]
    assert next(b for b in form["blocks"] if b["block_id"] == "note")["element"]["initial_value"] == note


def test_visits_logged_on_one_customer_at_the_same_moment_all_land(env):
    """Each visit locks its customer before writing the visit row: the other order deadlocks on
    PostgreSQL, where the visit's foreign key already holds a share of the customer's row."""
    customer = builders.customer(env, "Acme Trading", owner=REP, level="A")
    rep = Actor(builders.WORKSPACE, REP, REP, "rep", None, "Asia/Shanghai", "en")
    today = rep.today(env)
    drafts = [VisitDraft(customer.id or 0, "call", today, f"call {number}") for number in range(12)]
    start = threading.Barrier(len(drafts))

    def log(draft: VisitDraft) -> None:
        start.wait()
        visits.log_visit(env, rep, draft)

    with ThreadPoolExecutor(max_workers=len(drafts)) as threads:
        list(threads.map(log, drafts))
    with env.db.session() as session:
        logged = session.scalar(sa.select(sa.func.count()).select_from(Visit))
    assert logged == len(drafts)
