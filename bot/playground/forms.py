"""Filling a modal's fields from typed answers, and the state Slack submits for them.

Each answer is read the way the element would take it in Slack: text as typed; a select's option by
its number or by (the start of) its label; a date as 2026-12-01, today, tomorrow or +3d; a time as
09:30; a person as @handle; a channel as #name; ticks of checkboxes as numbers. `Choice.state` is the
element's value exactly as Slack puts it in `view.state.values`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from bot.i18n import N_, Lang
from bot.playground.render import option_label

TEXT_ELEMENTS = {"plain_text_input", "number_input", "email_text_input", "url_text_input"}
SINGLE_OPTION = {"static_select", "radio_buttons", "external_select"}
RELATIVE_DAYS = re.compile(r"^\+(\d{1,3})d$")


class NotUnderstood(ValueError):
    """The answer does not fit the field; the message (a msgid, with its parameters) says what would."""

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def text(self, lang: Lang) -> str:
        return lang.gettext(self.message) % self.params if self.params else lang.gettext(self.message)


@dataclass(frozen=True)
class Choice:
    state: dict[str, Any]
    shown: str


class Lookups(Protocol):
    """What the person's answers are matched against: known at the session, not in the view."""

    def user_id(self, typed: str) -> str | None: ...

    def channel_id(self, typed: str) -> str | None: ...

    def name_of(self, some_id: str) -> str: ...


def options_of(element: dict[str, Any]) -> list[dict[str, Any]]:
    if "option_groups" in element:
        return [option for group in element["option_groups"] for option in group.get("options", [])]
    return list(element.get("options") or [])


def match_option(options: list[dict[str, Any]], typed: str) -> dict[str, Any]:
    """An option by its number (1-based), its label, or the one label that starts with or contains
    what was typed."""
    typed = typed.strip()
    if typed.isdigit() and 1 <= int(typed) <= len(options):
        return options[int(typed) - 1]
    wanted = typed.casefold()
    for test in (
        lambda label: label == wanted,
        lambda label: label.startswith(wanted),
        lambda label: wanted in label,
    ):
        found = [option for option in options if test(option_label(option).casefold())]
        if len(found) == 1:
            return found[0]
    labels = ", ".join(f"{n}. {option_label(option)}" for n, option in enumerate(options, 1))
    raise NotUnderstood(N_("Choose one of: %(options)s"), options=labels)


def parse_date(typed: str, today: date) -> date:
    typed = typed.strip().casefold()
    named = {"today": 0, "今天": 0, "tomorrow": 1, "明天": 1}
    if typed in named:
        return today + timedelta(days=named[typed])
    relative = RELATIVE_DAYS.match(typed)
    if relative:
        return today + timedelta(days=int(relative.group(1)))
    try:
        return date.fromisoformat(typed)
    except ValueError:
        raise NotUnderstood(N_("Type a date like 2026-12-01, today, tomorrow or +3d.")) from None


def parse_time(typed: str) -> str:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", typed.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise NotUnderstood(N_("Type a time like 09:30."))
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def choose(element: dict[str, Any], typed: str, *, today: date, lookups: Lookups) -> Choice:
    """The element's state for a typed answer (external selects are chosen by the session, which
    asks the bot for their options)."""
    kind = element.get("type", "")
    if kind in TEXT_ELEMENTS:
        return Choice({"type": kind, "value": typed}, typed)
    if kind in ("static_select", "radio_buttons"):
        option = match_option(options_of(element), typed)
        return option_choice(kind, option)
    if kind == "checkboxes":
        return _ticks(element, typed)
    if kind == "datepicker":
        picked = parse_date(typed, today).isoformat()
        return Choice({"type": kind, "selected_date": picked}, picked)
    if kind == "timepicker":
        picked = parse_time(typed)
        return Choice({"type": kind, "selected_time": picked}, picked)
    if kind == "users_select":
        user = lookups.user_id(typed)
        if user is None:
            raise NotUnderstood(N_("Type a person, like @mei."))
        return Choice({"type": kind, "selected_user": user}, "@" + lookups.name_of(user))
    if kind in ("conversations_select", "channels_select"):
        channel = lookups.channel_id(typed)
        if channel is None:
            raise NotUnderstood(N_("Type a channel, like #customer-pool."))
        key = "selected_conversation" if kind == "conversations_select" else "selected_channel"
        return Choice({"type": kind, key: channel}, "#" + lookups.name_of(channel))
    raise NotUnderstood(N_("The playground cannot fill a %(kind)s field."), kind=kind)


def option_choice(kind: str, option: dict[str, Any]) -> Choice:
    return Choice({"type": kind, "selected_option": option}, option_label(option))


def _ticks(element: dict[str, Any], typed: str) -> Choice:
    options = options_of(element)
    parts = [part for part in re.split(r"[,\s]+", typed.strip()) if part]
    if parts in ([], ["0"], ["none"]):
        return Choice({"type": "checkboxes", "selected_options": []}, "—")
    ticked = [match_option(options, part) for part in parts]
    return Choice({"type": "checkboxes", "selected_options": ticked}, ", ".join(map(option_label, ticked)))


def initial_choice(element: dict[str, Any], lookups: Lookups | None = None) -> Choice | None:
    """The value Slack shows before anyone types: the element's initial option, date, text..."""
    kind = element.get("type", "")
    if "initial_option" in element:
        return option_choice(kind, element["initial_option"])
    simple = {
        "datepicker": ("initial_date", "selected_date"),
        "timepicker": ("initial_time", "selected_time"),
        "users_select": ("initial_user", "selected_user"),
        "conversations_select": ("initial_conversation", "selected_conversation"),
        "channels_select": ("initial_channel", "selected_channel"),
    }
    if kind in simple:
        source, target = simple[kind]
        value = element.get(source)
        if not value:
            return None
        shown = str(value)
        if lookups is not None and kind not in ("datepicker", "timepicker"):
            shown = lookups.name_of(shown)
        return Choice({"type": kind, target: value}, shown)
    if kind == "checkboxes":
        ticked = list(element.get("initial_options") or [])
        return Choice({"type": kind, "selected_options": ticked}, ", ".join(map(option_label, ticked)))
    if element.get("initial_value"):
        return Choice({"type": kind, "value": element["initial_value"]}, str(element["initial_value"]))
    return None


def empty_state(element: dict[str, Any]) -> dict[str, Any]:
    """What Slack submits for a field left empty."""
    kind = element.get("type", "")
    empty_key = {
        "static_select": "selected_option",
        "external_select": "selected_option",
        "radio_buttons": "selected_option",
        "datepicker": "selected_date",
        "timepicker": "selected_time",
        "users_select": "selected_user",
        "conversations_select": "selected_conversation",
        "channels_select": "selected_channel",
    }
    if kind == "checkboxes":
        return {"type": kind, "selected_options": []}
    return {"type": kind, empty_key.get(kind, "value"): None}


def view_state(view: dict[str, Any], chosen: dict[str, Choice], lookups: Lookups) -> dict[str, Any]:
    """`view.state` as Slack sends it: every input block's value, typed or initial or empty."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        choice = chosen.get(block["block_id"]) or initial_choice(element, lookups)
        values[block["block_id"]] = {element["action_id"]: choice.state if choice else empty_state(element)}
    return {"values": values}
