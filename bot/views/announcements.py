"""The pool-channel announcement: customers back in the pool, each row showing its state now."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.i18n import N_, Lang
from bot.views import blocks as b
from bot.views import labels
from bot.views.ids import Action
from bot.views.text import Mrkdwn, clip, day, escape, mention, say
from store.models import MOVE_RECYCLE, AnnouncementRow, Customer

NOTE_PREVIEW = 200


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


def announcement_row(lang: Lang, row: AnnouncementRow, customer: Customer) -> b.Block:
    text = facts_of(lang, customer) + " · " + _why(lang, row)
    if customer.owner_id is not None:
        claimed = say(lang, N_("claimed by %(owner)s"), owner=mention(customer.owner_id))
        return b.section(f"~{facts_of(lang, customer).splitlines()[0]}~\n:white_check_mark: {claimed}")
    claim = b.button(lang.gettext("Claim"), Action.POOL_CLAIM, str(customer.id), style="primary")
    return b.section(text, accessory=claim)


def announcement(lang: Lang, rows: Sequence[tuple[AnnouncementRow, Customer]]) -> dict[str, Any]:
    _ = lang.gettext
    intro = say(
        lang, N_("Back in the pool: %(count)s. The first to claim a customer owns it."), count=len(rows)
    )
    blocks = [b.section(f":ocean: {intro}")]
    blocks += [announcement_row(lang, row, customer) for row, customer in rows]
    blocks.append(
        b.context(escape(_("Contact details show once you own the customer. /pool lists the whole pool.")))
    )
    return b.message(intro, blocks)
