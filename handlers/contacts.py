"""A customer's contacts from its card: Add contact, and each contact's "⋯" (Edit…, Make primary,
Remove…)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from slack_bolt import App

from bot.services import contacts, customers
from bot.services.contacts import ContactDraft
from bot.views import contacts as views
from bot.views.ids import Action, Callback, Field
from handlers.customers import card_message
from handlers.kit import Call, Kit, just_ack, lazy, listener
from handlers.state import form_values, number, text_of


@dataclass(frozen=True)
class Saved:
    customer_id: int


def register(app: App, kit: Kit) -> None:
    app.action(Action.CONTACT_ADD)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_add_form)])
    app.action(Action.CONTACT_MENU)(ack=listener(kit, choose_from_menu), lazy=[lazy(kit, act_on_menu)])
    app.view(Callback.CONTACT_SAVE)(
        ack=listener(kit, submit_contact), lazy=[lazy(kit, show_card, when_deferred=True)]
    )
    app.view(Callback.CONTACT_REMOVE)(
        ack=listener(kit, submit_remove), lazy=[lazy(kit, show_card, when_deferred=True)]
    )


def open_add_form(call: Call) -> None:
    """Refused before the form opens for one who may not change the customer's contacts."""
    customer = contacts.open_contacts(call.env, call.me, number(call.action_value))
    view = views.contact_modal(call.lang, customer.name, None, {**call.metadata(), "customer": customer.id})
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def choose_from_menu(call: Call) -> None:
    """Make primary is done in the ack; Edit… and Remove… open their form in the lazy step."""
    what, _, contact_id = call.action_value.partition(":")
    if what == views.PRIMARY:
        call.hand_over(Saved(contacts.make_primary(call.env, call.me, number(contact_id)).customer_id))
    call.ack()


def act_on_menu(call: Call) -> None:
    saved = call.handed_if(Saved)
    if saved is not None:
        call.tell(card_message(call, customers.card(call.env, call.me, saved.customer_id)), replace=True)
        return
    what, _, contact_id = call.action_value.partition(":")
    customer, contact = contacts.open_contact(call.env, call.me, number(contact_id))
    metadata = {**call.metadata(), "contact": contact.id}
    if what == views.REMOVE:
        view = views.remove_modal(call.lang, customer.name, contact, metadata)
    else:
        shown = contacts.draft_of(contact)
        view = views.contact_modal(call.lang, customer.name, shown, {**metadata, "shown": asdict(shown)})
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def _draft(call: Call) -> ContactDraft:
    values = form_values(call.body)
    texts = {name: text_of(values, name) for name in ("name", "title", "phone", "email", "note")}
    return ContactDraft(**texts, primary=bool(values.get(Field.PRIMARY.value)))


def submit_contact(call: Call) -> None:
    metadata = call.view_metadata()
    if metadata.get("contact"):
        shown = ContactDraft(**metadata.get("shown", {}))
        saved = contacts.edit(call.env, call.me, int(metadata["contact"]), shown, _draft(call))
    else:
        saved = contacts.add(call.env, call.me, int(metadata.get("customer") or 0), _draft(call))
    call.hand_over(Saved(saved.customer_id))
    call.ack(response_action="clear")


def submit_remove(call: Call) -> None:
    saved = contacts.remove(call.env, call.me, int(call.view_metadata().get("contact") or 0))
    call.hand_over(Saved(saved.customer_id))
    call.ack(response_action="clear")


def show_card(call: Call) -> None:
    call.tell(card_message(call, customers.card(call.env, call.me, call.handed(Saved).customer_id)))
