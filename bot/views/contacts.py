"""Contacts on the customer card, their "⋯" menu, and the forms to add, correct or remove one."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.i18n import N_, Lang
from bot.services.contacts import LIMITS, ContactDraft
from bot.views import blocks as b
from bot.views.ids import Action, Callback, Field
from bot.views.text import clip, escape, say
from store.models import Contact

SHOWN = 5  # contacts on the card; the others are counted
EDIT, PRIMARY, REMOVE = "edit", "primary", "remove"


def contact_blocks(
    lang: Lang, contacts: Sequence[Contact], *, show_contact: bool, can_edit: bool
) -> list[dict[str, Any]]:
    """The card's Contacts: each with its title and note, phone and e-mail for those who may see them."""
    if not contacts:
        return []
    blocks: list[dict[str, Any]] = [b.section("*" + escape(lang.gettext("Contacts")) + "*")]
    for contact in contacts[:SHOWN]:
        menu = _menu(lang, contact) if can_edit else None
        blocks.append(b.section(_line(lang, contact, show_contact), accessory=menu))
    if len(contacts) > SHOWN:
        more = say(lang, N_("and %(count)s more"), count=len(contacts) - SHOWN)
        blocks.append(b.context(more))
    return blocks


def _line(lang: Lang, contact: Contact, show_contact: bool) -> str:
    head = [f"*{escape(contact.name)}*" if contact.name else "", escape(contact.title)]
    if contact.is_primary:
        head.append(escape(lang.gettext("primary")))
    lines = [" · ".join(part for part in head if part) or "—"]
    if show_contact and (contact.phone or contact.email):
        lines.append("  ".join(escape(v) for v in (contact.phone, contact.email) if v))
    if contact.note:
        lines.append("_" + escape(clip(contact.note, 200)) + "_")
    return "\n".join(lines)


def _menu(lang: Lang, contact: Contact) -> dict[str, Any]:
    _ = lang.gettext
    options = [b.option(_("Edit…"), f"{EDIT}:{contact.id}")]
    if not contact.is_primary:
        options.append(b.option(_("Make primary"), f"{PRIMARY}:{contact.id}"))
    options.append(b.option(_("Remove…"), f"{REMOVE}:{contact.id}"))
    return b.overflow(Action.CONTACT_MENU, options)


def contact_modal(
    lang: Lang, name: str, draft: ContactDraft | None, metadata: dict[str, Any]
) -> dict[str, Any]:
    """Add a contact (draft None) or correct one, filled in."""
    _ = lang.gettext
    shown = draft or ContactDraft()
    intro = say(lang, N_("A person at %(name)s: who they are and how to reach them."), name=name)
    labels = {
        Field.NAME: _("Name"), Field.TITLE: _("Title or role"), Field.PHONE: _("Phone"), Field.EMAIL: _("Email"),
        Field.NOTE: _("Note"),
    }  # fmt: skip
    blocks = [b.section(intro)]
    for field, label in labels.items():
        element = b.text_input(
            field.value,
            initial=getattr(shown, field.value),
            max_length=LIMITS[field.value],
            multiline=field == Field.NOTE,
        )
        blocks.append(b.input_block(field.value, label, element, optional=True))
    primary = b.option(_("The primary contact"), "yes")
    ticked = {"initial_options": [primary]} if shown.primary else {}
    checkbox = {"type": "checkboxes", "action_id": Field.PRIMARY.value, "options": [primary], **ticked}
    blocks.append(b.input_block(Field.PRIMARY.value, _("Primary"), checkbox, optional=True))
    return b.modal(
        title=_("Add contact") if draft is None else _("Edit contact"), blocks=blocks, callback_id=Callback.CONTACT_SAVE,
        submit=_("Save"), close=_("Cancel"), private_metadata=json.dumps(metadata, ensure_ascii=False),
    )  # fmt: skip


def remove_modal(lang: Lang, name: str, contact: Contact, metadata: dict[str, Any]) -> dict[str, Any]:
    _ = lang.gettext
    question = say(
        lang,
        N_("Remove %(contact)s from the contacts of %(name)s? The customer's history keeps it."),
        contact=contact.name or contact.title or contact.phone or contact.email, name=name,
    )  # fmt: skip
    return b.modal(
        title=_("Remove contact"), blocks=[b.section(question)], callback_id=Callback.CONTACT_REMOVE,
        submit=_("Remove"), close=_("Cancel"), private_metadata=json.dumps(metadata, ensure_ascii=False),
    )  # fmt: skip
