"""Managers stay in control, through signed requests: a rep's release or mark lost of a customer who
ordered or of level A, and any level a rep sets by hand, wait for the rep's manager; Approve makes the
change (as the manager), Decline leaves it; the rep hears either way. The settings choose what needs
approval; a decision is taken once; a stale request changes nothing."""

from __future__ import annotations

import time
from typing import Any

from sqlmodel import select

from bot.views.ids import Action
from store import settings as settings_store
from store.models import ApprovalRequest, Customer, Person
from tests import builders
from tests.conftest import ADMIN, CHINESE_REP, MANAGER, NOW, OTHER_REP, REP
from tests.test_followups import team


def stored(env, customer: Customer) -> Customer:
    with env.db.session() as session:
        found = session.get(Customer, customer.id)
        assert found is not None
        session.expunge(found)
        return found


def requests(env) -> list[ApprovalRequest]:
    with env.db.session() as session:
        rows = list(session.exec(select(ApprovalRequest)).all())
        for row in rows:
            session.expunge(row)
        return rows


def release(
    slack, standin, user: str, customer: Customer, reason: str = "not_interested", note: str = ""
) -> Any:
    seen = standin.count("views.open")
    slack.button(user, Action.CUSTOMER_RELEASE, str(customer.id))
    form = dict(standin.next_call("views.open", after=seen)["view"])
    return slack.submit(user, form, {"reason": reason, "note": note}).json


def wait_for_dm(standin, user: str, text: str) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for call in standin.calls_to("chat.postMessage"):
            if call.args.get("channel") == user and text in str(call.args):
                return dict(call.args)
        time.sleep(0.02)
    raise AssertionError(
        f"no DM to {user} saying {text!r}: {[c.args for c in standin.calls_to('chat.postMessage')]}"
    )


def press(slack, standin, user: str, action: str, value: str, times: int = 1) -> str:
    slack.button(user, action, value)
    return str(standin.wait_for_response(f"btn-{user}", times)[-1])


def test_a_reps_release_of_a_customer_who_ordered_waits_for_the_manager_who_approves(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP, dealt_at=NOW)
    assert release(slack, standin, REP, acme, "other", "Budget frozen until spring") == {
        "response_action": "clear"
    }
    told = str(standin.wait_for_response(f"btn-{REP}")[-1])
    assert f"Releasing Acme Trading needs your manager's approval: asked <@{MANAGER}>" in told
    assert stored(env, acme).owner_id == REP, "nothing moves before the approval"
    asked = wait_for_dm(standin, MANAGER, "asks to release")
    assert (
        f"<@{REP}> asks to release *Acme Trading* to the pool: Other. “Budget frozen until spring”"
        in asked["text"]
    )
    [request] = requests(env)

    assert "Only the manager" in press(slack, standin, OTHER_REP, Action.APPROVAL_APPROVE, str(request.id))
    decided = press(slack, standin, MANAGER, Action.APPROVAL_APPROVE, str(request.id))

    assert f"Approved by <@{MANAGER}>" in decided
    assert stored(env, acme).owner_id is None
    assert wait_for_dm(standin, REP, "approved")["text"].startswith(
        f"<@{MANAGER}> approved: *Acme Trading* is back"
    )
    card = slack.command(MANAGER, "/customer", "Acme Trading").text
    assert f"<@{MANAGER}> released it to the pool" in card
    again = press(slack, standin, ADMIN, Action.APPROVAL_DECLINE, str(request.id))
    assert "already decided" in again, "a second decision, by anyone, changes nothing"
    assert stored(env, acme).owner_id is None


def test_a_reps_mark_lost_of_a_level_a_customer_declined_leaves_it_as_it_was(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP, level="A")
    seen = standin.count("views.open")
    slack.button(REP, Action.CUSTOMER_MARK_LOST, str(acme.id))
    form = dict(standin.next_call("views.open", after=seen)["view"])
    assert slack.submit(REP, form, {"reason": "Went with a competitor"}).json == {"response_action": "clear"}
    [request] = requests(env)
    assert (request.kind, request.note) == ("lost", "Went with a competitor")
    assert "already waits for a manager" in str(slack.submit(REP, form, {"reason": "Again"}).json["errors"])

    press(slack, standin, MANAGER, Action.APPROVAL_DECLINE, str(request.id))

    assert stored(env, acme).lost_at is None
    assert (
        f"<@{MANAGER}> declined marking *Acme Trading* lost." in wait_for_dm(standin, REP, "declined")["text"]
    )


def test_a_rep_asks_for_a_level_and_the_approval_sets_it_by_hand(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP, level="A")
    action = {
        "action_id": Action.CUSTOMER_LEVEL, "block_id": "b", "type": "static_select",
        "selected_option": {"text": {"type": "plain_text", "text": "C"}, "value": f"{acme.id}:C"}, "action_ts": "1",
    }  # fmt: skip
    slack.act(REP, action)
    assert "Setting the level of Acme Trading is for managers" in str(
        standin.wait_for_response(f"btn-{REP}")[-1]
    )
    assert stored(env, acme).level == "A", "a rep cannot stretch their own recycle window"
    asked = wait_for_dm(standin, MANAGER, "asks to set the level")
    assert "from A · key to C · low priority" in asked["text"]

    press(slack, standin, MANAGER, Action.APPROVAL_APPROVE, str(requests(env)[0].id))

    kept = stored(env, acme)
    assert (kept.level, kept.level_by_hand) == ("C", True)
    assert f"<@{MANAGER}> set the level" in slack.command(REP, "/customer", "Acme Trading").text


def test_what_needs_approval_follows_the_settings_and_managers_never_ask(env, slack, standin):
    team(env)
    fresh = builders.customer(env, "Fresh Leads", owner=REP, level="B")
    assert release(slack, standin, REP, fresh) == {"response_action": "clear"}
    assert stored(env, fresh).owner_id is None, "never ordered, not A: released at once"
    mine = builders.customer(env, "Manager Own", owner=MANAGER, dealt_at=NOW, level="A")
    release(slack, standin, MANAGER, mine)
    assert stored(env, mine).owner_id is None, "a manager releases without asking"

    with env.db.session() as session:
        for key in ("approve_ordered", "approve_level_a"):
            settings_store.save_setting(
                session=session, workspace_id=builders.WORKSPACE, key=key, stored_value=None,
                old_value="true", new_value="false", changed_by=ADMIN, at=NOW,
            )  # fmt: skip
    dealt = builders.customer(env, "Dealt Co", owner=REP, dealt_at=NOW, level="A")
    release(slack, standin, REP, dealt)
    assert stored(env, dealt).owner_id is None
    assert requests(env) == []


def test_an_approval_after_the_customer_changed_hands_does_nothing(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP, dealt_at=NOW)
    release(slack, standin, REP, acme)
    [request] = requests(env)
    with env.db.session() as session:
        row = session.get(Customer, acme.id)
        assert row is not None
        row.owner_id = OTHER_REP
    refused = press(slack, standin, MANAGER, Action.APPROVAL_APPROVE, str(request.id))
    assert "changed hands since this was asked; nothing was done" in refused
    assert stored(env, acme).owner_id == OTHER_REP
    assert requests(env)[0].status == "pending", "the decision is not written either"


def test_in_chinese_the_request_and_the_answer_read_as_written(env, slack, standin):
    slack.command(CHINESE_REP, "/crm", "help")
    builders.person(env, MANAGER, role="manager")
    with env.db.session() as session:
        wang = session.get(Person, (builders.WORKSPACE, CHINESE_REP))
        assert wang is not None
        wang.manager_id = MANAGER
    acme = builders.customer(env, "上海华东贸易有限公司", owner=CHINESE_REP, dealt_at=NOW)
    release(slack, standin, CHINESE_REP, acme)
    told = str(standin.wait_for_response(f"btn-{CHINESE_REP}")[-1])
    assert f"释放上海华东贸易有限公司需要经理批准：已请 <@{MANAGER}> 审批。结果会发到这里。" in told
    press(slack, standin, MANAGER, Action.APPROVAL_APPROVE, str(requests(env)[0].id))
    answer = wait_for_dm(standin, CHINESE_REP, "批准")
    assert f"<@{MANAGER}> 批准了：“上海华东贸易有限公司”已回到公海。" in answer["text"]
