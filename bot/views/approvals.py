"""Approvals: the request each approver gets (with Approve and Decline), what it becomes once decided,
the rep's confirmation that it was asked, and the rep's DM with the decision."""

from __future__ import annotations

from typing import Any

from bot.i18n import N_, Lang
from bot.services.approvals import AUTOMATIC, Asked
from bot.views import blocks as b
from bot.views import labels
from bot.views.ids import Action
from bot.views.text import Mrkdwn, clip, mention, say
from store.models import APPROVAL_LEVEL, APPROVAL_LOST, EXTENSION_APPROVED, ApprovalRequest, Customer

NOTE_SHOWN = 300


def request_text(lang: Lang, request: ApprovalRequest, customer: Customer) -> Mrkdwn:
    """What the rep asks, as one sentence."""
    rep, name = mention(request.asked_by), customer.name
    if request.kind == APPROVAL_LEVEL and request.detail == AUTOMATIC:
        return say(
            lang, N_("%(rep)s asks to set the level of *%(name)s* back to automatic."), rep=rep, name=name
        )
    if request.kind == APPROVAL_LEVEL:
        return say(
            lang, N_("%(rep)s asks to set the level of *%(name)s* from %(old)s to %(new)s."), rep=rep, name=name,
            old=labels.level(customer.level, lang), new=labels.level(request.detail, lang),
        )  # fmt: skip
    if request.kind == APPROVAL_LOST:
        return say(
            lang, N_("%(rep)s asks to mark *%(name)s* lost: “%(reason)s”"), rep=rep, name=name,
            reason=clip(request.note, NOTE_SHOWN),
        )  # fmt: skip
    reason = labels.reason(request.detail, lang)
    if request.note:
        return say(
            lang, N_("%(rep)s asks to release *%(name)s* to the pool: %(reason)s. “%(note)s”"), rep=rep,
            name=name, reason=reason, note=clip(request.note, NOTE_SHOWN),
        )  # fmt: skip
    return say(
        lang,
        N_("%(rep)s asks to release *%(name)s* to the pool: %(reason)s."),
        rep=rep,
        name=name,
        reason=reason,
    )


def approval_request(lang: Lang, request: ApprovalRequest, customer: Customer) -> dict[str, Any]:
    _ = lang.gettext
    text = request_text(lang, request, customer)
    buttons = b.actions(
        b.button(_("Approve"), Action.APPROVAL_APPROVE, str(request.id), style="primary"),
        b.button(_("Decline"), Action.APPROVAL_DECLINE, str(request.id)),
        b.button(_("Open card"), Action.CUSTOMER_VIEW, str(customer.id)),
    )
    return b.message(text, [b.section(text), buttons])


def decided_for_approver(lang: Lang, request: ApprovalRequest, customer: Customer) -> dict[str, Any]:
    """The approver's message once decided: the buttons give way to the decision."""
    text = request_text(lang, request, customer)
    who = mention(request.decided_by or "")
    said = (
        say(lang, N_(":white_check_mark: Approved by %(who)s."), who=who)
        if request.status == EXTENSION_APPROVED
        else say(lang, N_(":x: Declined by %(who)s."), who=who)
    )
    return b.message(text, [b.section(text), b.context(said)])


_ASKED = {
    "release": N_(
        "Releasing %(name)s needs your manager's approval: asked %(who)s. The answer will come here."
    ),
    "lost": N_(
        "Marking %(name)s lost needs your manager's approval: asked %(who)s. The answer will come here."
    ),
    "level": N_("Setting the level of %(name)s is for managers: asked %(who)s. The answer will come here."),
}


def asked(lang: Lang, done: Asked) -> Mrkdwn:
    who = Mrkdwn(", ".join(mention(user) for user in done.approvers) or "—")
    return say(lang, _ASKED[done.kind], name=done.name, who=who)


_APPROVED = {
    "release": N_("%(who)s approved: *%(name)s* is back in the pool."),
    "lost": N_("%(who)s approved: *%(name)s* is marked lost."),
    "level": N_("%(who)s approved the level you asked for *%(name)s*."),
}
_DECLINED = {
    "release": N_("%(who)s declined releasing *%(name)s*: it stays yours."),
    "lost": N_("%(who)s declined marking *%(name)s* lost."),
    "level": N_("%(who)s declined the level you asked for *%(name)s*."),
}


def decided_for_rep(lang: Lang, request: ApprovalRequest, customer: Customer) -> dict[str, Any]:
    said = _APPROVED if request.status == EXTENSION_APPROVED else _DECLINED
    text = say(lang, said[request.kind], who=mention(request.decided_by or ""), name=customer.name)
    button = b.actions(b.button(lang.gettext("View card"), Action.CUSTOMER_VIEW, str(customer.id)))
    return b.message(text, [b.section(text), button])
