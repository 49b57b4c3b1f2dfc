"""Test data builders: people and customers written through the real store."""

from __future__ import annotations

from typing import Any

from bot.env import Env
from bot.rules import names
from store import customers as customer_store
from store import people as people_store
from store.models import Customer
from tests.conftest import NOW

WORKSPACE = "T0TIDE"


def person(
    env: Env, user_id: str, *, role: str = "rep", manager_id: str | None = None, name: str = ""
) -> None:
    with env.db.session() as session:
        people_store.add_workspace_if_missing(
            session=session,
            values={
                "id": WORKSPACE,
                "timezone": "Asia/Shanghai",
                "country": "CN",
                "currency": "CNY",
                "created_at": NOW,
            },
        )
        people_store.add_person_if_missing(
            session=session,
            values={
                "workspace_id": WORKSPACE,
                "user_id": user_id,
                "name": name or user_id,
                "role": role,
                "manager_id": manager_id,
                "timezone": "Asia/Shanghai",
                "slack_locale": "en-US",
                "profile_checked_at": NOW,
                "profile_synced": True,
                "created_at": NOW,
            },
        )


def customer(
    env: Env, name: str, *, owner: str | None, level: str = "B", phone: str = "", **values: Any
) -> Customer:
    if owner is None:
        values.setdefault("pool_since", NOW)
    row = Customer(
        workspace_id=WORKSPACE,
        name=name,
        name_key=names.name_key(name),
        phone=phone,
        phone_key=names.phone_key(phone, "CN") if phone else None,
        level=level,
        owner_id=owner,
        owned_since=NOW if owner else None,
        created_by=owner or "U0ADMIN",
        created_at=NOW,
        updated_at=NOW,
        **values,
    )
    with env.db.session() as session:
        return customer_store.add_customer(session=session, customer=row, terms=names.search_terms(name))


def open_form(
    slack: Any, standin: Any, command: str, text: str = "", *, user: str = "U0MEI"
) -> dict[str, Any]:
    """Send a slash command that opens a modal; the modal as it reached Slack's views.open, with the id
    and hash Slack gave it (a submission carries them: the bot knows a repeated one by them)."""
    seen = standin.count("views.open")
    reply = slack.command(user, command, text)
    assert reply.status == 200, "a form opens after an empty ack"
    assert reply.raw == "", "a form opens after an empty ack"
    opened = standin.wait_for("views.open", seen + 1)[seen]
    shown = opened.answer["view"]
    return {**opened.args["view"], "id": shown["id"], "hash": shown["hash"]}
