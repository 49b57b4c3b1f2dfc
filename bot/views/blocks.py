"""Block Kit builders: plain dicts shaped exactly as Slack documents them.

Callers pass text that is already safe (see bot.views.text); builders clip to Slack's limits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.i18n import Lang
from bot.views.ids import Action
from bot.views.text import clip, escape
from store.models import Customer

Block = dict[str, Any]

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
SECTION_TEXT_LIMIT = 3000
FIELD_TEXT_LIMIT = 2000
HEADER_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
OPTION_TEXT_LIMIT = 75
MODAL_TITLE_LIMIT = 24


def plain(text: str, limit: int = SECTION_TEXT_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_TEXT_LIMIT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit) or " "}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_LIMIT)}


def section(text: str, *, accessory: dict[str, Any] | None = None, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def fields(*texts: str) -> Block:
    return {"type": "section", "fields": [mrkdwn(text, FIELD_TEXT_LIMIT) for text in texts[:10]]}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text) for text in texts[:10]]}


def divider() -> Block:
    return {"type": "divider"}


def actions(*elements: dict[str, Any], block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements[:25])}
    if block_id:
        block["block_id"] = block_id
    return block


def button(text: str, action_id: str, value: str = "", *, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, BUTTON_TEXT_LIMIT),
        "action_id": action_id,
    }
    if value:
        element["value"] = value
    if style:
        element["style"] = style
    return element


def image(slack_file: dict[str, str], alt: str, title: str = "") -> Block:
    """An image uploaded to Slack (a chart), with its alt text for those who cannot see it."""
    block: Block = {"type": "image", "slack_file": slack_file, "alt_text": alt[:2000]}
    if title:
        block["title"] = plain(title, 2000)
    return block


def overflow(action_id: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    """The "⋯" menu of a line: up to 5 options, each a choice the listener reads from its value."""
    return {"type": "overflow", "action_id": action_id, "options": options[:5]}


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, OPTION_TEXT_LIMIT), "value": value}


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
    dispatch_action: bool = False,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    if dispatch_action:
        block["dispatch_action"] = True
    return block


def text_input(
    action_id: str,
    *,
    initial: str = "",
    multiline: bool = False,
    max_length: int | None = None,
    placeholder: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id, "multiline": multiline}
    if initial:
        element["initial_value"] = initial[:max_length] if max_length else initial
    if max_length:
        element["max_length"] = max_length
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return element


def static_select(
    action_id: str,
    options: list[dict[str, Any]],
    *,
    initial: str | None = None,
    placeholder: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "action_id": action_id, "options": options[:100]}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen:
        element["initial_option"] = chosen
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return element


def external_select(
    action_id: str,
    *,
    initial: dict[str, Any] | None = None,
    placeholder: str | None = None,
    min_query_length: int = 1,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "external_select",
        "action_id": action_id,
        "min_query_length": min_query_length,
    }
    if initial:
        element["initial_option"] = initial
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return element


def date_picker(action_id: str, initial: date | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker", "action_id": action_id}
    if initial:
        element["initial_date"] = initial.isoformat()
    return element


def modal(
    *,
    title: str,
    blocks: list[Block],
    callback_id: str,
    submit: str | None = None,
    close: str | None = None,
    private_metadata: str = "",
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, MODAL_TITLE_LIMIT),
        "blocks": blocks[:VIEW_BLOCK_LIMIT],
    }
    if submit:
        view["submit"] = plain(submit, MODAL_TITLE_LIMIT)
    if close:
        view["close"] = plain(close, MODAL_TITLE_LIMIT)
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def home(blocks: list[Block]) -> dict[str, Any]:
    return {"type": "home", "blocks": blocks[:VIEW_BLOCK_LIMIT]}


def message(text: str, blocks: list[Block]) -> dict[str, Any]:
    """A message body with its notification fallback text, capped at Slack's 50 blocks."""
    return {"text": clip(text, 3000), "blocks": blocks[:MESSAGE_BLOCK_LIMIT]}


def option_for(customer: Customer, lang: Lang) -> dict[str, Any]:
    """A customer as a type-ahead option: the name, and where it belongs."""
    where = customer.region or ("" if customer.owner_id else lang.gettext("in the pool"))
    label = f"{customer.name} · {where}" if where else customer.name
    return option(escape(label), str(customer.id))


def customer_picker(lang: Lang, customer: Customer | None) -> dict[str, Any]:
    """The type-ahead every form uses to choose a customer, preset when the form is for one."""
    return external_select(
        Action.CUSTOMER_PICK,
        initial=option_for(customer, lang) if customer else None,
        placeholder=lang.gettext("Type part of the name"),
    )
