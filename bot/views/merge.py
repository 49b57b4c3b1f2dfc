"""Merging duplicates: the form to pick the duplicate, the side-by-side form that says what the
survivor keeps, and the DM to the duplicate's owner."""

from __future__ import annotations

import json
from typing import Any

from bot.i18n import N_, Lang
from bot.services.merge import MergePreview
from bot.views import blocks as b
from bot.views import labels
from bot.views.customer_history import CONTACT_FIELDS, FIELD_NAMES
from bot.views.customers import TEXT_FIELDS
from bot.views.ids import Action, Callback, Field
from bot.views.text import clip, escape, mention, say
from store.models import Customer

KEEP, TAKE = "keep", "take"
SHOWN = 70  # characters of a value in the side-by-side table


def keep_block_id(field: str) -> str:
    return f"keep_{field}"


def merge_pick_modal(lang: Lang, survivor: Customer, metadata: dict[str, Any]) -> dict[str, Any]:
    _ = lang.gettext
    intro = say(
        lang,
        N_("Which customer is a duplicate of *%(name)s*? Its visits, orders, complaints and history move to %(name)s; its name then leads to %(name)s."),
        name=survivor.name,
    )  # fmt: skip
    blocks = [
        b.section(intro),
        b.input_block(Field.CUSTOMER.value, _("Duplicate"), b.customer_picker(lang, None)),
    ]
    return b.modal(
        title=_("Merge duplicates"), blocks=blocks, callback_id=Callback.MERGE_PICK, submit=_("Next"),
        close=_("Cancel"), private_metadata=json.dumps(metadata, ensure_ascii=False),
    )  # fmt: skip


def merge_confirm_modal(lang: Lang, preview: MergePreview, metadata: dict[str, Any]) -> dict[str, Any]:
    _ = lang.gettext
    survivor, duplicate = preview.survivor, preview.duplicate
    intro = say(
        lang,
        N_("*%(survivor)s* stays; *%(duplicate)s* becomes its alias. Check what %(survivor)s keeps, then merge."),
        survivor=survivor.name, duplicate=duplicate.name,
    )  # fmt: skip
    blocks: list[b.Block] = [
        b.section(intro),
        b.fields(f"*{escape(survivor.name)}*", f"*{escape(duplicate.name)}*"),
    ]
    blocks += [_side_by_side(lang, preview, name) for name in _shown_fields(preview)]
    blocks.append(b.fields(_owner(lang, survivor), _owner(lang, duplicate)))
    blocks += [_choice(lang, preview, name) for name in preview.choices if _visible(preview, name)]
    if preview.filled:
        taken = ", ".join(lang.gettext(FIELD_NAMES[name]) for name in preview.filled)
        blocks.append(
            b.context(
                say(lang, N_("Taken from %(duplicate)s: %(fields)s."), duplicate=duplicate.name, fields=taken)
            )
        )
    return b.modal(
        title=_("Merge duplicates"), blocks=blocks, callback_id=Callback.MERGE_CONFIRM, submit=_("Merge"),
        close=_("Cancel"), private_metadata=json.dumps(metadata, ensure_ascii=False),
    )  # fmt: skip


def _visible(preview: MergePreview, name: str) -> bool:
    return preview.show_contact or name not in CONTACT_FIELDS


def _shown_fields(preview: MergePreview) -> list[str]:
    survivor, duplicate = preview.survivor, preview.duplicate
    return [
        name for name in FIELD_NAMES
        if (getattr(survivor, name) or getattr(duplicate, name)) and _visible(preview, name)
    ]  # fmt: skip


LABELS = {field.value: label for field, label, _hint, _multiline in TEXT_FIELDS}


def _side_by_side(lang: Lang, preview: MergePreview, name: str) -> b.Block:
    label = escape(lang.gettext(LABELS[name]))
    left, right = (
        escape(clip(str(getattr(c, name) or "—"), SHOWN)) for c in (preview.survivor, preview.duplicate)
    )
    return b.fields(f"_{label}_\n{left}", f"_{label}_\n{right}")


def _owner(lang: Lang, customer: Customer) -> str:
    return escape(lang.gettext("Owner")) + ": " + labels.owner(customer.owner_id, lang)


def _choice(lang: Lang, preview: MergePreview, name: str) -> b.Block:
    keep, take = (clip(str(getattr(c, name)), 60) for c in (preview.survivor, preview.duplicate))
    options = [b.option(keep, KEEP), b.option(take, TAKE)]
    label = lang.gettext("%(field)s: which one stays?") % {"field": lang.gettext(LABELS[name])}
    element = b.static_select(keep_block_id(name), options, initial=KEEP)
    return b.input_block(keep_block_id(name), label, element)


def merged_away(
    lang: Lang, *, by: str, duplicate: str, survivor: str, survivor_id: int, owner_id: str | None
) -> dict[str, Any]:
    """The duplicate's owner: where their customer went, and who has it now."""
    text = say(
        lang,
        N_("%(by)s merged *%(duplicate)s* into *%(survivor)s*, which belongs to %(owner)s: its visits, orders and history are there now."),
        by=mention(by), duplicate=duplicate, survivor=survivor, owner=labels.owner(owner_id, lang),
    )  # fmt: skip
    button = b.actions(b.button(lang.gettext("View card"), Action.CUSTOMER_VIEW, str(survivor_id)))
    return b.message(text, [b.section(text), button])
