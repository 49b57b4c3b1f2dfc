"""The App Home tab: published when opened and on Refresh."""

from __future__ import annotations

from slack_bolt import App

from bot.services.home import home_data
from bot.views.home import home_view
from bot.views.ids import Action
from handlers.kit import Call, Kit, just_ack, lazy, listener


def register(app: App, kit: Kit) -> None:
    app.event("app_home_opened")(ack=listener(kit, just_ack), lazy=[lazy(kit, publish_home)])
    app.action(Action.HOME_REFRESH)(ack=listener(kit, just_ack), lazy=[lazy(kit, publish_home)])


def publish_home(call: Call) -> None:
    event = call.body.get("event") or {}
    if event and event.get("tab") not in (None, "home"):
        return  # the Messages tab opened: nothing to publish
    view = home_view(call.lang, home_data(call.env, call.me))
    call.client.views_publish(user_id=call.me.user_id, view=view)
