"""Checks every payload the bot sends against Slack's rules, as Slack would (and a little stricter)."""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
_BROADCAST = re.compile(r"<!(channel|here|everyone)(\|[^>]*)?>")


def broadcast_mentions(payload: Any) -> list[str]:
    """Every raw `<!channel>`, `<!here>` or `<!everyone>` anywhere in the payload."""
    found: list[str] = []
    if isinstance(payload, str):
        found.extend(match.group(0) for match in _BROADCAST.finditer(payload))
    elif isinstance(payload, dict):
        for value in payload.values():
            found.extend(broadcast_mentions(value))
    elif isinstance(payload, list):
        for value in payload:
            found.extend(broadcast_mentions(value))
    return found


def message_problems(payload: dict[str, Any]) -> list[str]:
    """Why Slack would refuse (or we would be ashamed of) a message payload; empty when fine."""
    problems = [f"broadcast mention {m}" for m in broadcast_mentions(payload)]
    blocks = payload.get("blocks") or []
    if len(blocks) > MESSAGE_BLOCK_LIMIT:
        problems.append(f"{len(blocks)} blocks in a message (limit {MESSAGE_BLOCK_LIMIT})")
    if blocks and not payload.get("text"):
        problems.append("blocks without a fallback text")
    problems.extend(_block_problems(blocks))
    return problems


def view_problems(view: dict[str, Any]) -> list[str]:
    problems = [f"broadcast mention {m}" for m in broadcast_mentions(view)]
    blocks = view.get("blocks") or []
    if len(blocks) > VIEW_BLOCK_LIMIT:
        problems.append(f"{len(blocks)} blocks in a view (limit {VIEW_BLOCK_LIMIT})")
    if (
        view.get("type") == "modal"
        and any(b.get("type") == "input" for b in blocks)
        and not view.get("submit")
    ):
        problems.append("a modal with inputs needs a submit button")
    block_ids = [b["block_id"] for b in blocks if b.get("block_id")]
    if len(block_ids) != len(set(block_ids)):
        problems.append("duplicate block_id")
    try:
        View(**view).to_dict()
    except (SlackObjectFormationError, TypeError, ValueError) as error:
        problems.append(f"invalid view: {error}")
    problems.extend(_block_problems(blocks))
    return problems


def _block_problems(blocks: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    for block in blocks:
        try:
            parsed = Block.parse(block)
            if parsed is None:
                problems.append(f"unknown block type {block.get('type')!r}")
            else:
                parsed.to_dict()  # validates nested elements too
        except (SlackObjectFormationError, TypeError, ValueError, KeyError) as error:
            problems.append(f"invalid block {block.get('type')!r}: {error}")
    return problems
