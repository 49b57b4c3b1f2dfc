"""A customer's history as the card shows it: the moves of its ownership and the corrections of its
details, the latest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.i18n import N_, Lang
from bot.services.customers import CARD_HISTORY
from bot.views import labels
from bot.views.corrections import record_change_line
from bot.views.text import Mrkdwn, clip, day, escape, mention, moment, say
from store.models import (
    MOVE_ASSIGN,
    MOVE_CLAIM,
    MOVE_EXTEND,
    MOVE_LEVEL,
    MOVE_LOCK,
    MOVE_LOST,
    MOVE_RECYCLE,
    MOVE_RELEASE,
    MOVE_SNOOZE,
    MOVE_UNDO,
    MOVE_UNLOCK,
    MOVE_UNLOST,
    CustomerChange,
    OwnershipEvent,
)

NOTE_PREVIEW = 300
SHOWN_IN_HISTORY = 80  # characters of an old or new value in a history line
CONTACT_FIELDS = ("phone", "email")  # their values are shown only to those who see contact details

# Each field as a sentence names it ("Ada changed the phone from … to …").
FIELD_NAMES = {
    "name": N_("the name"),
    "contact_person": N_("the contact person"),
    "phone": N_("the phone"),
    "email": N_("the email"),
    "region": N_("the region"),
    "industry": N_("the industry"),
    "products": N_("the products of interest"),
    "tags": N_("the tags"),
    "source": N_("the source"),
}


def history_lines(
    lang: Lang,
    moves: Sequence[OwnershipEvent],
    changes: Sequence[CustomerChange],
    timezone: str,
    *,
    show_contact: bool,
) -> list[str]:
    """Moves and corrections, the latest first, as many as the card shows."""
    dated: list[tuple[datetime, str]] = [(move.at, move_line(lang, move, timezone)) for move in moves]
    dated += [(c.at, dated_change_line(lang, c, timezone, show_contact=show_contact)) for c in changes]
    dated.sort(key=lambda pair: pair[0], reverse=True)
    return [line for _at, line in dated[:CARD_HISTORY]]


MOVE_LINES = {
    MOVE_CLAIM: N_("%(actor)s claimed it from the pool"),
    MOVE_RELEASE: N_("%(actor)s released it to the pool"),
    MOVE_RECYCLE: N_("went back to the pool from %(previous)s"),
    MOVE_LOCK: N_("%(actor)s locked it"),
    MOVE_UNLOCK: N_("%(actor)s unlocked it"),
    MOVE_LOST: N_("%(actor)s marked it lost"),
    MOVE_UNLOST: N_("%(actor)s logged an order: no longer lost"),
}


def level_move_line(lang: Lang, move: OwnershipEvent, actor: str) -> Mrkdwn:
    """A level change: by the nightly tiers (no actor), set by hand, or cleared back to automatic."""
    before, _, after = move.reason.partition(">")
    old, new = labels.level(before, lang), labels.level(after, lang)
    if move.actor_id is None:
        return say(lang, N_("level %(old)s → %(new)s by revenue"), old=old, new=new)
    if move.note == "cleared":
        return say(lang, N_("%(actor)s set the level back to automatic"), actor=actor)
    return say(lang, N_("%(actor)s set the level %(old)s → %(new)s"), actor=actor, old=old, new=new)


def move_line(lang: Lang, move: OwnershipEvent, timezone: str) -> str:
    when = moment(move.at, timezone, lang)
    actor = mention(move.actor_id) if move.actor_id else "Tidewater"
    previous = mention(move.from_owner_id) if move.from_owner_id else "—"
    if move.kind == MOVE_UNDO:
        undone = (
            N_("%(actor)s undid the release")
            if move.reason == MOVE_RELEASE
            else N_("%(actor)s undid marking it lost")
        )
        return f"{escape(when)} · {say(lang, undone, actor=actor)}"
    if move.kind in (MOVE_EXTEND, MOVE_SNOOZE):
        message = (
            N_("%(actor)s gave %(days)s more days before the recycle (until %(day)s)")
            if move.kind == MOVE_EXTEND
            else N_("%(actor)s moved the follow-up to %(day)s")
        )
        text = say(lang, message, actor=actor, days=move.days or 0, day=day(move.to_day, lang))
    elif move.kind == MOVE_ASSIGN:
        message = (
            N_("%(actor)s assigned it to %(new)s")
            if move.from_owner_id is None
            else N_("%(actor)s moved it from %(previous)s to %(new)s")
        )
        text = say(lang, message, actor=actor, previous=previous, new=mention(move.to_owner_id or ""))
    elif move.kind == MOVE_LEVEL:
        return f"{escape(when)} · {level_move_line(lang, move, actor)}"
    else:
        text = say(lang, MOVE_LINES.get(move.kind, move.kind), actor=actor, previous=previous)
    reason = labels.reason(move.reason, lang)
    if reason:
        text = Mrkdwn(text + " · " + escape(reason))
    if move.note:
        text = Mrkdwn(text + " — “" + escape(clip(move.note, NOTE_PREVIEW)) + "”")
    return f"{escape(when)} · {text}"


def change_line(lang: Lang, change: CustomerChange, *, show_contact: bool) -> Mrkdwn:
    """One change as a sentence; a phone or email's values only for those who may see them."""
    actor, field = mention(change.actor_id), lang.gettext(FIELD_NAMES.get(change.field, change.field))
    old, new = clip(change.old_value, SHOWN_IN_HISTORY), clip(change.new_value, SHOWN_IN_HISTORY)
    if change.field in CONTACT_FIELDS and not show_contact:
        return say(lang, N_("%(actor)s changed %(field)s"), actor=actor, field=field)
    if not change.old_value:
        return say(lang, N_("%(actor)s set %(field)s to “%(new)s”"), actor=actor, field=field, new=new)
    if not change.new_value:
        return say(
            lang, N_("%(actor)s cleared %(field)s (it was “%(old)s”)"), actor=actor, field=field, old=old
        )
    message = N_("%(actor)s changed %(field)s from “%(old)s” to “%(new)s”")
    return say(lang, message, actor=actor, field=field, old=old, new=new)


# A merge, on each side (bot.services.merge: MERGED, MERGED_INTO).
MERGE_LINES = {
    "merged": N_("%(actor)s merged the duplicate “%(name)s” into it"),
    "merged_into": N_("%(actor)s merged it into “%(name)s”"),
}


CONTACT_LINES = {
    "contact_added": N_("%(actor)s added the contact “%(name)s”"),
    "contact_changed": N_("%(actor)s changed the contact “%(name)s”"),
    "contact_removed": N_("%(actor)s removed the contact “%(name)s”"),
    "contact_primary": N_("%(actor)s made “%(name)s” the primary contact"),
}


def contact_change_line(lang: Lang, change: CustomerChange) -> Mrkdwn:
    message = CONTACT_LINES.get(change.field, CONTACT_LINES["contact_changed"])
    return say(lang, message, actor=mention(change.actor_id), name=clip(change.new_value, SHOWN_IN_HISTORY))


def dated_change_line(lang: Lang, change: CustomerChange, timezone: str, *, show_contact: bool) -> str:
    when = moment(change.at, timezone, lang)
    if change.record.startswith("contact:"):
        return f"{escape(when)} · {contact_change_line(lang, change)}"
    if change.record:
        return f"{escape(when)} · {record_change_line(lang, change)}"
    if change.field in MERGE_LINES:
        name = change.old_value if change.field == "merged" else change.new_value
        return f"{escape(when)} · {say(lang, MERGE_LINES[change.field], actor=mention(change.actor_id), name=name)}"
    return f"{escape(when)} · {change_line(lang, change, show_contact=show_contact)}"
