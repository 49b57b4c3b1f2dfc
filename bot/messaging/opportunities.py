"""What opportunities say in Slack: the morning's reminders and the deals channel's posts.

The morning's opportunity reminders: each working morning, at the workspace's reminder time in each
owner's own zone, one DM listing their open opportunities past the expected close date or idle longer
in their stage than it allows (not snoozed), each with *Open*, *Log visit* and *Snooze*.

The deals channel (a setting): a new opportunity from the setting's amount is announced, a won one
celebrated with its amount in the workspace currency; each post is drawn again, through the outbox, when
its opportunity changes. Queued in the transaction of the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from bot import events, notify
from bot.env import Env
from bot.i18n import lang
from bot.messaging.mornings import queue_lists
from bot.services import opportunities, opportunities_reminders
from bot.services import settings as settings_service
from bot.services.opportunities import OpportunityChanged
from bot.services.people import workspace_currency, workspace_locale
from bot.views import opportunities as views
from store import outbox as outbox_store
from store.models import CHANGE_CREATED, CHANGE_WON, Opportunity
from store.sql import Bind

KIND = "opportunity_reminders"  # the outbox kind, kept: queued rows and their dedupe keys carry it


def remind(env: Env, workspace_id: str) -> tuple[int, int]:
    """Queue this morning's reminder for each owner due one; returns (owners, opportunities in them)."""

    def find(owners: list[str], today: date) -> dict[str, list[Any]]:
        found = opportunities_reminders.needing_attention(
            env, workspace_id, owners, today, per_owner=views.REMINDER_ROWS
        )
        return dict(found)

    return queue_lists(env, workspace_id, KIND, find, views.reminder)


# -- the deals channel -----------------------------------------------------------------------------------
UPDATE = "opportunity_alert_update"
NEW, WON = "new", "won"  # the posts about one opportunity: announced when opened big, celebrated when won


def _alert_key(opportunity: Opportunity, channel: str, post: str) -> str:
    return notify.dedupe_key(notify.OPPORTUNITY_ALERT, channel, str(opportunity.id), post)


@events.on(OpportunityChanged)
def tell_deals_channel(env: Env, bind: Bind, changed: OpportunityChanged) -> Sequence[str]:
    """A big new opportunity announced, a won one celebrated; a post already made drawn again."""
    deal = changed.opportunity
    settings = settings_service.load(env, deal.workspace_id)
    channel = settings.deals_channel
    if not channel:
        return []
    assert isinstance(bind, Session)
    keys = {post: _alert_key(deal, channel, post) for post in (NEW, WON)}
    made = outbox_store.sent_keys(session=bind, workspace_id=deal.workspace_id, keys=list(keys.values()))
    queued = []
    for post, key in keys.items():
        message = _post(env, bind, changed, post)
        if key in made:
            queued.append(_redraw(env, bind, deal, channel, key, message, post))
        elif _due(changed, post, settings.deal_alert_amount):
            queued.append(_queue(env, bind, deal, channel, notify.OPPORTUNITY_ALERT, post, message))
    return queued


def _post(env: Env, bind: Session, changed: OpportunityChanged, post: str) -> dict[str, Any]:
    deal = changed.opportunity
    words = lang(workspace_locale(env, deal.workspace_id))
    stages = opportunities.stages_in(bind, deal.workspace_id)
    currency = workspace_currency(env, deal.workspace_id)
    return views.channel_post(words, deal, changed.customer_name, stages, currency, won=post == WON)


def _redraw(
    env: Env, bind: Session, deal: Opportunity, channel: str, key: str, message: dict[str, Any], post: str
) -> str:
    """The post as it reads now: in place of the queued one if it is not out yet, and as its update."""
    payload = notify.json_payload(message)
    outbox_store.replace_pending_payload(
        session=bind, workspace_id=deal.workspace_id, key=key, payload=payload
    )
    update = {**message, notify.UPDATE_OF: key}
    return _queue(env, bind, deal, channel, UPDATE, f"{post}.v{deal.version}", update)


def _due(changed: OpportunityChanged, post: str, threshold: int) -> bool:
    if post == WON:
        return changed.change == CHANGE_WON
    return changed.change == CHANGE_CREATED and changed.opportunity.amount_base_minor >= threshold * 100


def _queue(
    env: Env, bind: Bind, deal: Opportunity, channel: str, kind: str, period: str, message: dict[str, Any]
) -> str:
    return notify.enqueue(
        env, workspace_id=deal.workspace_id, kind=kind, recipient=channel, subject=str(deal.id), period=period,
        message=message, session=bind,
    )  # fmt: skip


def _kept(_session: Session, _subject: int, _channel: str, _ts: str) -> None:
    """Where a post went is kept on its outbox row, which the outbox keeps past its retention for this
    kind (the post is drawn again whenever its opportunity changes)."""


notify.register_kind(notify.OPPORTUNITY_ALERT, notify.Kind(posted=_kept))
