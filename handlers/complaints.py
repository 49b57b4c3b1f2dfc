"""`/complaint`: the filing form (pre-filled from `/complaint name: text`), `/complaint list`, and the
card's buttons — Acknowledge, Add note, Resolve, Reopen, Close (with the follow-up call's rating),
Reassign — plus Take over from a breach message. Each step is written in the ack; the card's update,
the thread's reply and the answers go out in the lazy twin, through the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from bot import notify
from bot.errors import NotAllowed, NotFound
from bot.i18n import N_
from bot.messaging.home import refresh_home
from bot.rules.commands import split_one_line_visit
from bot.services import complaints, customers
from bot.services.complaints import ComplaintDraft, Step
from bot.services.people import directory
from bot.views import common
from bot.views import complaints as views
from bot.views.ids import Action, Callback, Command, Field
from bot.views.text import say, unescape_slack
from handlers.kit import Call, Kit, just_ack, lazy, listener
from handlers.state import chosen_customer, form_values, int_of, number, text_of

FORMS = {
    Action.COMPLAINT_NOTE: views.note_modal,
    Action.COMPLAINT_RESOLVE: views.resolve_modal,
    Action.COMPLAINT_REOPEN: views.reopen_modal,
    Action.COMPLAINT_CLOSE: views.close_modal,
}


@dataclass(frozen=True)
class OpenForm:
    """`/complaint name: text`: the filing form, with the customer (when the name was unique) and text."""

    customer_id: int | None
    description: str


@dataclass(frozen=True)
class Queued:
    """A complaint filed or changed: which one, and what was queued about it, to send at once."""

    complaint_id: int
    keys: tuple[str, ...]


def register(app: App, kit: Kit) -> None:
    app.command(Command.COMPLAINT)(
        ack=listener(kit, complaint_command), lazy=[lazy(kit, open_filing_form, when_deferred=True)]
    )
    app.view(Callback.COMPLAINT_FILE)(
        ack=listener(kit, submit_complaint), lazy=[lazy(kit, post_new, when_deferred=True)]
    )
    app.action(Action.COMPLAINT_NEW)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_form_for_customer)])
    app.action(Action.COMPLAINT_ACK)(
        ack=listener(kit, acknowledge), lazy=[lazy(kit, post_step, when_deferred=True)]
    )
    app.action(Action.COMPLAINT_TAKE_OVER)(
        ack=listener(kit, take_over), lazy=[lazy(kit, post_step, when_deferred=True)]
    )
    for action in FORMS:
        app.action(action)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_step_form)])
    app.action(Action.COMPLAINT_REASSIGN)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_reassign_form)])
    for callback, submit in (
        (Callback.COMPLAINT_NOTE, submit_note),
        (Callback.COMPLAINT_RESOLVE, submit_resolution),
        (Callback.COMPLAINT_REOPEN, submit_reopen),
        (Callback.COMPLAINT_CLOSE, submit_close),
        (Callback.COMPLAINT_REASSIGN, submit_reassign),
    ):
        app.view(callback)(ack=listener(kit, submit), lazy=[lazy(kit, post_step, when_deferred=True)])


# -- filing ---------------------------------------------------------------------------------------------
def complaint_command(call: Call) -> None:
    """`/complaint` opens the form; `/complaint list [all]` answers in the ack; `/complaint name: text`
    opens the form with the customer (when the name is unique) and the description filled in."""
    text = unescape_slack(call.text)
    words = text.lower().split()
    if words[:1] == ["list"] or words[:1] == ["列表"]:
        include_closed = words[1:2] in (["all"], ["全部"])
        found = complaints.listing(call.env, call.me, include_closed=include_closed)
        call.ack(**views.listing(call.lang, found, include_closed=include_closed))
        return
    one_line = split_one_line_visit(text)
    query, description = (one_line.customer_query, one_line.note) if one_line else (text, "")
    call.hand_over(OpenForm(_one_customer(call, query), description))


def _one_customer(call: Call, query: str) -> int | None:
    """The customer `query` names, when it names one."""
    if not query:
        return None
    try:
        found = customers.resolve_one(call.env, call.me, query)
    except NotFound:
        return None
    return None if isinstance(found, list) else found.id


def _open_filing(call: Call, customer_id: int | None, description: str = "") -> None:
    customer = customers.get_customer(call.env, call.me, customer_id) if customer_id else None
    view = views.complaint_modal(call.lang, call.metadata(), customer=customer, description=description)
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def open_filing_form(call: Call) -> None:
    asked = call.handed(OpenForm)
    _open_filing(call, asked.customer_id, asked.description)


def open_form_for_customer(call: Call) -> None:
    _open_filing(call, number(call.action_value) or None)


def submit_complaint(call: Call) -> None:
    values = form_values(call.body)
    customer_id = chosen_customer(values)
    draft = ComplaintDraft(
        customer_id=customer_id,
        category=text_of(values, Field.CATEGORY.value),
        severity=text_of(values, Field.SEVERITY.value),
        description=text_of(values, Field.DESCRIPTION.value),
        contact_channel=text_of(values, Field.CONTACT_CHANNEL.value),
    )
    filed = complaints.file(call.env, call.me, draft)  # its card queued with it
    call.hand_over(Queued(filed.complaint.id or 0, filed.keys))
    call.ack(response_action="clear")


def post_new(call: Call) -> None:
    """The card and its first reply sent at once; then the filer is told where it went."""
    queued = call.handed(Queued)
    notify.deliver_now(call.env, call.client, queued.keys, workspace_id=call.me.workspace_id)
    handling = complaints.get(call.env, call.me, queued.complaint_id)
    fresh = handling.complaint
    settings_channel = fresh.channel_id if fresh.channel_id and fresh.channel_id.startswith("C") else None
    call.tell(views.filed(call.lang, fresh, handling.customer.name, settings_channel))
    refresh_home(call.client, call.env, call.me)


# -- steps ----------------------------------------------------------------------------------------------
def _complaint_id(call: Call) -> int:
    value = call.action_value or str(call.view_metadata().get("complaint") or "")
    if not value.isdigit():
        raise NotFound(N_("That complaint no longer exists."))
    return int(value)


def _done(call: Call, step: Step) -> None:
    call.hand_over(Queued(step.complaint.id or 0, step.keys))
    if call.kind == "view_submission":
        call.ack(response_action="clear")
    else:
        call.ack()


def acknowledge(call: Call) -> None:
    _done(call, complaints.acknowledge(call.env, call.me, _complaint_id(call)))


def take_over(call: Call) -> None:
    _done(call, complaints.reassign(call.env, call.me, _complaint_id(call), call.me.user_id))


def open_step_form(call: Call) -> None:
    complaint_id = _complaint_id(call)
    handling = complaints.get(call.env, call.me, complaint_id)
    if not complaints.may_change(directory(call.env, call.me.workspace_id), call.me, handling.complaint):
        raise NotAllowed(
            N_("Only the assignee, their manager and admins can change complaint #%(number)s."),
            number=complaint_id,
        )
    action = Action((call.body.get("actions") or [{}])[0].get("action_id"))
    call.client.views_open(trigger_id=call.trigger_id, view=FORMS[action](call.lang, complaint_id))


def open_reassign_form(call: Call) -> None:
    complaint_id = _complaint_id(call)
    handling = complaints.get(call.env, call.me, complaint_id)
    people = directory(call.env, call.me.workspace_id)
    if not (call.me.is_admin or call.me.is_manager) or not complaints.may_change(
        people, call.me, handling.complaint
    ):
        raise NotAllowed(N_("Only the assignee's manager and admins reassign complaints."))
    choices = complaints.assignable_to(people, call.me)
    call.client.views_open(
        trigger_id=call.trigger_id, view=views.reassign_modal(call.lang, complaint_id, choices)
    )


def submit_note(call: Call) -> None:
    text = text_of(form_values(call.body), Field.TEXT.value)
    _done(call, complaints.add_note(call.env, call.me, _complaint_id(call), text))


def submit_resolution(call: Call) -> None:
    text = text_of(form_values(call.body), Field.RESOLUTION.value)
    _done(call, complaints.resolve(call.env, call.me, _complaint_id(call), text))


def submit_reopen(call: Call) -> None:
    text = text_of(form_values(call.body), Field.TEXT.value)
    _done(call, complaints.reopen(call.env, call.me, _complaint_id(call), text))


def submit_close(call: Call) -> None:
    values = form_values(call.body)
    satisfaction = int_of(values, Field.SATISFACTION.value)
    comment = text_of(values, Field.COMMENT.value)
    _done(call, complaints.close(call.env, call.me, _complaint_id(call), satisfaction, comment))


def submit_reassign(call: Call) -> None:
    to_user = text_of(form_values(call.body), Field.ASSIGNEE.value)
    _done(call, complaints.reassign(call.env, call.me, _complaint_id(call), to_user))


def post_step(call: Call) -> None:
    """After a step: its reply in the thread and the card as it reads now, sent at once; then a word."""
    queued = call.handed(Queued)
    complaint = complaints.get(call.env, call.me, queued.complaint_id).complaint
    notify.deliver_now(call.env, call.client, queued.keys, workspace_id=complaint.workspace_id)
    status = views.status_label(complaint.status, call.lang)
    text = say(
        call.lang, N_("Done: complaint #%(number)s is %(status)s."), number=complaint.id, status=status
    )
    call.tell(common.notice(text))
    refresh_home(call.client, call.env, call.me)
