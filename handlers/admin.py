"""`/crm`: help, language, roles and teams; and the help answer for anything not handled yet."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.errors import InvalidInput
from bot.i18n import N_
from bot.rules.commands import mentioned_users
from bot.services import people
from bot.views import admin as views
from bot.views.common import help_message
from bot.views.ids import Command
from bot.views.text import unescape_slack
from handlers.kit import Call, Kit, just_ack, lazy, listener

HELP_WORDS = {"", "help", "?", "帮助"}
SLACK_WORK = {"role", "team"}  # these may look people up in Slack: done in the lazy function


def register(app: App, kit: Kit) -> None:
    app.command(Command.CRM)(
        ack=listener(kit, crm_command), lazy=[lazy(kit, crm_admin_work, when_deferred=True)]
    )


def register_fallbacks(app: App, kit: Kit) -> None:
    """Any other command, button or shortcut gets an answer, never a 404."""
    app.command(re.compile(r".*"))(listener(kit, help_command))
    app.action(re.compile(r".*"))(listener(kit, just_ack))
    app.shortcut(re.compile(r".*"))(listener(kit, just_ack))
    app.view(re.compile(r".*"))(listener(kit, just_ack))


def help_command(call: Call) -> None:
    call.ack(**help_message(call.lang, is_admin=call.me.is_admin))


def _words(call: Call) -> list[str]:
    return unescape_slack(call.text).split()


def crm_command(call: Call) -> None:
    words = _words(call)
    verb = words[0].lower() if words else ""
    if verb in HELP_WORDS:
        call.ack(**help_message(call.lang, is_admin=call.me.is_admin))
    elif verb in {"lang", "language", "语言"}:
        _choose_language(call, words[1:])
    elif verb == "team" and len(words) == 1:
        call.ack(**views.team_listing(call.lang, people.list_teams(call.env, call.me)))
    elif verb in SLACK_WORK:
        people.require_admin(call.me)
        call.defer(admin_work=verb)
        call.ack()
    else:
        call.ack(**help_message(call.lang, is_admin=call.me.is_admin, unknown=" ".join(words)))


def _choose_language(call: Call, words: list[str]) -> None:
    if not words:
        raise InvalidInput(N_("Choose en, zh or auto: /crm lang zh"))
    people.choose_language(call.env, call.me, choice=words[0])
    call.actor = people.resolve_actor(
        call.env, workspace_id=call.me.workspace_id, user_id=call.me.user_id, lookup=call.kit.lookup
    )
    call.ack(**views.language_set(call.lang))


def crm_admin_work(call: Call) -> None:
    words = _words(call)
    verb = words[0].lower() if words else ""
    if verb == "role":
        _set_role(call, words[1:])
    elif verb == "team" and len(words) > 1:
        _change_team(call, words[1:])


def _set_role(call: Call, words: list[str]) -> None:
    users = mentioned_users(" ".join(words))
    roles = [w.lower() for w in words if w.lower() in {"manager", "rep", "admin"}]
    if len(users) != 1 or len(roles) != 1:
        raise InvalidInput(N_("Use: /crm role @person manager|rep|admin"))
    change = people.set_role(call.env, call.me, user_id=users[0], role=roles[0], lookup=call.kit.lookup)
    call.tell(views.role_set(call.lang, change))


def _change_team(call: Call, words: list[str]) -> None:
    users = mentioned_users(" ".join(words))
    verbs = [w.lower() for w in words if w.lower() in {"add", "remove"}]
    if len(users) < 2 or len(verbs) != 1:
        raise InvalidInput(N_("Use: /crm team @manager add|remove @rep …"))
    change = people.change_team(
        call.env,
        call.me,
        manager_id=users[0],
        add=verbs[0] == "add",
        rep_ids=users[1:],
        lookup=call.kit.lookup,
    )
    call.tell(views.team_changed(call.lang, change, added=verbs[0] == "add"))
