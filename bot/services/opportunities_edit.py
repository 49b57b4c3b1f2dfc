"""*Edit* on an opportunity's card: its title, amount (currency and rate), probability, expected close
date, products and next step; its stage moves with *Next stage* and *Set stage*. Written only from the
version the person saw, with the fields that changed named in the history."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.env import Env
from bot.rules import money
from bot.services.opportunities import apply_change, current_for_change, require_open, stages_in
from bot.services.opportunity_drafts import OpportunityDraft, validate_new
from bot.services.people import Actor
from store.models import CHANGE_EDITED, Opportunity

EDITED = ("title", "amount_minor", "currency", "rate", "amount_base_minor", "probability", "expected_close_on",
          "products", "next_step")  # fmt: skip


def edit_opportunity(
    env: Env, actor: Actor, number: int, *, seen_version: int, draft: OpportunityDraft
) -> Opportunity:
    """The opportunity as edited; unchanged (nothing written) when nothing differs."""
    with env.db.session() as session:
        current = current_for_change(session, actor, number)
        require_open(current)
        stages = stages_in(session, actor.workspace_id)
        own_stage = replace(draft, stage_id=current.stage_id, customer_id=current.customer_id)
        valid = validate_new(
            own_stage, stages, base_currency=actor.currency, today=actor.today(env), new=False
        )
        values: dict[str, Any] = {
            "title": valid.title,
            "amount_minor": money.to_minor(valid.amount, valid.currency),
            "currency": valid.currency,
            "rate": str(valid.rate),
            "amount_base_minor": money.convert_minor(valid.amount, valid.rate, actor.currency),
            "probability": valid.probability,
            "expected_close_on": valid.expected_close_on,
            "products": valid.products,
            "next_step": valid.next_step,
        }
        changed = [name for name in EDITED if getattr(current, name) != values[name]]
        if not changed:
            return current
        note = ", ".join(changed)
        return apply_change(session, env, actor, current, seen_version, values, CHANGE_EDITED, note=note)
