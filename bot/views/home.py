"""The App Home tab (first version): follow-ups due today and overdue, with quick actions."""

from __future__ import annotations

from typing import Any

from bot.i18n import Lang
from bot.services.home import DueList, HomeData
from bot.views import blocks as b
from bot.views.ids import Action
from bot.views.templating import render
from bot.views.text import escape


def home_view(lang: Lang, data: HomeData) -> dict[str, Any]:
    _ = lang.gettext
    blocks: list[b.Block] = [
        b.header(_("Your customers")),
        b.actions(
            b.button(_("Log visit"), Action.VISIT_OPEN, style="primary"),
            b.button(_("New customer"), Action.CUSTOMER_NEW),
            b.button(_("Log order"), Action.ORDER_OPEN),
            b.button(_("Refresh"), Action.HOME_REFRESH),
        ),
        b.divider(),
    ]
    blocks += _section(lang, _("Overdue follow-ups"), data.overdue)
    blocks += _section(lang, _("Follow-ups due today"), data.due_today)
    if not data.overdue.total and not data.due_today.total:
        blocks.append(b.section(escape(_("Nothing due today. Nice work! Log a visit to plan the next one."))))
    return b.home(blocks)


def _section(lang: Lang, title: str, due: DueList) -> list[b.Block]:
    _ = lang.gettext
    if not due.total:
        return []
    blocks: list[b.Block] = [b.section(f"*{escape(title)}* ({due.total})")]
    for customer in due.customers:
        row = render("home_row.md.j2", lang, customer=customer)
        blocks.append(b.section(row, accessory=b.button(_("Log visit"), Action.VISIT_OPEN, str(customer.id))))
    if due.total > len(due.customers):
        more = _("…and %(count)s more. Use /customer to find them.") % {
            "count": due.total - len(due.customers)
        }
        blocks.append(b.context(escape(more)))
    return blocks
