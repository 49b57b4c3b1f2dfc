"""Merging duplicates from the customer card: Merge… picks the duplicate, the next form shows both
side by side and what the survivor keeps, Merge does it."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from bot import notify
from bot.services import customers, merge
from bot.views import merge as views
from bot.views.ids import Action, Callback
from handlers.customers import card_message
from handlers.kit import Call, Kit, just_ack, lazy, listener
from handlers.state import chosen_customer, form_values, number


@dataclass(frozen=True)
class Merged:
    survivor_id: int
    updates: tuple[str, ...]


def register(app: App, kit: Kit) -> None:
    app.action(Action.CUSTOMER_MERGE)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_merge_form)])
    app.view(Callback.MERGE_PICK)(listener(kit, show_both))
    app.view(Callback.MERGE_CONFIRM)(
        ack=listener(kit, submit_merge), lazy=[lazy(kit, show_survivor, when_deferred=True)]
    )


def open_merge_form(call: Call) -> None:
    """Refused before the form opens for one who may not merge this customer."""
    card = customers.card(call.env, call.me, number(call.action_value))
    if not card.can_merge:
        merge.refuse(card.customer.name)
    view = views.merge_pick_modal(call.lang, card.customer, {**call.metadata(), "survivor": card.customer.id})
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def show_both(call: Call) -> None:
    """The duplicate chosen: the same modal becomes the side-by-side form, in the ack."""
    metadata = call.view_metadata()
    survivor_id, duplicate_id = int(metadata.get("survivor") or 0), chosen_customer(form_values(call.body))
    preview = merge.preview(call.env, call.me, survivor_id, duplicate_id)
    shown = {str(c.id): c.updated_at.isoformat() for c in (preview.survivor, preview.duplicate)}
    again = {**metadata, "duplicate": preview.duplicate.id, "shown": shown, "choices": list(preview.choices)}
    call.ack(response_action="update", view=views.merge_confirm_modal(call.lang, preview, again))


def submit_merge(call: Call) -> None:
    metadata, values = call.view_metadata(), form_values(call.body)
    take = frozenset(
        name for name in metadata.get("choices", []) if values.get(views.keep_block_id(name)) == views.TAKE
    )
    survivor_id, duplicate_id = int(metadata.get("survivor") or 0), int(metadata.get("duplicate") or 0)
    merged = merge.merge(
        call.env, call.me, survivor_id, duplicate_id, take=take, shown=dict(metadata.get("shown") or {})
    )
    call.hand_over(Merged(merged.survivor_id, merged.updates))
    call.ack(response_action="clear")


def show_survivor(call: Call) -> None:
    merged = call.handed(Merged)
    notify.deliver_now(call.env, call.client, merged.updates, workspace_id=call.me.workspace_id)
    call.tell(card_message(call, customers.card(call.env, call.me, merged.survivor_id)))
