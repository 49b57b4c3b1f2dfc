"""The App Home tab: published when opened and on Refresh; its "See all" modals and their pages; Browse
pool (the first `/pool` page, in the app's DM, where its Older / Newer and Claim buttons work as in
`/pool`); Edit settings (the `/crm settings` form). Everything calls Slack, so it runs lazily."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App

from bot.messaging import home as messaging_home
from bot.services import home, pool_list
from bot.services import settings as settings_service
from bot.services.pool_list import PoolQuery
from bot.views import home as views
from bot.views import pool as pool_views
from bot.views import settings as settings_views
from bot.views.ids import Action
from handlers.kit import Call, Kit, just_ack, lazy, listener


def register(app: App, kit: Kit) -> None:
    app.event("app_home_opened")(ack=listener(kit, just_ack), lazy=[lazy(kit, publish_home)])
    for action, work in (
        (Action.HOME_REFRESH, publish_home),
        (Action.HOME_SEE_ALL, open_list),
        (Action.HOME_PAGE, turn_list_page),
        (Action.HOME_POOL, show_pool),
        (Action.HOME_SETTINGS, open_settings),
    ):
        app.action(action)(ack=listener(kit, just_ack), lazy=[lazy(kit, work)])


def publish_home(call: Call) -> None:
    event = call.body.get("event") or {}
    if event and event.get("tab") not in (None, "home"):
        return  # the Messages tab opened: nothing to publish
    messaging_home.publish(call.env, call.client, call.me)


def _page_view(call: Call, which: str, offset: int) -> dict[str, Any]:
    return views.list_modal(call.lang, home.list_page(call.env, call.me, which, offset))


def open_list(call: Call) -> None:
    call.client.views_open(trigger_id=call.trigger_id, view=_page_view(call, call.action_value, 0))


def _wanted_page(value: str) -> tuple[str, int]:
    """(list, offset) from a page button's value; anything unreadable is the first page."""
    try:
        wanted = dict(json.loads(value))
        return str(wanted.get("l", "")), int(wanted.get("o") or 0)
    except (ValueError, TypeError):
        return "", 0


def turn_list_page(call: Call) -> None:
    view = _page_view(call, *_wanted_page(call.action_value))
    # No hash: turning a page has no typed state to protect, and a quick second click should win.
    call.client.views_update(view_id=str((call.body.get("view") or {}).get("id", "")), view=view)


def show_pool(call: Call) -> None:
    page = pool_list.page(call.env, call.me, PoolQuery())
    call.tell(pool_views.pool_page(call.lang, page, state={"q": {}}))


def open_settings(call: Call) -> None:
    settings_service.require_admin(call.me)
    current = settings_service.load(call.env, call.me.workspace_id)
    recent = settings_service.recent_changes(call.env, call.me)
    view = settings_views.settings_modal(call.lang, current, recent, call.me.timezone)
    call.client.views_open(
        trigger_id=call.trigger_id, view={**view, "private_metadata": json.dumps(call.metadata())}
    )
