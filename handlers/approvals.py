"""Approvals: the manager's Approve and Decline on a rep's request, and the rep told that a change
went to their manager instead of being made (release, mark lost, a level by hand)."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from bot import notify
from bot.services import approvals
from bot.views import approvals as views
from bot.views import common
from bot.views.ids import Action
from handlers.kit import Call, Kit, lazy, listener
from handlers.state import number


@dataclass(frozen=True)
class AskedApproval:
    """A change asked for instead of made: the approvers' messages to send, the rep to tell."""

    asked: approvals.Asked


@dataclass(frozen=True)
class Decided:
    request_id: int
    keys: tuple[str, ...]


def register(app: App, kit: Kit) -> None:
    for action, approve in ((Action.APPROVAL_APPROVE, True), (Action.APPROVAL_DECLINE, False)):
        app.action(action)(
            ack=listener(kit, approve_request if approve else decline_request),
            lazy=[lazy(kit, show_decision, when_deferred=True)],
        )


def told_if_asked(call: Call) -> bool:
    """In a lazy step: when the ack asked for approval instead of making the change, send the request
    and tell the rep (True); False when the change was made."""
    handed = call.handed_if(AskedApproval)
    if handed is None:
        return False
    notify.deliver_now(call.env, call.client, handed.asked.keys, workspace_id=call.me.workspace_id)
    call.tell(common.notice(views.asked(call.lang, handed.asked)))
    return True


def _decide(call: Call, *, approve: bool) -> None:
    decided = approvals.decide(call.env, call.me, number(call.action_value), approve=approve)
    call.hand_over(Decided(decided.request.id or 0, decided.keys))
    call.ack()


def approve_request(call: Call) -> None:
    _decide(call, approve=True)


def decline_request(call: Call) -> None:
    _decide(call, approve=False)


def show_decision(call: Call) -> None:
    decided = call.handed(Decided)
    notify.deliver_now(call.env, call.client, decided.keys, workspace_id=call.me.workspace_id)
    request = approvals.request_of(call.env, call.me, decided.request_id)
    customer = approvals.customer_of(call.env, call.me, request)
    call.tell(views.decided_for_approver(call.lang, request, customer), replace=True)
