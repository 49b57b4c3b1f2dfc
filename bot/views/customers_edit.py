"""The Edit customer form (the lines its changes leave in the history: bot/views/customer_history.py)."""

from __future__ import annotations

import json
from typing import Any

from bot.i18n import N_, Lang
from bot.services.customers import CustomerDraft
from bot.views import blocks as b
from bot.views.customers import TEXT_FIELDS, text_field
from bot.views.ids import Callback
from bot.views.text import say


def edit_customer_modal(
    lang: Lang, name: str, draft: CustomerDraft, metadata: dict[str, Any]
) -> dict[str, Any]:
    """The customer's details, filled in; level and owner change elsewhere (the card's level, /assign)."""
    _ = lang.gettext
    intro = say(
        lang,
        N_("Correct what is wrong in %(name)s's details. Each change is kept in its history."),
        name=name,
    )
    blocks = [b.section(intro), *(text_field(lang, draft, *spec) for spec in TEXT_FIELDS)]
    return b.modal(
        title=_("Edit customer"),
        blocks=blocks,
        callback_id=Callback.CUSTOMER_EDIT,
        submit=_("Save"),
        close=_("Cancel"),
        private_metadata=json.dumps(metadata, ensure_ascii=False),
    )
