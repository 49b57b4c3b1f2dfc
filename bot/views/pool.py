"""The pool's messages: `/pool` pages, claim and release answers, the release form, the pool-channel
announcements (customers back in the pool, each row showing its state now) and the new owner's DM."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.i18n import N_, Lang
from bot.services.pool import RELEASE_REASONS, Claimed, Released
from bot.services.pool_assign import Assigned
from bot.services.pool_list import Cursor, PoolPage, PoolQuery
from bot.services.recycle_locks import LockChanged
from bot.views import blocks as b
from bot.views import errors as error_views
from bot.views import labels
from bot.views.ids import Action, Callback, Field
from bot.views.text import Mrkdwn, clip, day, escape, mention, say
from store.models import MOVE_ASSIGN, MOVE_CLAIM, MOVE_RECYCLE, MOVE_UNDO, AnnouncementRow, Customer

NOTE_PREVIEW = 200


@dataclass(frozen=True)
class Announced:
    """How a release's announcement went: the pool channel (None: none is set), the messages it took,
    and Slack's error code when the channel refused the post."""

    channel: str | None
    messages: int
    problem: str | None = None


# -- announcements -------------------------------------------------------------------------------
def facts_of(lang: Lang, customer: Customer) -> Mrkdwn:
    """Name, level, region, industry and last visit: what anyone may see of a pool customer."""
    parts = [f"*{escape(customer.name)}*", escape(labels.level(customer.level, lang))]
    parts += [escape(value) for value in (customer.region, customer.industry) if value]
    last_visit = say(lang, N_("last visit %(day)s"), day=day(customer.last_visit_on, lang))
    return Mrkdwn(" · ".join(parts) + "\n" + last_visit)


def _why(lang: Lang, row: AnnouncementRow) -> Mrkdwn:
    previous = mention(row.previous_owner_id) if row.previous_owner_id else "—"
    reason = labels.reason(row.reason, lang)
    if row.move == MOVE_RECYCLE:
        why = say(lang, N_("recycled from %(owner)s: %(reason)s"), owner=previous, reason=reason)
    elif reason:
        why = say(lang, N_("released by %(owner)s: %(reason)s"), owner=previous, reason=reason)
    else:
        why = say(lang, N_("released by %(owner)s"), owner=previous)
    if row.note:
        why = Mrkdwn(why + " — “" + escape(clip(row.note, NOTE_PREVIEW)) + "”")
    return why


# How a customer of an announcement found its owner, by the move that gave it (a claim by default).
TAKEN_BY = {
    MOVE_CLAIM: N_("claimed by %(owner)s"),
    MOVE_ASSIGN: N_("assigned to %(owner)s"),
    MOVE_UNDO: N_("taken back by %(owner)s"),
}


def announcement_row(
    lang: Lang, row: AnnouncementRow, customer: Customer, taken_by: str = MOVE_CLAIM
) -> b.Block:
    text = facts_of(lang, customer) + " · " + _why(lang, row)
    if customer.owner_id is not None:
        taken = say(lang, TAKEN_BY.get(taken_by, TAKEN_BY[MOVE_CLAIM]), owner=mention(customer.owner_id))
        return b.section(f"~{facts_of(lang, customer).splitlines()[0]}~\n:white_check_mark: {taken}")
    claim = b.button(lang.gettext("Claim"), Action.POOL_CLAIM, str(customer.id), style="primary")
    return b.section(text, accessory=claim)


def announcement(
    lang: Lang, rows: Sequence[tuple[AnnouncementRow, Customer]], taken_by: Mapping[int, str] | None = None
) -> dict[str, Any]:
    """The announcement as it stands: each customer still in the pool with Claim, the others struck
    through with who has them now and how (`taken_by`: the move that gave each its owner)."""
    _ = lang.gettext
    intro = say(
        lang, N_("Back in the pool: %(count)s. The first to claim a customer owns it."), count=len(rows)
    )
    blocks = [b.section(f":ocean: {intro}")]
    how = taken_by or {}
    blocks += [announcement_row(lang, row, c, how.get(c.id or 0, MOVE_CLAIM)) for row, c in rows]
    blocks.append(
        b.context(escape(_("Contact details show once you own the customer. /pool lists the whole pool.")))
    )
    return b.message(intro, blocks)


# -- /pool pages -------------------------------------------------------------------------------------
def _page_state(
    query: PoolQuery, *, after: Cursor | None = None, before: Cursor | None = None
) -> dict[str, Any]:
    state: dict[str, Any] = {"q": query.to_dict()}
    if after:
        state["a"] = [after.since, after.customer_id]
    if before:
        state["b"] = [before.since, before.customer_id]
    return state


def encode(state: dict[str, Any]) -> str:
    return json.dumps(state, ensure_ascii=False, separators=(",", ":"))


def pool_page(lang: Lang, page: PoolPage, *, state: dict[str, Any]) -> dict[str, Any]:
    _ = lang.gettext
    filters = _filters_text(lang, page.query)
    if not page.rows:
        empty = (
            _("No customer in the pool matches %(filters)s.") % {"filters": filters}
            if page.query.is_filtered
            else _("The pool is empty.")
        )
        return b.message(empty, [b.section(escape(empty)), _controls(lang, page)])
    title = _("The pool") + (f" · {filters}" if filters else "")
    blocks: list[b.Block] = [b.section(f"*{escape(title)}*")]
    if page.refused_everyone is not None:
        blocks.append(b.context(error_views.mrkdwn(page.refused_everyone, lang)))
    for customer in page.rows:
        blocks += _pool_row(lang, page, customer, state)
    blocks.append(_controls(lang, page))
    return b.message(title, blocks)


def _pool_row(lang: Lang, page: PoolPage, customer: Customer, state: dict[str, Any]) -> list[b.Block]:
    """A pool customer with Claim, or without it and why, when this person may not claim it now."""
    day_in = day(customer.pool_since.date() if customer.pool_since else None, lang)
    text = facts_of(lang, customer) + " · " + say(lang, N_("in the pool since %(day)s"), day=day_in)
    own = page.refused_rows.get(customer.id or 0)
    if own is not None:  # the page's own refusal, if any, is said once above the rows
        return [b.section(text), b.context(error_views.mrkdwn(own, lang))]
    if page.refused_everyone is not None:
        return [b.section(text)]
    claim = b.button(
        lang.gettext("Claim"), Action.POOL_CLAIM, encode({**state, "c": customer.id}), style="primary"
    )
    return [b.section(text, accessory=claim)]


def _filters_text(lang: Lang, query: PoolQuery) -> str:
    """The filters as they were read, each named: level A · region “East China” · name “acme”."""
    _ = lang.gettext
    parts = []
    if query.level:
        parts.append(_("level %(level)s") % {"level": labels.level(query.level, lang)})
    if query.region:
        parts.append(_("region “%(value)s”") % {"value": query.region})
    if query.industry:
        parts.append(_("industry “%(value)s”") % {"value": query.industry})
    if query.text:
        parts.append(_("name “%(value)s”") % {"value": query.text})
    return " · ".join(parts)


def _controls(lang: Lang, page: PoolPage) -> b.Block:
    _ = lang.gettext
    buttons = []
    if page.previous_before:
        buttons.append(
            b.button(
                _("‹ Newer"), Action.POOL_PAGE, encode(_page_state(page.query, before=page.previous_before))
            )
        )
    if page.next_after:
        buttons.append(
            b.button(_("Older ›"), Action.POOL_PAGE, encode(_page_state(page.query, after=page.next_after)))
        )
    buttons.append(b.button(_("Filter…"), Action.POOL_FILTER, encode(_page_state(page.query))))
    return b.actions(*buttons)


def filter_modal(lang: Lang, query: PoolQuery, metadata: dict[str, Any]) -> dict[str, Any]:
    _ = lang.gettext
    levels = [b.option(labels.level(level, lang), level) for level in ("A", "B", "C")]
    blocks = [
        b.input_block(
            Field.LEVEL.value,
            _("Level"),
            b.static_select(
                Field.LEVEL.value, levels, initial=query.level or None, placeholder=_("Any level")
            ),
            optional=True,
        ),
        b.input_block(
            Field.REGION.value,
            _("Region"),
            b.text_input(Field.REGION.value, initial=query.region, max_length=60),
            optional=True,
        ),
        b.input_block(
            Field.INDUSTRY.value,
            _("Industry"),
            b.text_input(Field.INDUSTRY.value, initial=query.industry, max_length=60),
            optional=True,
        ),
        b.input_block(
            Field.TEXT.value,
            _("Name contains"),
            b.text_input(Field.TEXT.value, initial=query.text, max_length=60),
            optional=True,
        ),
    ]
    return b.modal(
        title=_("Filter the pool"),
        blocks=blocks,
        callback_id=Callback.POOL_FILTER,
        submit=_("Show"),
        close=_("Cancel"),
        private_metadata=json.dumps(metadata, ensure_ascii=False),
    )


# -- answers -----------------------------------------------------------------------------------------
def claimed(lang: Lang, done: Claimed) -> dict[str, Any]:
    _ = lang.gettext
    text = say(
        lang, N_(":tada: *%(name)s* is yours now. Its contact details are on its card."), name=done.name
    )
    figures = say(
        lang,
        N_("Claims left today: %(left)s · customers held: %(held)s of %(cap)s"),
        left=done.claims_left_today,
        held=done.holding,
        cap=done.holding_cap,
    )
    value = str(done.customer_id)
    buttons = b.actions(
        b.button(_("View card"), Action.CUSTOMER_VIEW, value),
        b.button(_("Log visit"), Action.VISIT_OPEN, value, style="primary"),
    )
    return b.message(text, [b.section(text), b.context(figures), buttons])


def release_modal(
    lang: Lang, customer: Customer, metadata: dict[str, Any], *, open_opportunities: int = 0
) -> dict[str, Any]:
    _ = lang.gettext
    reasons = [b.option(labels.reason(value, lang), value) for value in RELEASE_REASONS]
    intro = say(lang, N_("*%(name)s* goes back to the pool, where anyone may claim it."), name=customer.name)
    blocks = [
        b.section(intro),
        b.input_block(
            Field.REASON.value,
            _("Why?"),
            b.static_select(Field.REASON.value, reasons, placeholder=_("Choose a reason")),
        ),
        b.input_block(
            Field.NOTE.value,
            _("Details for the next owner"),
            b.text_input(Field.NOTE.value, multiline=True, max_length=500),
            optional=True,
            hint=_("Required when the reason is Other."),
        ),
        *_opportunities_choice(lang, open_opportunities),
    ]
    return b.modal(
        title=_("Release to the pool"),
        blocks=blocks,
        callback_id=Callback.RELEASE,
        submit=_("Release"),
        close=_("Cancel"),
        private_metadata=json.dumps({**metadata, "customer": customer.id}, ensure_ascii=False),
    )


def _opportunities_choice(lang: Lang, count: int) -> list[b.Block]:
    """What becomes of the customer's open opportunities: asked only when it has some."""
    if not count:
        return []
    _ = lang.gettext
    label = lang.ngettext("Its open opportunity", "Its %(count)s open opportunities", count) % {
        "count": count
    }
    choices = [
        b.option(_("Mark them lost (released with the customer)"), "lose"),
        b.option(_("Keep them open: their owners go on working them"), "keep"),
    ]
    select = b.static_select(Field.OPPORTUNITIES.value, choices, initial="lose")
    return [b.input_block(Field.OPPORTUNITIES.value, label, select)]


NO_CHANNEL = N_(
    "No pool channel is set, so this was not announced. An admin can choose one with /crm settings."
)
CHANNEL_REFUSED = N_(
    "The pool channel refused the announcement (%(error)s). If it is private, invite Tidewater there "
    "with /invite; an admin can change the channel with /crm settings."
)


def announced_note(lang: Lang, announced: Announced) -> Mrkdwn:
    if announced.channel is None:
        return say(lang, NO_CHANNEL)
    if announced.problem:
        return say(lang, CHANNEL_REFUSED, error=announced.problem)
    return say(lang, N_("Announced in %(channel)s."), channel=Mrkdwn(f"<#{announced.channel}>"))


def released(lang: Lang, done: Released, announced: Announced) -> dict[str, Any]:
    """The release's confirmation, with Undo for the minutes it may be undone."""
    text = say(lang, N_("*%(name)s* is back in the pool."), name=done.name)
    undo = b.button(lang.gettext("Undo"), Action.CUSTOMER_UNDO, str(done.customer_id))
    hint = lang.gettext("You can undo it for 10 minutes, unless someone claims it first.")
    return b.message(
        text,
        [b.section(text, accessory=undo), b.context(announced_note(lang, announced) + " " + escape(hint))],
    )


def assigned(lang: Lang, done: Assigned) -> dict[str, Any]:
    text = say(lang, N_("*%(name)s* now belongs to %(rep)s."), name=done.name, rep=mention(done.new_owner_id))
    value = str(done.customer_id)
    return b.message(
        text, [b.section(text, accessory=b.button(lang.gettext("View card"), Action.CUSTOMER_VIEW, value))]
    )


def lock_changed(lang: Lang, done: LockChanged) -> dict[str, Any]:
    if done.locked:
        text = say(
            lang,
            N_(
                ":lock: *%(name)s* is locked: it will not be recycled. %(owner)s has %(used)s of %(cap)s locks in use."
            ),
            name=done.name,
            owner=mention(done.owner_id),
            used=done.locks_used,
            cap=done.lock_cap,
        )
    else:
        text = say(
            lang, N_(":unlock: *%(name)s* is unlocked: the recycle rules apply to it again."), name=done.name
        )
    return b.message(text, [b.section(text)])


def taken_from_you(lang: Lang, manager_id: str, rep_id: str, name: str) -> dict[str, Any]:
    """The direct message a rep gets when a manager moves one of their customers to someone else."""
    text = say(
        lang,
        N_("%(manager)s moved *%(name)s* from you to %(rep)s."),
        manager=mention(manager_id),
        name=name,
        rep=mention(rep_id),
    )
    return b.message(text, [b.section(text)])


def claimed_after_you(lang: Lang, rep_id: str, customer_id: int, name: str) -> dict[str, Any]:
    """The DM of the one a customer was recycled from, once someone claims it from the pool."""
    text = say(
        lang, N_("%(rep)s claimed *%(name)s* from the pool, where it had gone back from you."),
        rep=mention(rep_id), name=name,
    )  # fmt: skip
    button = b.actions(b.button(lang.gettext("View card"), Action.CUSTOMER_VIEW, str(customer_id)))
    return b.message(text, [b.section(text), button])


def assigned_to_you(lang: Lang, manager_id: str, customer_id: int, name: str) -> dict[str, Any]:
    """The direct message a rep gets when a manager gives them a customer (queued with the assignment)."""
    text = say(lang, N_("%(manager)s assigned *%(name)s* to you."), manager=mention(manager_id), name=name)
    value = str(customer_id)
    buttons = b.actions(
        b.button(lang.gettext("View card"), Action.CUSTOMER_VIEW, value),
        b.button(lang.gettext("Log visit"), Action.VISIT_OPEN, value, style="primary"),
    )
    return b.message(text, [b.section(text), buttons])
