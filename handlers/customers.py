"""`/customer`: the New customer modal with the duplicate check, search, cards and the type-ahead."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from slack_bolt import App

from bot import notify
from bot.services import approvals, customers, customers_edit, pool, undo
from bot.services.customers import CustomerDraft, PossibleDuplicates
from bot.services.customers_edit import Edited
from bot.views import customers as views
from bot.views import customers_edit as edit_views
from bot.views.blocks import option, option_for
from bot.views.ids import Action, Callback, Command
from bot.views.text import unescape_slack
from handlers.approvals import AskedApproval, told_if_asked
from handlers.kit import Call, Kit, just_ack, lazy, listener
from handlers.state import form_values, text_of


@dataclass(frozen=True)
class Created:
    customer_id: int


@dataclass(frozen=True)
class Changed:
    """A customer changed from its card (the card shown again in place) or from a form (a new card)."""

    customer_id: int
    replace: bool


def register(app: App, kit: Kit) -> None:
    # Two registrations: a search is answered whole in the ack, with no lazy request copy to make.
    app.command(Command.CUSTOMER, matchers=[without_text])(
        ack=listener(kit, just_ack), lazy=[lazy(kit, open_new_customer_form)]
    )
    app.command(Command.CUSTOMER)(listener(kit, customer_command))
    app.action(Action.CUSTOMER_NEW)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_new_customer_form)])
    app.action(Action.CUSTOMER_VIEW)(ack=listener(kit, just_ack), lazy=[lazy(kit, show_card)])
    app.view(Callback.CUSTOMER_NEW)(
        ack=listener(kit, submit_new_customer), lazy=[lazy(kit, confirm_saved, when_deferred=True)]
    )
    app.view(Callback.CUSTOMER_CONFIRM)(
        ack=listener(kit, save_anyway), lazy=[lazy(kit, confirm_saved, when_deferred=True)]
    )
    app.options(Action.CUSTOMER_PICK)(listener(kit, suggest_customers))
    for field in views.CHOSEN_FIELDS:
        app.options(field.value)(listener(kit, suggest_values))
    app.action(Action.CUSTOMER_LEVEL)(
        ack=listener(kit, set_level), lazy=[lazy(kit, show_changed_card, when_deferred=True)]
    )
    app.action(Action.CUSTOMER_MARK_LOST)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_lost_form)])
    app.view(Callback.MARK_LOST)(
        ack=listener(kit, submit_lost), lazy=[lazy(kit, show_changed_card, when_deferred=True)]
    )
    app.action(Action.CUSTOMER_EDIT)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_edit_form)])
    app.action(Action.CUSTOMER_UNDO)(ack=listener(kit, just_ack), lazy=[lazy(kit, undo_change)])
    app.view(Callback.CUSTOMER_EDIT)(
        ack=listener(kit, submit_edit), lazy=[lazy(kit, show_changed_card, when_deferred=True)]
    )
    app.view(Callback.CUSTOMER_EDIT_CONFIRM)(
        ack=listener(kit, save_edit_anyway), lazy=[lazy(kit, show_changed_card, when_deferred=True)]
    )


def without_text(body: dict[str, Any]) -> bool:
    return not str(body.get("text", "")).strip()


def customer_command(call: Call) -> None:
    """`/customer text` answers with a card (or the candidates) in the ack."""
    text = unescape_slack(call.text)  # Slack sends &, < and > in a command's text as entities
    found = customers.resolve_one(call.env, call.me, text)
    if isinstance(found, list):
        call.ack(**views.search_results(call.lang, text, found))
        return
    call.ack(**card_message(call, customers.card_of(call.env, call.me, found)))


def card_message(call: Call, card: customers.CustomerCard) -> dict[str, Any]:
    """The card; a pool customer's without Claim, and why, when this person may not claim it now."""
    customer = card.customer
    refused = pool.claim_refusal(call.env, call.me, customer.id or 0) if customer.owner_id is None else None
    return views.customer_card(call.lang, card, claim_refusal=refused)


def open_new_customer_form(call: Call) -> None:
    owners = customers.owner_choices(call.env, call.me) if (call.me.is_admin or call.me.is_manager) else None
    view = views.new_customer_modal(call.lang, owners=owners, metadata=call.metadata())
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def show_card(call: Call) -> None:
    card = customers.card(call.env, call.me, int(call.action_value))
    call.tell(card_message(call, card), replace=True)


def _draft(call: Call) -> CustomerDraft:
    values = form_values(call.body)
    fields = {f.name: text_of(values, f.name) for f in dataclasses.fields(CustomerDraft)}
    return CustomerDraft(**{k: v for k, v in fields.items() if v})


def submit_new_customer(call: Call) -> None:
    draft = customers.validate_draft(_draft(call))
    try:
        created = customers.create_customer(call.env, call.me, draft, confirmed_duplicates=False)
    except PossibleDuplicates as duplicates:
        metadata = {**call.view_metadata(), "draft": dataclasses.asdict(draft)}
        call.ack(response_action="push", view=views.duplicates_modal(call.lang, duplicates.matches, metadata))
        return
    call.hand_over(Created(created.id or 0))
    call.ack(response_action="clear")


def save_anyway(call: Call) -> None:
    metadata = call.view_metadata()
    draft = CustomerDraft(**metadata.get("draft", {}))
    created = customers.create_customer(call.env, call.me, draft, confirmed_duplicates=True)
    call.hand_over(Created(created.id or 0))
    call.ack(response_action="clear")


def confirm_saved(call: Call) -> None:
    created = call.handed(Created)
    call.tell(card_message(call, customers.card(call.env, call.me, created.customer_id)))


def suggest_customers(call: Call) -> None:
    typed = str(call.body.get("value", ""))
    found = customers.search(call.env, workspace_id=call.me.workspace_id, query=typed, limit=50)
    found.sort(key=lambda customer: customer.owner_id != call.me.user_id)  # stable: mine first, best first
    call.ack(options=[option_for(customer, call.lang) for customer in found])


def suggest_values(call: Call) -> None:
    """Region or industry: what was typed, then the values in use that contain it."""
    field, typed = str(call.body.get("action_id", "")), str(call.body.get("value", ""))
    values = customers.values_in_use(call.env, call.me, field, typed)
    call.ack(options=[option(value, value) for value in values])


def set_level(call: Call) -> None:
    """The card's level select: "<customer id>:<A|B|C|auto>"; written in the ack, the card shown again."""
    action = (call.body.get("actions") or [{}])[0]
    customer_id, _, level = str((action.get("selected_option") or {}).get("value", "")).partition(":")
    changed = approvals.set_level(
        call.env, call.me, int(customer_id or 0), None if level == "auto" else level
    )
    call.hand_over(_outcome(changed, replace=True))
    call.ack()


def _outcome(done: customers.Customer | approvals.Asked, *, replace: bool) -> Changed | AskedApproval:
    """The card shown again after a change, or the rep told that their manager was asked."""
    if isinstance(done, approvals.Asked):
        return AskedApproval(done)
    return Changed(done.id or 0, replace=replace)


def open_lost_form(call: Call) -> None:
    customer = customers.card(call.env, call.me, int(call.action_value or 0)).customer
    customers.require_work_access(call.env, call.me, customer)
    view = views.mark_lost_modal(call.lang, customer, call.metadata())
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def submit_lost(call: Call) -> None:
    reason = text_of(form_values(call.body), "reason")
    lost = approvals.mark_lost(call.env, call.me, int(call.view_metadata().get("customer") or 0), reason)
    call.hand_over(_outcome(lost, replace=False))
    call.ack(response_action="clear")


def open_edit_form(call: Call) -> None:
    """Refused before it opens for one who may not edit the customer."""
    customer, draft = customers_edit.open_edit(call.env, call.me, int(call.action_value or 0))
    metadata = {**call.metadata(), "customer": customer.id, "shown": dataclasses.asdict(draft)}
    view = edit_views.edit_customer_modal(call.lang, customer.name, draft, metadata)
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def submit_edit(call: Call) -> None:
    metadata = call.view_metadata()
    typed = _draft(call)
    try:
        edited = _save_edit(call, metadata, typed, confirmed=False)
    except PossibleDuplicates as duplicates:
        again = {**metadata, "typed": dataclasses.asdict(typed)}
        modal = views.duplicates_modal(call.lang, duplicates.matches, again, Callback.CUSTOMER_EDIT_CONFIRM)
        call.ack(response_action="push", view=modal)
        return
    call.hand_over(Changed(edited.customer_id, replace=False))
    call.ack(response_action="clear")


def save_edit_anyway(call: Call) -> None:
    metadata = call.view_metadata()
    edited = _save_edit(call, metadata, CustomerDraft(**metadata.get("typed", {})), confirmed=True)
    call.hand_over(Changed(edited.customer_id, replace=False))
    call.ack(response_action="clear")


def _save_edit(call: Call, metadata: dict[str, Any], typed: CustomerDraft, *, confirmed: bool) -> Edited:
    shown = CustomerDraft(**metadata.get("shown", {"name": ""}))
    customer_id = int(metadata.get("customer") or 0)
    return customers_edit.save_edit(call.env, call.me, customer_id, shown, typed, confirmed=confirmed)


def undo_change(call: Call) -> None:
    """Undo the person's release or mark lost; the card, as it is again, replaces the confirmation."""
    undone = undo.undo(call.env, call.me, int(call.action_value or 0))
    notify.deliver_now(call.env, call.client, undone.updates, workspace_id=call.me.workspace_id)
    call.tell(card_message(call, customers.card(call.env, call.me, undone.customer_id)), replace=True)


def show_changed_card(call: Call) -> None:
    if told_if_asked(call):
        return
    changed = call.handed(Changed)
    card = customers.card(call.env, call.me, changed.customer_id)
    call.tell(card_message(call, card), replace=changed.replace)
