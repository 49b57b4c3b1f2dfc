"""The morning reminders' opportunities (past their expected close date, or idle in their stage longer
than it allows) and their *Snooze*."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.env import Env
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.rules import opportunities as rules
from bot.services.opportunities import current_for_change, stages_in
from bot.services.people import Actor
from store import opportunities as store
from store.models import Opportunity, OpportunityStage


@dataclass(frozen=True)
class NeedsAttention:
    """An open opportunity its owner is reminded of: past its expected close date, or idle in its stage."""

    opportunity: Opportunity
    customer_name: str
    stage: OpportunityStage | None
    total: int  # how many the owner has, of which the first few are shown


def needing_attention(
    env: Env, workspace_id: str, owners: list[str], today: date, *, per_owner: int
) -> dict[str, list[NeedsAttention]]:
    """The morning reminders' opportunities, per owner."""
    with env.db.session() as session:
        stages = {stage.id: stage for stage in stages_in(session, workspace_id)}
        found = store.needing_attention(
            session, workspace_id=workspace_id, owners=owners, today=today, per_owner=per_owner
        )
    return {
        owner: [NeedsAttention(o, name, stages.get(o.stage_id), total) for o, name, total in rows]
        for owner, rows in found.items()
    }


def snooze(env: Env, actor: Actor, number: int, days: int) -> date:
    """Left out of the morning reminders for `days` days (its owner, their manager or an admin)."""
    if days not in rules.SNOOZE_DAYS:
        raise InvalidInput(N_("That opportunity no longer exists."))
    until = actor.today(env) + timedelta(days=days)
    with env.db.session() as session:
        current = current_for_change(session, actor, number)
        store.snooze(session, workspace_id=actor.workspace_id, number=current.id, until=until)
    return until
