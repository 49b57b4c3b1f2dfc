"""`/pool`, `/claim`, `/release`, `/assign`, the Claim buttons, and Lock / Unlock / Release on the card.

A claim is decided in the ack (one short transaction), so whoever Slack delivers first wins; the
lazy twin then tells the person, re-renders the /pool page they clicked in, and brings every pool
announcement showing the customer up to date.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_bolt import App

from bot import notify
from bot.errors import InvalidInput, NotFound
from bot.i18n import N_
from bot.messaging import pool as messaging
from bot.messaging.home import refresh_home
from bot.rules.commands import mentioned_users
from bot.services import (
    approvals,
    customers,
    opportunities_release,
    pool,
    pool_assign,
    pool_list,
    recycle_locks,
)
from bot.services.pool_list import Cursor, PoolQuery
from bot.views import customers as customer_views
from bot.views import pool as views
from bot.views.ids import Action, Callback, Command, Field
from bot.views.text import unescape_slack
from handlers.approvals import AskedApproval, told_if_asked
from handlers.kit import Call, Kit, just_ack, lazy, listener
from handlers.state import form_values, number, text_of


@dataclass(frozen=True)
class Filtered:
    """The /pool filters chosen in the form, for the lazy step to show."""

    query: dict[str, Any]


@dataclass(frozen=True)
class Claim:
    """A claim made, or lost to someone quicker, for the lazy step to follow up."""

    customer_id: int
    updates: tuple[str, ...] = ()  # the announcements' updates the claim queued
    page: dict[str, Any] | None = None  # the /pool page a Claim button was clicked in
    answer: bool = False  # a button's claim: the claimer is told in the lazy step


@dataclass(frozen=True)
class ReleaseAsked:
    customer_id: int


@dataclass(frozen=True)
class ReleaseDone:
    """A release, with the announcement queued with it."""

    done: pool.Released


@dataclass(frozen=True)
class Queued:
    """Messages queued with a change (the new owner's DM, the announcements' updates), to send at once."""

    keys: tuple[str, ...]


def register(app: App, kit: Kit) -> None:
    app.command(Command.POOL)(listener(kit, pool_command))
    app.action(Action.POOL_PAGE)(ack=listener(kit, just_ack), lazy=[lazy(kit, turn_page)])
    app.action(Action.POOL_FILTER)(ack=listener(kit, just_ack), lazy=[lazy(kit, open_filter_form)])
    app.view(Callback.POOL_FILTER)(
        ack=listener(kit, submit_filter), lazy=[lazy(kit, show_filtered, when_deferred=True)]
    )
    app.command(Command.CLAIM)(
        ack=listener(kit, claim_command), lazy=[lazy(kit, after_claim, when_deferred=True)]
    )
    app.action(Action.POOL_CLAIM)(
        ack=listener(kit, claim_button), lazy=[lazy(kit, after_claim, when_deferred=True)]
    )
    app.command(Command.RELEASE)(
        ack=listener(kit, release_command), lazy=[lazy(kit, open_release_form, when_deferred=True)]
    )
    app.action(Action.CUSTOMER_RELEASE)(
        ack=listener(kit, release_button), lazy=[lazy(kit, open_release_form, when_deferred=True)]
    )
    app.view(Callback.RELEASE)(
        ack=listener(kit, submit_release), lazy=[lazy(kit, announce_release, when_deferred=True)]
    )
    app.command(Command.ASSIGN)(
        ack=listener(kit, assign_command), lazy=[lazy(kit, tell_new_owner, when_deferred=True)]
    )
    app.action(Action.CUSTOMER_LOCK)(ack=listener(kit, just_ack), lazy=[lazy(kit, lock)])
    app.action(Action.CUSTOMER_UNLOCK)(ack=listener(kit, just_ack), lazy=[lazy(kit, unlock)])


# -- /pool ----------------------------------------------------------------------------------------------
def _state(value: str) -> dict[str, Any]:
    try:
        state = json.loads(value)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def _cursor(raw: Any) -> Cursor | None:
    if isinstance(raw, list) and len(raw) == 2:
        return Cursor(str(raw[0]), int(raw[1]))
    return None


def _render_page(call: Call, state: dict[str, Any]) -> dict[str, Any]:
    query = pool_list.validate_query(PoolQuery(**dict(state.get("q") or {})))
    page = pool_list.page(
        call.env, call.me, query, after=_cursor(state.get("a")), before=_cursor(state.get("b"))
    )
    shown: dict[str, Any] = {key: state[key] for key in ("q", "a", "b") if key in state}
    return views.pool_page(call.lang, page, state=shown)


def pool_command(call: Call) -> None:
    query = pool_list.parse_query(unescape_slack(call.text))
    call.ack(**_render_page(call, {"q": query.to_dict()}))


def turn_page(call: Call) -> None:
    call.tell(_render_page(call, _state(call.action_value)), replace=True)


def open_filter_form(call: Call) -> None:
    state = _state(call.action_value)
    query = PoolQuery(**dict(state.get("q") or {}))
    view = views.filter_modal(call.lang, query, call.metadata())
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def _filter_query(call: Call) -> PoolQuery:
    values = form_values(call.body)
    return pool_list.validate_query(
        PoolQuery(
            level=text_of(values, Field.LEVEL.value),
            region=text_of(values, Field.REGION.value),
            industry=text_of(values, Field.INDUSTRY.value),
            text=text_of(values, Field.TEXT.value),
        )
    )


def submit_filter(call: Call) -> None:
    call.hand_over(Filtered(_filter_query(call).to_dict()))
    call.ack(response_action="clear")


def show_filtered(call: Call) -> None:
    call.tell(_render_page(call, {"q": call.handed(Filtered).query}), replace=True)


# -- claims ---------------------------------------------------------------------------------------------
def _one_customer(call: Call, usage: str, *, action: str, label: str) -> int | None:
    """The customer the command names; with several matches, answers with a button for each (None)."""
    text = unescape_slack(call.text)
    if not text:
        raise InvalidInput(usage)
    found = customers.resolve_one(call.env, call.me, text)
    if isinstance(found, list):
        call.ack(**customer_views.search_results(call.lang, text, found, action=action, label=label))
        return None
    assert found.id is not None
    return found.id


def _claim(call: Call, customer_id: int, *, from_button: bool) -> pool.Claimed:
    """Claim; a claim lost (to whoever won) still hands its follow-up to the lazy step."""
    try:
        return pool.claim(call.env, call.me, customer_id)
    except pool.AlreadyClaimed:
        call.hand_over(Claim(customer_id))  # the lazy twin brings the person's Home up to date
        raise
    except pool.OwnedBySomeone as owned:
        call.hand_over(Claim(customer_id))
        if from_button:  # a button shown while it was in the pool: someone was quicker
            raise pool.AlreadyClaimed(owned.name, owned.owner_id) from owned
        raise


def claim_command(call: Call) -> None:
    usage = N_("Say which customer: /claim Acme. /pool lists the pool.")
    found = _one_customer(call, usage, action=Action.POOL_CLAIM, label=N_("Claim"))
    if found is None:
        return
    done = _claim(call, found, from_button=False)
    call.hand_over(Claim(done.customer_id, done.updates))
    call.ack(**views.claimed(call.lang, done))


def claim_button(call: Call) -> None:
    value = call.action_value
    state = _state(value) if value.startswith("{") else {}
    customer_id = int(state.get("c") or 0) if state else number(value)
    if not customer_id:
        raise NotFound(N_("That customer no longer exists."))
    done = _claim(call, customer_id, from_button=True)
    page: dict[str, Any] = {k: state[k] for k in ("q", "a", "b") if k in state}
    call.hand_over(Claim(done.customer_id, done.updates, page, answer=True))
    call.ack()


def after_claim(call: Call) -> None:
    """Tell the claimer (button claims), re-render their /pool page, send the announcements' updates
    the claim queued."""
    claim = call.handed(Claim)
    if claim.answer:
        if claim.page:
            call.tell(_render_page(call, claim.page), replace=True)
        done = customers.card(call.env, call.me, claim.customer_id)
        call.tell(customer_views.customer_card(call.lang, done))
    notify.deliver_now(call.env, call.client, claim.updates, workspace_id=call.me.workspace_id)
    refresh_home(call.client, call.env, call.me)


# -- release ----------------------------------------------------------------------------------------------
def release_command(call: Call) -> None:
    usage = N_("Say which customer: /release Acme. You will be asked why.")
    found = _one_customer(call, usage, action=Action.CUSTOMER_RELEASE, label=N_("Release"))
    if found is not None:
        _ask_release(call, found)


def release_button(call: Call) -> None:
    _ask_release(call, number(call.action_value))


def _ask_release(call: Call, customer_id: int) -> None:
    pool.check_release(call.env, call.me, customer_id)  # refused in the ack, before any form opens
    call.hand_over(ReleaseAsked(customer_id))
    call.ack()


def open_release_form(call: Call) -> None:
    customer = customers.get_customer(call.env, call.me, call.handed(ReleaseAsked).customer_id)
    open_ones = opportunities_release.count_open(call.env, call.me, customer.id or 0)
    view = views.release_modal(call.lang, customer, call.metadata(), open_opportunities=open_ones)
    call.client.views_open(trigger_id=call.trigger_id, view=view)


def submit_release(call: Call) -> None:
    values = form_values(call.body)
    customer_id = int(call.view_metadata().get("customer") or 0)
    done = approvals.release(
        call.env,
        call.me,
        customer_id,
        reason=text_of(values, Field.REASON.value),
        note=text_of(values, Field.NOTE.value),
        opportunities=text_of(values, Field.OPPORTUNITIES.value) or opportunities_release.LOSE,
    )
    call.hand_over(AskedApproval(done) if isinstance(done, approvals.Asked) else ReleaseDone(done))
    call.ack(response_action="clear")


def announce_release(call: Call) -> None:
    """Send the announcement queued with the release, and tell the rep whether the channel took it (or
    that their manager was asked)."""
    if told_if_asked(call):
        return
    done = call.handed(ReleaseDone).done
    ws = call.me.workspace_id
    announced = messaging.send_now(call.env, call.client, ws, done.channel, done.announcements)
    call.tell(views.released(call.lang, done, announced))
    refresh_home(call.client, call.env, call.me)


# -- assign, lock, unlock -----------------------------------------------------------------------------------
def assign_command(call: Call) -> None:
    text = unescape_slack(call.text)
    reps = mentioned_users(text)
    query = " ".join(word for word in text.split() if not word.startswith("<@"))
    if len(reps) != 1 or not query:
        raise InvalidInput(N_("Use: /assign customer @rep"))
    found = customers.resolve_one(call.env, call.me, query)
    if isinstance(found, list):
        raise InvalidInput(N_("Several customers match “%(query)s”; type more of the name."), query=query)
    assert found.id is not None
    done = pool_assign.assign(call.env, call.me, found.id, reps[0])
    call.hand_over(Queued(done.messages))
    call.ack(**views.assigned(call.lang, done))


def tell_new_owner(call: Call) -> None:
    """Send what the assignment queued: the new owner's DM and the announcements' updates."""
    keys = call.handed(Queued).keys
    notify.deliver_now(call.env, call.client, keys, workspace_id=call.me.workspace_id)


def _set_lock(call: Call, *, locked: bool) -> None:
    value = call.action_value
    done = recycle_locks.set_lock(call.env, call.me, number(value), locked=locked)
    call.tell(views.lock_changed(call.lang, done))


def lock(call: Call) -> None:
    _set_lock(call, locked=True)


def unlock(call: Call) -> None:
    _set_lock(call, locked=False)
