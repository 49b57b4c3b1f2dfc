"""Replays: what Slack sends again (X-Slack-Retry-Num, the same body) or a person sends twice writes once,
and the copies get the first answer; a request that was refused goes through when it is sent again."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, func, select

from bot import jobs
from bot.playground.requests import FORM, Reply, SlackRequests, sign
from bot.views.ids import Action
from store.models import Order, RequestMark, Visit
from tests import builders
from tests.conftest import CHINESE_REP, REP, SIGNING_SECRET

TRIGGER = "13345224609.738474920.8088930838d88f008e0"  # as Slack writes one
VIEW_HASH = "1596530361.3wRYuk3R"
RETRY = {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}


def send(slack: SlackRequests, body: str, content_type: str = FORM, **headers: str) -> Reply:
    return slack.send_raw(body, content_type, headers={**sign(SIGNING_SECRET, body), **headers})


def count(env: Any, model: type) -> int:
    with env.db.session() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def marks(env: Any) -> list[str]:
    with env.db.session() as session:
        return sorted(session.exec(select(RequestMark.key)).all())


def finish_lazy_work(app: Any) -> None:
    app.listener_runner.listener_executor.shutdown(wait=True)


@pytest.fixture
def acme(env: Any) -> Any:
    return builders.customer(env, "Acme Trading", owner=REP, level="A")


@pytest.mark.usefixtures("acme")
def test_a_quick_visit_sent_three_times_logs_one_visit_and_every_copy_gets_the_first_answer(slack, env):
    body = slack.command_body(REP, "/visit", "Acme: called about the renewal", trigger_id=TRIGGER)
    first, again, retried = send(slack, body), send(slack, body), send(slack, body, **RETRY)
    assert [reply.status for reply in (first, again, retried)] == [200, 200, 200]
    assert "Visit logged for" in first.text
    assert "called about the renewal" in first.text
    assert again.json == first.json
    assert retried.json == first.json
    assert count(env, Visit) == 1


def test_a_replayed_command_whose_first_answer_was_empty_is_told_it_was_done_in_chinese(slack, standin, app):
    body = slack.command_body(CHINESE_REP, "/visit", "", trigger_id=TRIGGER)
    first, again = send(slack, body), send(slack, body, **RETRY)
    assert first.status == 200, "the modal opens after an empty ack"
    assert first.raw == "", "the modal opens after an empty ack"
    assert again.status == 200
    assert again.text.startswith("这项操作已经完成了。")
    finish_lazy_work(app)
    assert standin.count("views.open") == 1


def test_an_order_submitted_twice_records_one_order_and_confirms_once(slack, standin, env, app, acme):
    view = builders.open_form(slack, standin, "/order")
    values = {"customer": str(acme.id), "amount": "1,200.50", "product": "Widgets"}
    first = slack.submit(REP, view, values, view_hash=VIEW_HASH)
    second = slack.submit(REP, view, values, view_hash=VIEW_HASH)
    assert first.json == {"response_action": "clear"}
    assert second.json == first.json
    assert count(env, Order) == 1
    finish_lazy_work(app)
    assert sum("1,200.50" in str(call.args) for call in standin.calls_to("respond")) == 1


def test_a_modal_sent_back_with_errors_is_recorded_when_corrected_with_the_same_view_hash(
    slack, standin, env, acme
):
    view = builders.open_form(slack, standin, "/order")
    refused = slack.submit(REP, view, {"customer": str(acme.id), "amount": "-5"}, view_hash=VIEW_HASH)
    assert refused.json["response_action"] == "errors"
    corrected = {"customer": str(acme.id), "amount": "5"}
    assert slack.submit(REP, view, corrected, view_hash=VIEW_HASH).json == {"response_action": "clear"}
    assert slack.submit(REP, view, corrected, view_hash=VIEW_HASH).json == {"response_action": "clear"}
    assert count(env, Order) == 1


def candidate_button(slack: SlackRequests, env: Any) -> dict[str, Any]:
    """One of the buttons /visit offers when several customers match."""
    builders.customer(env, "Acme Logistics", owner=REP)
    reply = slack.command(REP, "/visit", "Acme: quarterly review")
    return next(block["accessory"] for block in reply.json["blocks"] if "accessory" in block)


@pytest.mark.usefixtures("acme")
def test_a_button_clicked_twice_acts_once_and_another_click_with_the_same_trigger_acts(
    slack, standin, env, app
):
    button = candidate_button(slack, env)
    click = {"action_id": button["action_id"], "block_id": "b", "type": "button", "value": button["value"]}
    first = {**click, "action_ts": "1700000000.000100"}
    replies = [slack.act(REP, first, trigger_id=TRIGGER) for _ in range(2)]
    slack.act(REP, {**click, "action_ts": "1700000003.000200"}, trigger_id=TRIGGER)
    assert [reply.status for reply in replies] == [200, 200]
    finish_lazy_work(app)  # the visit is logged after the ack
    assert count(env, Visit) == 2, "the repeated click once, the other click (same trigger) once"
    assert len(standin.responses_to(f"btn-{REP}")) == 2


def test_an_event_delivered_twice_is_handled_once(slack, standin, app):
    home_opened = {"type": "app_home_opened", "channel": "D0HOME", "tab": "home", "event_ts": "1"}
    body = slack.event_body(REP, home_opened, event_id="Ev0TIDE0001")
    first, retried = send(slack, body, "application/json"), send(slack, body, "application/json", **RETRY)
    assert first.status == 200
    assert retried.status == 200
    assert retried.raw == ""
    finish_lazy_work(app)
    assert standin.count("views.publish") == 1


def test_a_command_refused_with_a_user_error_is_handled_when_sent_again(slack, env):
    body = slack.command_body(REP, "/visit", "Acme: hello", trigger_id=TRIGGER)
    assert "No customer matches “Acme”" in send(slack, body).text
    builders.customer(env, "Acme Trading", owner=REP)
    handled = send(slack, body, **RETRY)
    assert "Visit logged for" in handled.text
    assert send(slack, body).json == handled.json
    assert count(env, Visit) == 1


@pytest.mark.usefixtures("acme")
def test_marks_older_than_an_hour_are_forgotten_and_their_requests_run_again(slack, standin, env, clock):
    early = slack.command_body(REP, "/visit", "Acme: early call", trigger_id="1.early")
    late = slack.command_body(REP, "/visit", "Acme: late call", trigger_id="2.late")
    send(slack, early)
    clock.advance(timedelta(minutes=40))
    send(slack, late)
    assert marks(env) == ["command:1.early", "command:2.late"]
    clock.advance(timedelta(minutes=21))  # the early mark is 61 minutes old, the late one 21
    summary = jobs.run_job("outbox", env, jobs.outbox_client("xoxb-test", standin.api_url))
    assert "request marks forgotten 1" in summary
    assert marks(env) == ["command:2.late"]
    assert "Visit logged for" in send(slack, early).text
    send(slack, late)
    with env.db.session() as session:
        notes = session.exec(select(Visit.note).order_by(col(Visit.id))).all()
    assert notes == ["early call", "late call", "early call"]


@pytest.mark.usefixtures("acme")
def test_the_first_answer_is_kept_as_json_on_the_mark(slack, env):
    send(slack, slack.command_body(REP, "/visit", "Acme: called", trigger_id=TRIGGER))
    with env.db.session() as session:
        mark = session.exec(select(RequestMark)).one()
    assert mark.key == f"command:{TRIGGER}"
    assert mark.workspace_id == builders.WORKSPACE
    assert "Visit logged for" in json.loads(mark.answer or "{}")["text"]
    if env.db.is_sqlite:  # the marks' commits skip the disk wait; the next user of the connection must not
        with env.db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2, "FULL"


@pytest.mark.usefixtures("acme")
def test_a_type_ahead_leaves_no_mark(slack, standin, env):
    view = builders.open_form(slack, standin, "/order")
    for _ in range(2):  # asked again with the same letters, answered again
        assert slack.options(REP, Action.CUSTOMER_PICK, "Ac", view=view).json["options"]
    assert [key.split(":")[0] for key in marks(env)] == ["command"], "only the /order that opened the form"
