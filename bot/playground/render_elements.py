"""The labels of interactive elements: what a button, a select or a picker shows, chosen or not."""

from __future__ import annotations

from typing import Any

from bot.i18n import N_
from bot.playground.render_text import Names, Words, as_is, plain_of

CHOOSERS = {  # elements that open a list or a picker: shown with ▾ after their label
    "static_select",
    "external_select",
    "users_select",
    "conversations_select",
    "channels_select",
    "multi_static_select",
    "multi_external_select",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
    "overflow",
    "datepicker",
    "timepicker",
    "datetimepicker",
}


def option_label(option: dict[str, Any]) -> str:
    """An option's visible text."""
    return plain_of(option.get("text"))


def element_label(element: dict[str, Any]) -> str:
    """A button's text / a select's placeholder (or its initial option's text)."""
    return label_of(element, as_is)


def label_of(element: dict[str, Any], names: Names, gettext: Words = str) -> str:
    kind = element.get("type", "")
    chosen = chosen_of(element, names)
    if chosen:
        return chosen
    if kind == "button":
        return plain_of(element.get("text"))
    if kind == "overflow":
        return "⋯"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    if kind in ("checkboxes", "radio_buttons"):
        return ticks_of(element)
    return placeholder_of(element, gettext)


def placeholder_of(element: dict[str, Any], gettext: Words = str) -> str:
    if "placeholder" in element:
        return plain_of(element["placeholder"])
    empty = _EMPTY_LABEL.get(str(element.get("type", "")))
    return gettext(empty) if empty else ""


_EMPTY_LABEL = {
    "datepicker": N_("pick a date"),
    "timepicker": N_("pick a time"),
    "datetimepicker": N_("pick a date and time"),
    "users_select": N_("choose a person"),
    "conversations_select": N_("choose a conversation"),
    "channels_select": N_("choose a channel"),
}


def chosen_of(element: dict[str, Any], names: Names) -> str:
    """What the element holds before anyone touches it: its initial option, person, date, text..."""
    if element.get("type") in ("checkboxes", "radio_buttons"):
        return ""  # always shown with every option ticked or not
    if "initial_option" in element:
        return option_label(element["initial_option"])
    if element.get("initial_options"):
        return ", ".join(option_label(option) for option in element["initial_options"])
    if element.get("initial_user"):
        return "@" + names(element["initial_user"])
    if element.get("initial_users"):
        return ", ".join("@" + names(user) for user in element["initial_users"])
    for key in ("initial_conversation", "initial_channel"):
        if element.get(key):
            return "#" + names(element[key])
    for key in ("initial_conversations", "initial_channels"):
        if element.get(key):
            return ", ".join("#" + names(channel) for channel in element[key])
    for key in ("initial_date", "initial_time", "initial_value"):
        if element.get(key):
            return str(element[key])
    return ""


def ticks_of(element: dict[str, Any]) -> str:
    """Every option with its box: ☑/☐ for checkboxes, ◉/○ for radio buttons."""
    initial = element.get("initial_options") or [element.get("initial_option")]
    ticked = {option.get("value") for option in initial if option}
    on, off = ("☑", "☐") if element.get("type") == "checkboxes" else ("◉", "○")
    return "  ".join(
        f"{on if option.get('value') in ticked else off} {option_label(option)}"
        for option in element.get("options", [])
    )
