"""The morning reminder: one DM per rep listing today's and overdue follow-ups, each with Log visit and
Snooze (1 day, 3 days, or a date)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.i18n import N_, Lang
from bot.views import blocks as b
from bot.views import labels
from bot.views.ids import FOLLOW_UP_BLOCK, Action, Callback, Field
from bot.views.text import Mrkdwn, day, escape, say
from store.followups import DueRow

ROWS_SHOWN = 15  # 2 blocks a row: 15 rows + header and footer stay well within 50 blocks


def when_due(lang: Lang, due: date, today: date) -> Mrkdwn:
    late = (today - due).days
    if late <= 0:
        return say(lang, N_("due today"))
    if late == 1:
        return say(lang, N_("1 day overdue"))
    return say(lang, N_("%(days)s days overdue"), days=late)


def reminder_row(lang: Lang, row: DueRow, today: date) -> list[b.Block]:
    _ = lang.gettext
    facts = [
        f"*{escape(row.name)}*",
        escape(labels.level(row.level, lang)),
        when_due(lang, row.next_follow_up, today),
    ]
    if row.last_visit_on:
        facts.append(say(lang, N_("last visit %(day)s"), day=day(row.last_visit_on, lang)))
    snooze = b.static_select(
        Action.SNOOZE,
        [b.option(_("1 day"), f"{row.customer_id}:1"), b.option(_("3 days"), f"{row.customer_id}:3")],
        placeholder=_("Snooze"),
    )
    pick = {**b.date_picker(Action.SNOOZE_DATE), "placeholder": b.plain(_("Pick a date"), 150)}
    return [
        b.section(" · ".join(facts)),
        b.actions(
            b.button(_("Log visit"), Action.VISIT_OPEN, str(row.customer_id), style="primary"),
            snooze,
            pick,
            block_id=f"{FOLLOW_UP_BLOCK}.{row.customer_id}",
        ),
    ]


def reminder(lang: Lang, rows: Sequence[DueRow], today: date) -> dict[str, Any]:
    total = rows[0].total if rows else 0
    title = say(lang, N_("Follow-ups for today, %(day)s: %(count)s"), day=day(today, lang), count=total)
    blocks: list[b.Block] = [b.section(f":calendar: *{title}*")]
    for row in rows[:ROWS_SHOWN]:
        blocks += reminder_row(lang, row, today)
    if total > ROWS_SHOWN:
        more = say(lang, N_("…and %(count)s more, oldest first, on your Home tab."), count=total - ROWS_SHOWN)
        blocks.append(b.context(more))
    blocks.append(
        b.context(say(lang, N_("Snoozing moves the follow-up date; it is noted on the customer's card.")))
    )
    return b.message(title, blocks)


def planned(lang: Lang, name: str, to_day: date) -> Mrkdwn:
    return say(
        lang,
        N_(":spiral_calendar_pad: Visit to %(name)s planned for %(day)s: it is the next follow-up."),
        name=name,
        day=day(to_day, lang),
    )


def snoozed(lang: Lang, name: str, to_day: date) -> Mrkdwn:
    return say(
        lang, N_(":zzz: The follow-up with %(name)s is now on %(day)s."), name=name, day=day(to_day, lang)
    )


def plan_visit_modal(
    lang: Lang, customer_id: int, name: str, suggested: date, metadata: dict[str, Any]
) -> dict[str, Any]:
    """When to contact the customer next, the next working day suggested."""
    _ = lang.gettext
    intro = say(lang, N_("When will you next contact %(name)s? It becomes the next follow-up."), name=name)
    return b.modal(
        title=_("Plan a visit"),
        blocks=[
            b.section(intro),
            b.input_block(Field.NEXT_FOLLOW_UP, _("Date"), b.date_picker(Field.NEXT_FOLLOW_UP, suggested)),
        ],
        callback_id=Callback.PLAN_VISIT,
        submit=_("Plan"),
        close=_("Cancel"),
        private_metadata=json.dumps({**metadata, "customer": customer_id}),
    )
