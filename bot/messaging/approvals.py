"""What approvals say on their own: each approver's request, and the rep's answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import events, notify
from bot.env import Env
from bot.i18n import lang
from bot.services import approvals
from bot.views import approvals as views
from store.models import ApprovalRequest
from store.sql import Bind

REQUEST = "approval_request"  # its subject is the request's id
DECISION = "approval_decided"


@events.on(approvals.ApprovalAsked)
def ask_approvers(env: Env, bind: Bind, asked: approvals.ApprovalAsked) -> Sequence[str]:
    request, customer = asked.request, asked.customer
    said = {a.user_id: views.approval_request(a.lang, request, customer) for a in asked.approvers}
    return [_queue(env, bind, request, REQUEST, to, message) for to, message in said.items()]


@events.on(approvals.ApprovalDecided)
def tell_rep(env: Env, bind: Bind, decided: approvals.ApprovalDecided) -> Sequence[str]:
    reader = decided.asker.lang if decided.asker else lang("en")
    message = views.decided_for_rep(reader, decided.request, decided.customer)
    return [_queue(env, bind, decided.request, DECISION, decided.request.asked_by, message)]


def _queue(
    env: Env, bind: Bind, request: ApprovalRequest, kind: str, to: str, message: dict[str, Any]
) -> str:
    return notify.enqueue(
        env, workspace_id=request.workspace_id, kind=kind, recipient=to, subject=str(request.id), period="",
        message=message, session=bind,
    )  # fmt: skip
