"""Recycle warnings, requests for more days and their decisions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.i18n import N_, Lang
from bot.services.home_types import Warned
from bot.views import blocks as b
from bot.views import labels
from bot.views.ids import Action, Callback, Field
from bot.views.text import Mrkdwn, clip, day, escape, mention, moment, say, say_n
from store.models import EXTENSION_APPROVED, EXTENSION_DECLINED, Customer, ExtensionRequest

ROWS_SHOWN = 20  # 2 blocks a row


def _why(lang: Lang, warned: Warned, timezone: str) -> Mrkdwn:
    when = moment(warned.recycle.at, timezone, lang)
    moved = warned.recycle.opportunity_moved_at
    if warned.recycle.reason == "no_order" and moved is not None:
        message = N_(
            "goes back to the pool on %(when)s: no first order yet, and its open opportunity has not moved since %(moved)s"
        )
        return say(lang, message, when=when, moved=moment(moved, timezone, lang, with_time=False))
    if warned.recycle.reason == "no_order":
        return say(lang, N_("goes back to the pool on %(when)s: no first order yet"), when=when)
    if warned.customer.last_visit_on is None:
        return say(lang, N_("goes back to the pool on %(when)s: never visited"), when=when)
    last = day(warned.customer.last_visit_on, lang)
    return say(lang, N_("goes back to the pool on %(when)s: no visit since %(last)s"), when=when, last=last)


def warning_row(lang: Lang, warned: Warned, timezone: str) -> list[b.Block]:
    _ = lang.gettext
    customer = warned.customer
    text = f"*{escape(customer.name)}* · {escape(labels.level(customer.level, lang))}\n{_why(lang, warned, timezone)}"
    buttons = [b.button(_("Log visit now"), Action.VISIT_OPEN, str(customer.id), style="primary")]
    if not warned.asked:
        buttons.append(b.button(_("Ask for more days"), Action.ASK_MORE_DAYS, str(customer.id)))
    block = [b.section(text), b.actions(*buttons, block_id=f"warning.{customer.id}")]
    if warned.asked:
        block.append(b.context(say(lang, N_("More days asked for; waiting for the answer."))))
    return block


def warning(lang: Lang, rows: Sequence[Warned], timezone: str) -> dict[str, Any]:
    title = say_n(
        lang,
        "%(count)s of your customers goes back to the pool soon",
        "%(count)s of your customers go back to the pool soon",
        len(rows),
    )
    blocks: list[b.Block] = [b.section(f":hourglass_flowing_sand: *{title}*")]
    for warned in rows[:ROWS_SHOWN]:
        blocks += warning_row(lang, warned, timezone)
    if len(rows) > ROWS_SHOWN:
        blocks.append(b.context(say(lang, N_("…and %(count)s more."), count=len(rows) - ROWS_SHOWN)))
    blocks.append(b.context(say(lang, N_("A visit logged now restarts the clock."))))
    return b.message(title, blocks)


def extension_request(
    lang: Lang, request: ExtensionRequest, customer: Customer, timezone: str
) -> dict[str, Any]:
    _ = lang.gettext
    text = say(
        lang,
        N_("%(rep)s asks for more days for %(name)s, due back in the pool on %(when)s: “%(reason)s”"),
        rep=mention(request.asked_by),
        name=customer.name,
        when=moment(request.recycle_at, timezone, lang),
        reason=request.reason or "—",
    )
    buttons = b.actions(
        b.button(_("Approve"), Action.EXTENSION_APPROVE, str(request.id), style="primary"),
        b.button(_("Decline"), Action.EXTENSION_DECLINE, str(request.id)),
        b.button(_("Open card"), Action.CUSTOMER_VIEW, str(customer.id)),
    )
    return b.message(text, [b.section(text), buttons])


def ask_modal(lang: Lang, customer: Customer, metadata: dict[str, Any]) -> dict[str, Any]:
    """Ask for more days: why, for the manager who decides."""
    _ = lang.gettext
    intro = say(
        lang, N_("Ask your manager for more days before %(name)s goes back to the pool."), name=customer.name
    )
    reason = b.text_input(Field.REASON.value, multiline=True, max_length=300)
    return b.modal(
        title=_("Ask for more days"),
        blocks=[b.section(intro), b.input_block(Field.REASON.value, _("Why?"), reason)],
        callback_id=Callback.ASK_MORE_DAYS,
        submit=_("Ask"),
        close=_("Cancel"),
        private_metadata=json.dumps(metadata, ensure_ascii=False),
    )


def decision_line(lang: Lang, request: ExtensionRequest, timezone: str) -> Mrkdwn:
    """The latest request for more days and its answer, for the card and the approver's message."""
    asked = say(
        lang,
        N_("More days asked by %(rep)s on %(when)s"),
        rep=mention(request.asked_by),
        when=moment(request.asked_at, timezone, lang),
    )
    if request.status == EXTENSION_APPROVED and request.decided_by:
        answer = say(
            lang,
            N_("approved by %(who)s (+%(days)s days)"),
            who=mention(request.decided_by),
            days=request.days or 0,
        )
    elif request.status == EXTENSION_DECLINED and request.decided_by:
        answer = say(lang, N_("declined by %(who)s"), who=mention(request.decided_by))
    else:
        answer = say(lang, N_("waiting for an answer"))
    return Mrkdwn(f"{asked}: {answer}")


def extension_decided(
    lang: Lang, request: ExtensionRequest, customer: Customer, until: datetime | None, timezone: str
) -> dict[str, Any]:
    if until is not None:
        text = say(
            lang,
            N_(
                ":white_check_mark: %(who)s gave you more days for %(name)s: it stays yours until at least %(when)s."
            ),
            who=mention(request.decided_by or ""),
            name=customer.name,
            when=moment(until, timezone, lang),
        )
    else:
        text = say(
            lang,
            N_("%(who)s declined more days for %(name)s. A visit logged before %(when)s keeps it yours."),
            who=mention(request.decided_by or ""),
            name=customer.name,
            when=moment(request.recycle_at, timezone, lang),
        )
    return b.message(text, [b.section(text)])


def decided_for_approver(
    lang: Lang, request: ExtensionRequest, customer: Customer, timezone: str
) -> dict[str, Any]:
    """The approver's message once decided: the buttons give way to the decision."""
    text = Mrkdwn(f"*{escape(customer.name)}* · {decision_line(lang, request, timezone)}")
    return b.message(text, [b.section(text)])


def extended(lang: Lang, customer: Customer, until: datetime, timezone: str) -> dict[str, Any]:
    text = say(
        lang,
        N_(":white_check_mark: %(name)s stays with its owner until at least %(when)s."),
        name=customer.name,
        when=moment(until, timezone, lang),
    )
    return b.message(text, [b.section(text)])


RECYCLED_SHOWN = 25  # names in a previous owner's message (within a section's 3,000 characters)


def recycled_from_you(lang: Lang, lost: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """A previous owner's one message about the customers a run took back to the pool: each with why."""
    title = say_n(
        lang,
        "%(count)s of your customers went back to the pool",
        "%(count)s of your customers went back to the pool",
        len(lost),
    )
    lines = [
        f"• *{escape(clip(name, 60))}* · {escape(labels.reason(reason, lang))}"
        for name, reason in lost[:RECYCLED_SHOWN]
    ]
    blocks: list[b.Block] = [b.section(f":ocean: *{title}*"), b.section("\n".join(lines))]
    if len(lost) > RECYCLED_SHOWN:
        blocks.append(b.context(say(lang, N_("…and %(count)s more."), count=len(lost) - RECYCLED_SHOWN)))
    blocks.append(b.context(say(lang, N_("Anyone may claim them now; /pool lists them."))))
    return b.message(title, blocks)
