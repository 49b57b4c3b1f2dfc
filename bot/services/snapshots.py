"""What a move changed on a customer, kept as it was so that the move can be undone (bot/services/undo.py):
the fields as JSON in the move's history row, days and moments tagged so they read back as such."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from store.models import MOVE_LOST, MOVE_RELEASE, Customer, OwnershipEvent

UNDO_WINDOW = timedelta(minutes=10)  # how long the person who released or marked lost may undo it

# What a release changes on the customer besides the owner, and what marking it lost changes.
RELEASED_FIELDS = (
    "owned_since", "recycle_clock_from", "recycle_extended_until", "next_follow_up", "locked_by", "locked_at",
    "previous_owner_id",
)  # fmt: skip
LOST_FIELDS = ("stage", "stage_since")


def snapshot(customer: Customer, fields: Sequence[str]) -> str:
    """The fields as they are now, for an undo: days and moments tagged so they read back as such."""
    return json.dumps({name: _tagged(getattr(customer, name)) for name in fields})


def _tagged(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"at": value.isoformat()}
    if isinstance(value, date):
        return {"day": value.isoformat()}
    return value


def _untagged(value: Any) -> Any:
    if isinstance(value, dict) and "at" in value:
        return datetime.fromisoformat(value["at"])
    if isinstance(value, dict) and "day" in value:
        return date.fromisoformat(value["day"])
    return value


def restored(kept: str) -> dict[str, Any]:
    """The fields as `snapshot` kept them."""
    return {name: _untagged(value) for name, value in json.loads(kept).items()}


def may_undo(move: OwnershipEvent | None, user_id: str, now: datetime) -> bool:
    """Whether `user_id` may undo `move`, the customer's latest: their own release or mark lost, kept,
    within UNDO_WINDOW."""
    return (
        move is not None
        and move.kind in (MOVE_RELEASE, MOVE_LOST)
        and move.undo is not None
        and move.actor_id == user_id
        and now - move.at <= UNDO_WINDOW
    )
