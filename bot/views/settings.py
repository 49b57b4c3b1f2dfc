"""The `/crm settings` modal, built from the settings specs, and the answer listing what changed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from babel import Locale

from bot.i18n import N_, Lang
from bot.services.settings import (
    COUNTRIES,
    SPECS,
    Group,
    Kind,
    LoggedChange,
    SettingChange,
    Spec,
    WorkspaceSettings,
)
from bot.views import blocks as b
from bot.views.ids import Callback
from bot.views.text import Mrkdwn, escape, mention, moment, say

GROUP_TITLES = {
    Group.RECYCLING: N_("Recycling to the pool"),
    Group.CLAIMS: N_("Claims and locks"),
    Group.SCHEDULE: N_("Reminders, digest and working days"),
    Group.COMPLAINTS: N_("Complaints: time to respond and resolve"),
    Group.LEVELS: N_("Customer levels"),
    Group.APPROVALS: N_("Needs the manager's approval"),
    Group.CHAMPIONS: N_("The team's champions"),
    Group.CHANNELS: N_("Channels"),
}
SWITCH_ON = "on"


def _element(lang: Lang, spec: Spec, value: Any) -> dict[str, Any]:
    if spec.kind is Kind.NUMBER:
        return {
            "type": "number_input",
            "action_id": spec.key,
            "is_decimal_allowed": False,
            "initial_value": str(value),
            "min_value": str(spec.low),
            "max_value": str(spec.high),
        }
    if spec.kind is Kind.SWITCH:
        option = b.option(lang.gettext("Yes"), SWITCH_ON)
        element: dict[str, Any] = {"type": "checkboxes", "action_id": spec.key, "options": [option]}
        if value:
            element["initial_options"] = [option]
        return element
    if spec.kind is Kind.TIME:
        return {"type": "timepicker", "action_id": spec.key, "initial_time": str(value)}
    if spec.kind is Kind.COUNTRY:
        options = [b.option(country_name(lang, code), code) for code in COUNTRIES]
        chosen = next(o for o in options if o["value"] == value)
        return {"type": "static_select", "action_id": spec.key, "options": options, "initial_option": chosen}
    select: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": spec.key,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
        "placeholder": b.plain(lang.gettext("Choose a channel")),
    }
    if value:
        select["initial_conversation"] = value
    return select


def _input(lang: Lang, spec: Spec, value: Any) -> b.Block:
    hint = lang.gettext(spec.hint) if spec.hint else None
    optional = spec.kind in (Kind.SWITCH, Kind.CHANNEL)  # an unticked box and no channel are answers too
    return b.input_block(
        spec.key, lang.gettext(spec.label), _element(lang, spec, value), optional=optional, hint=hint
    )


def settings_modal(
    lang: Lang, current: WorkspaceSettings, recent: Sequence[LoggedChange], timezone: str
) -> dict[str, Any]:
    _ = lang.gettext
    blocks: list[b.Block] = []
    for group, title in GROUP_TITLES.items():
        blocks.append(b.header(_(title)))
        blocks += [_input(lang, spec, getattr(current, spec.key)) for spec in SPECS if spec.group is group]
    if recent:
        lines = [change_line(lang, change, timezone) for change in recent]
        blocks += [b.divider(), b.context(escape(_("Last changes")) + "\n" + "\n".join(lines))]
    return b.modal(
        title=_("Settings"),
        blocks=blocks,
        callback_id=Callback.SETTINGS,
        submit=_("Save"),
        close=_("Cancel"),
        private_metadata=json.dumps({}),
    )


def shown_value(lang: Lang, spec: Spec, value: Any) -> str:
    if spec.kind is Kind.SWITCH:
        return lang.gettext("yes") if value else lang.gettext("no")
    if spec.kind is Kind.CHANNEL:
        return f"<#{value}>" if value else lang.gettext("none")
    if spec.kind is Kind.COUNTRY:
        return escape(country_name(lang, str(value)))
    return escape(value)


def country_name(lang: Lang, code: str) -> str:
    """The country's name in the reader's language (Babel's territory names)."""
    return str(Locale.parse(lang.locale.replace("-", "_")).territories.get(code, code))


def change_line(lang: Lang, change: LoggedChange, timezone: str) -> str:
    spec = next((s for s in SPECS if s.key == change.key), None)
    if spec is None:
        return ""
    return (
        f"{escape(moment(change.changed_at, timezone, lang))} · {mention(change.changed_by)} · "
        f"{escape(lang.gettext(spec.label))}: {shown_value(lang, spec, change.old)} → {shown_value(lang, spec, change.new)}"
    )


def settings_saved(lang: Lang, changes: Sequence[SettingChange]) -> dict[str, Any]:
    if not changes:
        text = say(lang, N_("Nothing changed."))
        return b.message(text, [b.section(text)])
    specs = {spec.key: spec for spec in SPECS}
    lines = [
        f"• {escape(lang.gettext(specs[c.key].label))}: {shown_value(lang, specs[c.key], c.old)} → "
        f"{shown_value(lang, specs[c.key], c.new)}"
        for c in changes
    ]
    text = Mrkdwn(
        say(lang, N_(":white_check_mark: Settings saved. They apply from now on.")) + "\n" + "\n".join(lines)
    )
    return b.message(text, [b.section(text)])
