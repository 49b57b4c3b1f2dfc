"""The direct message a rep gets when a manager gives them a customer (queued with the assignment)."""

from __future__ import annotations

from typing import Any

from bot.i18n import N_, Lang
from bot.views import blocks as b
from bot.views.ids import Action
from bot.views.text import mention, say
from store.models import Customer


def assigned_to_you(lang: Lang, manager_id: str, customer: Customer) -> dict[str, Any]:
    text = say(
        lang, N_("%(manager)s assigned *%(name)s* to you."), manager=mention(manager_id), name=customer.name
    )
    value = str(customer.id)
    buttons = b.actions(
        b.button(lang.gettext("View card"), Action.CUSTOMER_VIEW, value),
        b.button(lang.gettext("Log visit"), Action.VISIT_OPEN, value, style="primary"),
    )
    return b.message(text, [b.section(text), buttons])
