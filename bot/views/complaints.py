"""Complaints: the filing form, the card (re-rendered from the database at every step), the thread's
steps, the step forms, `/complaint list`, and the SLA nudge and breach messages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.i18n import N_, Lang
from bot.rules import complaints as rules
from bot.services.complaints import ComplaintList
from bot.services.people import Actor
from bot.services.sla import TimeLeft
from bot.views import blocks as b
from bot.views.blocks import customer_picker
from bot.views.ids import Action, Callback, Field
from bot.views.text import Mrkdwn, clip, escape, mention, moment, say
from store.models import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_CHANNELS,
    COMPLAINT_SEVERITIES,
    Complaint,
    ComplaintEvent,
    Customer,
)

CATEGORIES = {
    "quality": N_("Quality"),
    "delivery": N_("Delivery"),
    "service": N_("Service"),
    "billing": N_("Billing"),
    "other": N_("Other"),
}
SEVERITIES = {"urgent": N_("Urgent"), "high": N_("High"), "medium": N_("Medium"), "low": N_("Low")}
SEVERITY_ICONS = {
    "urgent": ":red_circle:",
    "high": ":large_orange_circle:",
    "medium": ":large_yellow_circle:",
    "low": ":white_circle:",
}
STATUSES = rules.STATUS_WORDS
CONTACT_CHANNELS = {
    "phone": N_("Phone"),
    "email": N_("Email"),
    "message": N_("Message (WeChat, SMS…)"),
    "in_person": N_("In person"),
    "other": N_("Other"),
}
SECTION_LIMIT = 3000
SATISFACTION_TEXT = N_("Satisfaction on the follow-up call: %(score)s of 5")
FILED_IN_CHANNEL = N_("Complaint #%(number)s about %(customer)s is filed and posted in %(channel)s.")
FILED_TO_PERSON = N_("Complaint #%(number)s about %(customer)s is filed; its card went to %(who)s.")
CLOSE_TEXT = N_("Call the customer back and record how satisfied they are. The call is logged as a visit.")
NUDGE_TEXT = N_(
    ":stopwatch: Half the time is gone for complaint #%(number)s (%(customer)s): %(step)s by %(due)s."
)
BREACH_TEXT = N_(
    ":rotating_light: Complaint #%(number)s (%(customer)s), assigned to %(who)s, missed its time to %(step)s."
)


def _label(table: dict[str, str], value: str, lang: Lang) -> str:
    return lang.gettext(table.get(value, value))


def status_label(value: str, lang: Lang) -> str:
    return _label(STATUSES, value, lang)


def _assignee(lang: Lang, user_id: str | None) -> str:
    """Someone to mention, or the admins for no one."""
    return mention(user_id) if user_id else escape(lang.gettext(N_("the admins (not assigned)")))


def complaint_modal(
    lang: Lang, metadata: dict[str, Any], *, customer: Customer | None = None, description: str = ""
) -> dict[str, Any]:
    _ = lang.gettext
    return b.modal(
        title=_("File a complaint"),
        blocks=_filing_blocks(lang, customer, description),
        callback_id=Callback.COMPLAINT_FILE,
        submit=_("File"),
        close=_("Cancel"),
        private_metadata=json.dumps(metadata, ensure_ascii=False),
    )


def _choices(lang: Lang, table: dict[str, str], values: Sequence[str]) -> list[dict[str, Any]]:
    return [b.option(_label(table, value, lang), value) for value in values]


def _filing_blocks(lang: Lang, customer: Customer | None, description: str) -> list[b.Block]:
    _ = lang.gettext
    severities = b.static_select(
        Field.SEVERITY.value, _choices(lang, SEVERITIES, COMPLAINT_SEVERITIES), initial="medium"
    )
    what = b.text_input(
        Field.DESCRIPTION.value,
        initial=clip(description, rules.DESCRIPTION_LIMIT),
        multiline=True,
        max_length=rules.DESCRIPTION_LIMIT,
    )
    channels = b.static_select(
        Field.CONTACT_CHANNEL.value, _choices(lang, CONTACT_CHANNELS, COMPLAINT_CHANNELS)
    )
    categories = b.static_select(Field.CATEGORY.value, _choices(lang, CATEGORIES, COMPLAINT_CATEGORIES))
    return [
        b.input_block(Field.CUSTOMER.value, _("Customer"), customer_picker(lang, customer)),
        b.input_block(Field.CATEGORY.value, _("Category"), categories),
        b.input_block(
            Field.SEVERITY.value,
            _("Severity"),
            severities,
            hint=_("Sets the time to respond and to resolve (see /crm settings)."),
        ),
        b.input_block(Field.DESCRIPTION.value, _("What happened"), what),
        b.input_block(
            Field.CONTACT_CHANNEL.value, _("How the customer got in touch"), channels, optional=True
        ),
    ]


def _duration(lang: Lang, hours: float) -> str:
    minutes = round(abs(hours) * 60)
    days, rest = divmod(minutes, 24 * 60)
    if days:
        return say(lang, N_("%(days)s d %(hours)s h"), days=days, hours=rest // 60)
    return say(lang, N_("%(hours)s h %(minutes)s min"), hours=rest // 60, minutes=rest % 60)


def sla_line(lang: Lang, complaint: Complaint, clock: TimeLeft | None, timezone: str) -> Mrkdwn:
    if clock is None:
        if complaint.respond_breached_at or complaint.resolve_breached_at:
            return say(lang, N_(":rotating_light: SLA breached"))
        return say(lang, N_("SLA: met"))
    due = moment(clock.due, timezone, lang)
    marked = complaint.respond_breached_at if clock.step == "respond" else complaint.resolve_breached_at
    if clock.hours_left < 0 or marked is not None:
        text = N_(":rotating_light: *Breached*: %(step)s by %(due)s, %(late)s late")
        return say(lang, text, step=_step(lang, clock.step), due=due, late=_duration(lang, clock.hours_left))
    text = N_(":stopwatch: %(step)s by %(due)s: %(left)s left")
    return say(lang, text, step=_step(lang, clock.step), due=due, left=_duration(lang, clock.hours_left))


def _step(lang: Lang, step: str) -> str:
    return lang.gettext(N_("Respond") if step == "respond" else N_("Resolve"))


def _fact(label: str, value: str) -> str:
    """A card field: the label in bold over its (already safe) value."""
    return f"*{escape(label)}*\n{value}"


def card(
    lang: Lang, complaint: Complaint, customer_name: str, clock: TimeLeft | None, timezone: str
) -> dict[str, Any]:
    """The complaint's card: what, how bad, who has it, where it stands, the SLA, and the buttons."""
    _ = lang.gettext
    number = complaint.id or 0
    title = say(lang, N_("Complaint #%(number)s · %(customer)s"), number=number, customer=customer_name)
    assignee = _assignee(lang, complaint.assignee_id)
    icon = SEVERITY_ICONS.get(complaint.severity, "")
    facts = b.fields(
        _fact(_("Customer"), escape(customer_name)),
        _fact(_("Category"), escape(_label(CATEGORIES, complaint.category, lang))),
        _fact(_("Severity"), f"{icon} {escape(_label(SEVERITIES, complaint.severity, lang))}"),
        _fact(_("Assignee"), assignee),
        _fact(_("Status"), escape(_label(STATUSES, complaint.status, lang))),
        _fact(_("SLA"), sla_line(lang, complaint, clock, timezone)),
    )
    blocks = [
        b.section(f"*{title}*"),
        facts,
        b.section(escape(clip(complaint.description, rules.CARD_DESCRIPTION_LIMIT))),
    ]
    if complaint.resolution:
        blocks.append(b.context(say(lang, N_("Resolution: %(text)s"), text=clip(complaint.resolution, 500))))
    if complaint.satisfaction is not None:
        blocks.append(b.context(say(lang, SATISFACTION_TEXT, score=complaint.satisfaction)))
    blocks.append(b.actions(*_buttons(lang, complaint), block_id=f"complaint.{number}"))
    return b.message(title, blocks)


def _buttons(lang: Lang, complaint: Complaint) -> list[dict[str, Any]]:
    _ = lang.gettext
    value = str(complaint.id)
    buttons = []
    if complaint.status in rules.ACKNOWLEDGE_FROM:
        buttons.append(b.button(_("Acknowledge"), Action.COMPLAINT_ACK, value, style="primary"))
    buttons.append(b.button(_("Add note"), Action.COMPLAINT_NOTE, value))
    if complaint.status in rules.RESOLVE_FROM:
        buttons.append(b.button(_("Resolve"), Action.COMPLAINT_RESOLVE, value))
    if complaint.status in rules.CLOSE_FROM:
        buttons.append(b.button(_("Close"), Action.COMPLAINT_CLOSE, value, style="primary"))
    if complaint.status in rules.REOPEN_FROM:
        buttons.append(b.button(_("Reopen"), Action.COMPLAINT_REOPEN, value))
    if complaint.status != rules.CLOSED:
        buttons.append(b.button(_("Reassign"), Action.COMPLAINT_REASSIGN, value))
    return buttons


def description_chunks(text: str) -> list[str]:
    """The whole description as section texts within Slack's limit (escaping may lengthen it)."""
    chunks, current = [], ""
    for char in text:
        piece = escape(char)
        if len(current) + len(piece) > SECTION_LIMIT:
            chunks.append(current)
            current = ""
        current += piece
    return [*chunks, current] if current else chunks


def filed_in_thread(lang: Lang, complaint: Complaint) -> dict[str, Any]:
    """The thread's first reply: who filed it and the description, whole."""
    head = say(lang, N_(":memo: Filed by %(who)s. The whole description:"), who=mention(complaint.filed_by))
    blocks = [b.context(head), *(b.section(chunk) for chunk in description_chunks(complaint.description))]
    return b.message(head, blocks)


STEP_TEXTS = {
    "acknowledged": N_(":eyes: %(who)s acknowledged it."),
    "note": N_(":memo: %(who)s: %(text)s"),
    "resolved": N_(":white_check_mark: %(who)s resolved it: %(text)s"),
    "reopened": N_(":leftwards_arrow_with_hook: %(who)s reopened it: %(text)s"),
    "closed": N_(":lock: %(who)s closed it after the follow-up call: satisfaction %(score)s of 5. %(text)s"),
    "reassigned": N_(":arrows_counterclockwise: %(who)s gave it to %(to)s."),
    "taken_over": N_(":raising_hand: %(who)s took it over."),
}


SLA_TEXTS = {
    "nudged": N_(":stopwatch: Half the time to %(step)s is gone; %(to)s was reminded."),
    "breached": N_(":rotating_light: The time to %(step)s has passed; %(to)s was told."),
}


def step_in_thread(lang: Lang, event: ComplaintEvent, complaint: Complaint) -> dict[str, Any]:
    if event.kind in SLA_TEXTS:
        told = _assignee(lang, event.to_user_id)
        text = say(lang, SLA_TEXTS[event.kind], step=_step(lang, event.text).lower(), to=told)
        return b.message(text, [b.section(text)])
    text = say(
        lang,
        STEP_TEXTS.get(event.kind, N_("%(who)s: %(text)s")),
        who=mention(event.actor_id) if event.actor_id else "Tidewater",
        text=event.text,
        to=mention(event.to_user_id) if event.to_user_id else "",
        score=complaint.satisfaction or "",
    )
    return b.message(text, [b.section(clip(text, SECTION_LIMIT))])


def _form(
    lang: Lang, callback: Callback, title: str, submit: str, complaint_id: int, blocks: list[b.Block]
) -> dict[str, Any]:
    """A step's form: the complaint's number rides in the private metadata."""
    return b.modal(
        title=title,
        blocks=blocks,
        callback_id=callback,
        submit=submit,
        close=lang.gettext("Cancel"),
        private_metadata=json.dumps({"complaint": complaint_id}),
    )


def _text_form(
    lang: Lang, callback: Callback, title: str, label: str, submit: str, complaint_id: int, field: Field
) -> dict[str, Any]:
    text = b.text_input(field.value, multiline=True, max_length=rules.NOTE_LIMIT)
    return _form(lang, callback, title, submit, complaint_id, [b.input_block(field.value, label, text)])


def note_modal(lang: Lang, complaint_id: int) -> dict[str, Any]:
    _ = lang.gettext
    return _text_form(
        lang, Callback.COMPLAINT_NOTE, _("Add a note"), _("Note"), _("Add"), complaint_id, Field.TEXT
    )


def resolve_modal(lang: Lang, complaint_id: int) -> dict[str, Any]:
    _ = lang.gettext
    title, label = _("Resolve"), _("How was it resolved?")
    return _text_form(lang, Callback.COMPLAINT_RESOLVE, title, label, title, complaint_id, Field.RESOLUTION)


def reopen_modal(lang: Lang, complaint_id: int) -> dict[str, Any]:
    _ = lang.gettext
    title, label = _("Reopen"), _("Why reopen it?")
    return _text_form(lang, Callback.COMPLAINT_REOPEN, title, label, title, complaint_id, Field.TEXT)


def close_modal(lang: Lang, complaint_id: int) -> dict[str, Any]:
    _ = lang.gettext
    scores = b.static_select(Field.SATISFACTION.value, [b.option(str(n), str(n)) for n in range(1, 6)])
    comment = b.text_input(Field.COMMENT.value, multiline=True, max_length=rules.NOTE_LIMIT)
    blocks = [
        b.section(escape(_(CLOSE_TEXT))),
        b.input_block(Field.SATISFACTION.value, _("Customer satisfaction (1–5)"), scores),
        b.input_block(Field.COMMENT.value, _("Comment"), comment, optional=True),
    ]
    return _form(lang, Callback.COMPLAINT_CLOSE, _("Close the complaint"), _("Close"), complaint_id, blocks)


def reassign_modal(lang: Lang, complaint_id: int, people: Sequence[Actor]) -> dict[str, Any]:
    _ = lang.gettext
    options = [b.option(clip(person.name or person.user_id, 75), person.user_id) for person in people[:100]]
    to = b.input_block(Field.ASSIGNEE.value, _("Give it to"), b.static_select(Field.ASSIGNEE.value, options))
    return _form(lang, Callback.COMPLAINT_REASSIGN, _("Reassign"), _("Reassign"), complaint_id, [to])


LIST_TITLES = {
    "mine": N_("Complaints assigned to you: %(count)s"),
    "team": N_("Complaints of your team: %(count)s"),
    "all": N_("All complaints: %(count)s"),
}
LIST_SCOPES = {
    True: N_("All, closed included."),
    False: N_("Open ones. `/complaint list all` shows closed ones too."),
}


def listing(lang: Lang, found: ComplaintList, *, include_closed: bool) -> dict[str, Any]:
    title = say(lang, LIST_TITLES[found.scope], count=found.total)
    blocks = [b.section(f"*{title}*"), b.context(say(lang, LIST_SCOPES[include_closed]))]
    blocks += [b.section(_listed(lang, row.complaint, row.customer_name)) for row in found.rows]
    if found.total > len(found.rows):
        more = say(lang, N_("…and %(count)s older ones."), count=found.total - len(found.rows))
        blocks.append(b.context(more))
    return b.message(title, blocks)


def _listed(lang: Lang, complaint: Complaint, customer_name: str) -> str:
    return (
        f"{SEVERITY_ICONS.get(complaint.severity, '')} *#{complaint.id} {escape(customer_name)}* · "
        f"{escape(_label(STATUSES, complaint.status, lang))} · {_assignee(lang, complaint.assignee_id)}\n"
        f"{escape(clip(complaint.description, 150))}"
    )


def filed(lang: Lang, complaint: Complaint, customer_name: str, where: str | None) -> dict[str, Any]:
    """The filer's confirmation."""
    facts: dict[str, object] = {"number": complaint.id, "customer": customer_name}
    if where:  # a channel link: say() would escape it as text
        text = say(lang, FILED_IN_CHANNEL, channel=Mrkdwn(f"<#{where}>"), **facts)
    else:
        text = say(lang, FILED_TO_PERSON, who=_assignee(lang, complaint.assignee_id), **facts)
    return b.message(text, [b.section(text)])


def nudge(
    lang: Lang, complaint: Complaint, customer_name: str, clock: TimeLeft, timezone: str
) -> dict[str, Any]:
    """To the assignee at half the SLA time."""
    due = moment(clock.due, timezone, lang)
    text = say(
        lang, NUDGE_TEXT, number=complaint.id, customer=customer_name, step=_step(lang, clock.step), due=due
    )
    card_blocks = card(lang, complaint, customer_name, clock, timezone)["blocks"][1:]
    return b.message(text, [b.section(text), *card_blocks])


def breach(lang: Lang, complaint: Complaint, customer_name: str, step: str) -> dict[str, Any]:
    """To the assignee's manager (or the admins) at a breach, with Reassign and Take over."""
    _ = lang.gettext
    who = mention(complaint.assignee_id) if complaint.assignee_id else escape(_("no one"))
    step_name = _step(lang, step).lower()
    text = say(lang, BREACH_TEXT, number=complaint.id, customer=customer_name, who=who, step=step_name)
    value = str(complaint.id)
    buttons = b.actions(
        b.button(_("Reassign"), Action.COMPLAINT_REASSIGN, value),
        b.button(_("Take over"), Action.COMPLAINT_TAKE_OVER, value, style="primary"),
        block_id=f"complaint.breach.{complaint.id}",
    )
    return b.message(text, [b.section(text), b.section(escape(clip(complaint.description, 300))), buttons])


def complaints_on_card(lang: Lang, complaints: Sequence[Complaint]) -> str:
    """The customer card's lines: the latest complaints with their status."""
    lines = [
        f"{SEVERITY_ICONS.get(c.severity, '')} #{c.id} {escape(_label(CATEGORIES, c.category, lang))} · "
        f"{escape(_label(STATUSES, c.status, lang))} · {escape(clip(c.description, 80))}"
        for c in complaints
    ]
    return "*" + escape(lang.gettext("Complaints")) + "*\n" + "\n".join(lines)
