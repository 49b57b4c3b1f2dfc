"""People and workspaces as Slack changes them.

- `user_change` and `team_join`: the person's profile (name, zone, locale, e-mail, admin, guest,
  deactivated) as Slack says now, so rights follow Slack. Only people the bot already knows are
  updated: a member who just joined (team_join) is recorded at their first contact with the bot, not
  before, or every new member of the workspace would count as a rep without a manager in the admins'
  digest and Home. A known person who comes back (invited again) is updated like any change.
- `app_uninstalled`, and `tokens_revoked` when the bot's token is among the revoked: the workspace
  rests (its jobs skip it, its queued messages wait). A middleware wakes it on its next request, the
  sign of a reinstall.

These events are about someone (or the workspace), not from someone: the kit's listener would take
the changed user for the acting person, add them at first contact and refuse a guest. So they have
their own small wrapper, with the kit's habits: ack first, database work only, one service call, a
failure logged with a reference id.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse

from bot.env import Env
from bot.services import installations, people
from handlers.kit import Kit

log = logging.getLogger("tidewater.handlers")

EventWork = Callable[[Env, str, dict[str, Any]], None]  # the workspace, the whole body
ENDING_EVENTS = {"app_uninstalled", "tokens_revoked"}  # never the sign of a reinstall


def register(app: App, kit: Kit) -> None:
    app.use(_waking(kit))
    app.event("user_change")(_event(kit, _profile_changed))
    app.event("team_join")(_event(kit, _profile_changed))
    app.event("app_uninstalled")(_event(kit, _uninstalled))
    app.event("tokens_revoked")(_event(kit, _tokens_revoked))


def _event(kit: Kit, work: EventWork) -> Callable[..., None]:
    def ack_event(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        try:
            work(kit.env, str(body.get("team_id") or ""), body)
        except Exception as error:
            reference = secrets.token_hex(4)
            log.error("event %s failed (ref %s): %s", work.__name__, reference, error, exc_info=error)

    ack_event.__name__ = f"ack{work.__name__}"
    return ack_event


def _profile_changed(env: Env, workspace_id: str, body: dict[str, Any]) -> None:
    user = (body.get("event") or {}).get("user")
    if isinstance(user, dict):
        people.apply_slack_user(env, workspace_id=workspace_id, user=user)


def _uninstalled(env: Env, workspace_id: str, body: dict[str, Any]) -> None:
    organisation = _organisation_wide(body)
    if organisation and env.settings.installs_many:  # every workspace it served loses its token
        for resting in installations.forget_organisation(env, organisation):
            people.rest_workspace(env, workspace_id=resting)
        return
    people.rest_workspace(env, workspace_id=workspace_id)
    if env.settings.installs_many:  # its token is dead: the next request is told to install again
        installations.forget(env, workspace_id)


def _organisation_wide(body: dict[str, Any]) -> str | None:
    """The organisation whose organisation-wide install the event is about, if it is one (Slack says so
    in the event's authorizations, as Bolt reads it)."""
    authorizations = body.get("authorizations") or [{}]
    if body.get("is_enterprise_install") or authorizations[0].get("is_enterprise_install"):
        return str(body.get("enterprise_id") or authorizations[0].get("enterprise_id") or "") or None
    return None


def _tokens_revoked(env: Env, workspace_id: str, body: dict[str, Any]) -> None:
    tokens = (body.get("event") or {}).get("tokens") or {}
    if tokens.get("bot"):  # a person's own token going changes nothing
        _uninstalled(env, workspace_id, body)


def _waking(kit: Kit) -> Callable[..., BoltResponse | None]:
    def wake_workspace(
        body: dict[str, Any], context: BoltContext, next_: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        workspace_id = context.team_id
        if workspace_id and (body.get("event") or {}).get("type") not in ENDING_EVENTS:
            try:
                if people.wake_workspace(kit.env, workspace_id=workspace_id):
                    log.info("workspace %s is back: its jobs resume", workspace_id)
            except Exception as error:  # the request itself still deserves its answer
                log.error("could not wake workspace %s: %s", workspace_id, error, exc_info=error)
        return next_()

    return wake_workspace
