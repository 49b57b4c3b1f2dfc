"""Complaints through signed requests: filing, the card and its thread, every step, rights, stale
buttons, concurrent Resolve, a close without a rating, lists, and text that must stay as typed."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.errors import InvalidInput, Person
from bot.i18n import lang
from bot.playground.validation import message_problems
from bot.services import complaints
from bot.services import settings as settings_service
from bot.services.complaints import ComplaintDraft
from bot.services.people import Actor
from bot.views import errors as error_views
from bot.views.ids import Action
from store.models import Complaint, ComplaintEvent, Customer, Visit
from tests import builders
from tests.conftest import ADMIN, MANAGER, OTHER_REP, REP
from tests.test_followups import admin_actor, team

CHANNEL = "C0COMPLAIN"


@pytest.fixture(autouse=True)
def acme(env, standin) -> Customer:
    team(env)
    standin.add_channel(CHANNEL, "complaints")
    settings_service.save(env, admin_actor(), {"complaints_channel": CHANNEL})
    return builders.customer(env, "Acme Trading", owner=REP)


def file_complaint(env, slack, standin, text: str = "Acme", *, user: str = REP, **values: Any) -> Complaint:
    view = builders.open_form(slack, standin, "/complaint", text, user=user)
    seen = standin.count("chat.postMessage")
    answer = {"category": "delivery", "severity": "high", "description": "The boxes arrived wet.", **values}
    assert slack.submit(user, view, answer).json == {"response_action": "clear"}
    standin.wait_for("chat.postMessage", seen + 2)  # the card, then the description in its thread
    standin.wait_for_response(f"cmd-{user}")  # the filer's confirmation
    return complaint_of(env)


def complaint_of(env) -> Complaint:
    with env.db.session() as session:
        return session.exec(select(Complaint).order_by(col(Complaint.id).desc())).first()


def steps(env, complaint: Complaint) -> list[str]:
    with env.db.session() as session:
        rows = session.exec(
            select(ComplaintEvent.kind)
            .where(col(ComplaintEvent.complaint_id) == complaint.id)
            .order_by(col(ComplaintEvent.id))
        ).all()
    return list(rows)


def posts(standin, channel: str | None = None) -> list[dict[str, Any]]:
    return [
        c.args
        for c in standin.calls_to("chat.postMessage")
        if channel is None or c.args["channel"] == channel
    ]


def press(slack, standin, user: str, action: str, complaint: Complaint) -> None:
    seen = len(standin.responses_to(f"btn-{user}"))
    assert slack.button(user, action, str(complaint.id)).status == 200
    standin.wait_for_response(f"btn-{user}", seen + 1)


def last_answer(standin, user: str) -> str:
    return str(standin.responses_to(f"btn-{user}")[-1])


def open_step_form(slack, standin, user: str, action: str, complaint: Complaint) -> dict[str, Any]:
    seen = standin.count("views.open")
    assert slack.button(user, action, str(complaint.id)).status == 200
    return dict(standin.next_call("views.open", after=seen)["view"])


def wait_until(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# -- filing ---------------------------------------------------------------------------------------------
def test_a_filed_complaint_is_posted_as_a_card_with_the_description_in_its_thread(env, slack, standin, acme):
    complaint = file_complaint(env, slack, standin)
    assert complaint.assignee_id == REP
    assert complaint.status == "open"
    assert complaint.customer_id == acme.id
    card, thread = posts(standin, CHANNEL)[-2:]
    text = str(card["blocks"])
    assert f"Complaint #{complaint.id}" in card["text"]
    assert "Acme Trading" in text
    assert "Delivery" in text
    assert "High" in text
    assert f"<@{REP}>" in text
    assert "open" in text
    assert "Respond by" in text
    assert "left" in text
    buttons = [e["action_id"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [
        Action.COMPLAINT_ACK,
        Action.COMPLAINT_NOTE,
        Action.COMPLAINT_RESOLVE,
        Action.COMPLAINT_REASSIGN,
    ]
    assert thread["thread_ts"]
    assert "The boxes arrived wet." in str(thread["blocks"])
    assert complaint.channel_id == CHANNEL
    assert complaint.message_ts
    assert "is filed and posted in <#C0COMPLAIN>." in str(standin.responses_to(f"cmd-{REP}")[-1])
    assert steps(env, complaint) == ["filed"]


def test_one_line_complaint_prefills_the_form(slack, standin, acme):
    view = builders.open_form(slack, standin, "/complaint", "Acme Trading: the boxes arrived wet")
    customer = next(b for b in view["blocks"] if b["block_id"] == "customer")["element"]
    assert customer["initial_option"]["value"] == str(acme.id)
    description = next(b for b in view["blocks"] if b["block_id"] == "description")["element"]
    assert description["initial_value"] == "the boxes arrived wet"


def test_a_complaint_form_without_a_description_is_refused_with_a_field_error(env, slack, standin):
    view = builders.open_form(slack, standin, "/complaint", "Acme")
    reply = slack.submit(REP, view, {"category": "quality", "severity": "low", "description": ""})
    assert reply.json["response_action"] == "errors"
    assert "description" in reply.json["errors"]
    assert complaint_of(env) is None


def test_without_a_complaints_channel_the_card_goes_to_the_assignee(env, slack, standin):
    settings_service.save(env, admin_actor(), {"complaints_channel": None})
    complaint = file_complaint(env, slack, standin, user=OTHER_REP)  # anyone may file
    assert complaint.assignee_id == REP
    assert complaint.filed_by == OTHER_REP
    [card] = posts(standin, REP)
    assert f"Complaint #{complaint.id}" in card["text"]
    assert complaint.channel_id == "D" + REP  # the DM Slack answered with: where updates and replies go
    [thread] = posts(standin, "D" + REP)
    assert thread["thread_ts"] == complaint.message_ts


def test_a_pool_customers_complaint_goes_to_the_admins_until_assigned(env, slack, standin):
    builders.customer(env, "Pool Foods", owner=None)
    complaint = file_complaint(env, slack, standin, "Pool Foods")
    assert complaint.assignee_id is None
    assert "the admins (not assigned)" in str(posts(standin, CHANNEL)[-2]["blocks"])
    press(slack, standin, REP, Action.COMPLAINT_ACK, complaint)
    assert "Only the assignee, their manager and admins" in last_answer(standin, REP)
    press(slack, standin, ADMIN, Action.COMPLAINT_ACK, complaint)
    assert complaint_of(env).status == "acknowledged"


# -- the steps ------------------------------------------------------------------------------------------
def test_acknowledge_updates_the_card_and_notes_it_in_the_thread(env, slack, standin):
    complaint = file_complaint(env, slack, standin)
    updates = standin.count("chat.update")
    press(slack, standin, REP, Action.COMPLAINT_ACK, complaint)
    update = standin.next_call("chat.update", after=updates)
    assert update["channel"] == CHANNEL
    assert update["ts"] == complaint.message_ts
    assert "acknowledged" in str(update["blocks"])
    assert "Respond by" not in str(update["blocks"])
    wait_until(lambda: any("acknowledged it" in str(p.get("blocks")) for p in posts(standin, CHANNEL)))
    reply = next(p for p in posts(standin, CHANNEL) if "acknowledged it" in str(p.get("blocks")))
    assert reply["thread_ts"] == complaint.message_ts
    assert steps(env, complaint) == ["filed", "acknowledged"]


def test_a_stale_button_changes_nothing_and_says_what_happened(env, slack, standin):
    complaint = file_complaint(env, slack, standin)
    press(slack, standin, REP, Action.COMPLAINT_ACK, complaint)
    press(slack, standin, MANAGER, Action.COMPLAINT_ACK, complaint)  # an old card's button
    assert "is acknowledged now" in last_answer(standin, MANAGER)
    assert f"<@{REP}>" in last_answer(standin, MANAGER)
    assert steps(env, complaint) == ["filed", "acknowledged"]


def test_only_the_assignee_their_manager_and_admins_change_a_complaint(env, slack, standin):
    complaint = file_complaint(env, slack, standin)
    press(slack, standin, OTHER_REP, Action.COMPLAINT_ACK, complaint)
    assert "Only the assignee, their manager and admins" in last_answer(standin, OTHER_REP)
    seen = standin.count("views.open")
    slack.button(OTHER_REP, Action.COMPLAINT_RESOLVE, str(complaint.id))
    standin.wait_for_response(f"btn-{OTHER_REP}", 2)
    assert standin.count("views.open") == seen
    press(slack, standin, MANAGER, Action.COMPLAINT_ACK, complaint)
    assert complaint_of(env).status == "acknowledged"


def test_note_resolve_close_with_the_follow_up_call_and_reopen(env, slack, standin, acme, clock):
    complaint = file_complaint(env, slack, standin)
    note = open_step_form(slack, standin, REP, Action.COMPLAINT_NOTE, complaint)
    assert slack.submit(REP, note, {"text": "Called the warehouse."}).json == {"response_action": "clear"}
    resolve = open_step_form(slack, standin, REP, Action.COMPLAINT_RESOLVE, complaint)
    assert slack.submit(REP, resolve, {"resolution": "Sent new boxes."}).json == {"response_action": "clear"}
    assert complaint_of(env).status == "resolved"

    close = open_step_form(slack, standin, REP, Action.COMPLAINT_CLOSE, complaint)
    refused = slack.submit(REP, close, {"comment": "happy"}).json
    assert refused["response_action"] == "errors"
    assert "satisfaction" in refused["errors"]
    assert complaint_of(env).status == "resolved"
    assert slack.submit(REP, close, {"satisfaction": "4", "comment": "Happy now"}).json == {
        "response_action": "clear"
    }
    closed = complaint_of(env)
    assert closed.status == "closed"
    assert closed.satisfaction == 4
    with env.db.session() as session:
        visit = session.exec(select(Visit).where(col(Visit.customer_id) == acme.id)).one()
        customer = session.get(Customer, acme.id)
    assert visit.satisfaction == 4
    assert visit.kind == "call"
    assert "Happy now" in visit.note
    assert customer.last_satisfaction == 4
    assert customer.last_visit_on is not None

    clock.advance(timedelta(hours=5))
    reopen = open_step_form(slack, standin, REP, Action.COMPLAINT_REOPEN, complaint)
    assert slack.submit(REP, reopen, {"text": "Wet again."}).json == {"response_action": "clear"}
    reopened = complaint_of(env)
    assert reopened.resolve_due_at is not None
    assert closed.resolve_due_at is not None
    assert reopened.status == "reopened"
    assert reopened.resolve_due_at > closed.resolve_due_at
    assert steps(env, complaint) == ["filed", "note", "resolved", "closed", "reopened"]
    wait_until(lambda: any("Wet again." in str(p.get("blocks")) for p in posts(standin, CHANNEL)))

    def thread() -> list[str]:
        return [
            str(p["blocks"]) for p in posts(standin, CHANNEL) if p.get("thread_ts") == complaint.message_ts
        ]

    # Each step's reply is sent by its own lazy listener: under load the last may come before the others.
    for said in ("Called the warehouse.", "Sent new boxes.", "satisfaction 4 of 5"):
        wait_until(lambda said=said: any(said in t for t in thread()))
        assert any(said in t for t in thread())


def test_a_manager_reassigns_and_the_new_assignee_hears_of_it(env, slack, standin):
    complaint = file_complaint(env, slack, standin)
    form = open_step_form(slack, standin, MANAGER, Action.COMPLAINT_REASSIGN, complaint)
    assert slack.submit(MANAGER, form, {"assignee": OTHER_REP}).json == {"response_action": "clear"}
    assert complaint_of(env).assignee_id == OTHER_REP
    wait_until(lambda: bool(posts(standin, OTHER_REP)))
    assert f"Complaint #{complaint.id}" in posts(standin, OTHER_REP)[-1]["text"]
    seen = standin.count("views.open")
    slack.button(REP, Action.COMPLAINT_REASSIGN, str(complaint.id))
    standin.wait_for_response(f"btn-{REP}")
    assert standin.count("views.open") == seen  # a rep does not reassign


def test_concurrent_resolves_resolve_once(env, slack, standin):
    complaint = file_complaint(env, slack, standin)
    forms = [
        open_step_form(slack, standin, user, Action.COMPLAINT_RESOLVE, complaint) for user in (REP, MANAGER)
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(lambda pair: slack.submit(pair[0], pair[1], {"resolution": f"by {pair[0]}"}).json,
                     zip((REP, MANAGER), forms, strict=True))
        )  # fmt: skip
    assert sorted(a["response_action"] for a in answers) == ["clear", "errors"]
    refused = next(a for a in answers if a["response_action"] == "errors")
    assert "is resolved now" in str(refused["errors"])
    assert steps(env, complaint).count("resolved") == 1


# -- lists ------------------------------------------------------------------------------------------------
def test_complaint_list_shows_mine_my_teams_or_all(env, slack, standin):
    builders.customer(env, "Li Foods", owner=OTHER_REP)
    builders.person(env, "U0SOLO", name="Solo")  # a rep with no manager
    builders.customer(env, "Solo Goods", owner="U0SOLO")
    first = file_complaint(env, slack, standin)
    file_complaint(env, slack, standin, "Li Foods")
    file_complaint(env, slack, standin, "Solo Goods")
    mine = slack.command(REP, "/complaint", "list").text
    assert "assigned to you: 1" in mine
    assert "Acme Trading" in mine
    assert "Li Foods" not in mine
    team_view = slack.command(MANAGER, "/complaint", "list").text
    assert "your team: 2" in team_view
    assert "Solo Goods" not in team_view
    assert "All complaints: 3" in slack.command(ADMIN, "/complaint", "list").text
    resolve = open_step_form(slack, standin, REP, Action.COMPLAINT_RESOLVE, first)
    slack.submit(REP, resolve, {"resolution": "done"})
    assert "assigned to you: 0" in slack.command(REP, "/complaint", "list").text
    assert "assigned to you: 1" in slack.command(REP, "/complaint", "list all").text


# -- text as typed, within Slack's limits -------------------------------------------------------------------
@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_a_long_description_with_mentions_and_emoji_renders_as_typed(env, slack, standin, locale):
    from bot.views import complaints as views

    description = ("<!channel> 货物受潮 :sob: 😭 & <b>wet</b> " * 100)[:3000]
    file_complaint(env, slack, standin, description=description)
    card, thread = posts(standin, CHANNEL)[-2:]
    assert message_problems(card) == []
    assert message_problems(thread) == []
    for message in (card, thread):
        assert "<!channel>" not in str(message)
        assert "<b>" not in str(message)
    shown = next(
        b["text"]["text"] for b in card["blocks"] if "text" in b and "&lt;!channel&gt;" in b["text"]["text"]
    )
    assert shown.endswith("…")
    assert len(shown) < 1000
    whole = "".join(b["text"]["text"] for b in thread["blocks"] if b["type"] == "section")
    assert whole == description.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    rendered = views.card(lang(locale), complaint_of(env), "Acme <!here>", None, "Asia/Shanghai")
    assert message_problems(rendered) == []
    assert "<!here>" not in str(rendered)


def test_the_customer_card_lists_its_complaints(env, slack, standin):
    complaint = file_complaint(env, slack, standin)
    card = slack.command(REP, "/customer", "Acme Trading").text
    assert "Complaints" in card
    assert f"#{complaint.id}" in card


def test_a_step_someone_else_took_first_names_them_as_a_person(env, acme):
    draft = ComplaintDraft(acme.id, "delivery", "high", "The boxes arrived wet.")
    filer = Actor(builders.WORKSPACE, REP, REP, "rep", MANAGER, "Asia/Shanghai", "en")
    complaint_id = complaints.file(env, filer, draft).complaint.id
    assert complaint_id is not None
    complaints.acknowledge(env, filer, complaint_id)
    with pytest.raises(InvalidInput) as refused:
        complaints.acknowledge(env, admin_actor(), complaint_id)
    assert refused.value.params["who"] == Person(REP)
    assert isinstance(refused.value.params["who"], Person)
    assert f"(by <@{REP}>)" in error_views.mrkdwn(refused.value, lang("en"))
