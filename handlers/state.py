"""Reading a modal's submitted values into plain Python values."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.errors import InvalidInput
from bot.i18n import N_
from bot.views.ids import Field


def form_values(body: dict[str, Any]) -> dict[str, Any]:
    """{field: value} from view.state.values; block ids like `next_follow_up.12` count as `next_follow_up`."""
    values: dict[str, Any] = {}
    for block_id, elements in ((body.get("view") or {}).get("state") or {}).get("values", {}).items():
        for element in elements.values():
            values[block_id.split(".")[0]] = _value(element)
    return values


def _value(element: dict[str, Any]) -> Any:
    kind = element.get("type")
    if kind in ("static_select", "external_select"):
        selected = element.get("selected_option")
        return selected["value"] if selected else None
    if kind == "datepicker":
        picked = element.get("selected_date")
        return date.fromisoformat(picked) if picked else None
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "conversations_select":
        return element.get("selected_conversation")
    if kind == "timepicker":
        return element.get("selected_time")
    if kind == "checkboxes":
        return [option["value"] for option in element.get("selected_options") or []]
    return element.get("value") or ""


def text_of(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    return value if isinstance(value, str) else ""


def int_of(values: dict[str, Any], name: str) -> int | None:
    value = values.get(name)
    return int(value) if isinstance(value, str) and value.isdigit() else None


def number(text: str) -> int:
    """A button's or a metadata's id: 0 (which matches no row) for anything but digits."""
    return int(text) if text.isdigit() else 0


def chosen_customer(values: dict[str, Any]) -> int:
    """The customer picked in a form's customer field, or the form's friendly error."""
    customer_id = int_of(values, Field.CUSTOMER.value)
    if customer_id is None:
        raise InvalidInput(N_("Choose a customer."), field=Field.CUSTOMER.value)
    return customer_id
