"""Answers of `/crm`: roles, teams and language."""

from __future__ import annotations

from typing import Any

from bot.i18n import Lang
from bot.services.people import RoleChange, TeamChange, TeamListing
from bot.views import blocks as b
from bot.views.common import notice
from bot.views.text import escape, mention


def _role(lang: Lang, role: str) -> str:
    _ = lang.gettext
    return {"rep": _("rep"), "manager": _("manager"), "admin": _("admin")}.get(role, role)


def role_set(lang: Lang, change: RoleChange) -> dict[str, Any]:
    _ = lang.gettext
    text = f":white_check_mark: {mention(change.user_id)} " + escape(
        _("is now a %(role)s.") % {"role": _role(lang, change.role)}
    )
    if change.left_team_of:
        text += " " + escape(_("They left the team of")) + f" {mention(change.left_team_of)}."
    return notice(text)


def team_changed(lang: Lang, change: TeamChange, *, added: bool) -> dict[str, Any]:
    _ = lang.gettext
    people = " ".join(mention(user) for user in change.changed)
    if not change.changed:
        return notice(escape(_("Nothing changed: the team was already like that.")))
    verb = _("joined the team of") if added else _("left the team of")
    return notice(f":white_check_mark: {people} " + escape(verb) + f" {mention(change.manager_id)}.")


def team_listing(lang: Lang, listing: TeamListing) -> dict[str, Any]:
    _ = lang.gettext
    blocks: list[b.Block] = [b.header(_("Teams"))]
    if not listing.teams:
        blocks.append(
            b.section(escape(_("No managers yet. An admin makes one with /crm role @person manager.")))
        )
    for manager_id, members in listing.teams[:40]:
        names = ", ".join(mention(m) for m in members) or escape(_("nobody yet"))
        title = escape(_("Manager"))
        blocks.append(b.section(f"*{title}* {mention(manager_id)}\n{names}"))
    if listing.without_manager:
        names = ", ".join(mention(m) for m in listing.without_manager[:100])
        title = escape(_("Reps without a manager (covered by the admins)"))
        blocks.append(b.section(f"*{title}*\n{names}"))
    return b.message(_("Teams"), blocks)


def language_set(lang: Lang) -> dict[str, Any]:
    _ = lang.gettext
    return notice(
        ":white_check_mark: " + escape(_("Language set. I will answer you in English from now on."))
    )
