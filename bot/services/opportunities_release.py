"""What becomes of a customer's open opportunities when the customer goes back to the pool: the person
releasing it chooses (`/release` asks when it has some). *Lose* marks each one lost, with the reason
"released with the customer"; *keep* leaves them open with their owners, who keep working them (an
opportunity has its own owner). A release undone in its minutes reopens what it lost, in the stage
each was in."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.env import Env
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.rules import opportunities as rules
from bot.services.opportunities import apply_change, closing_values, stages_in
from bot.services.people import Actor
from store import opportunities as store
from store.models import CHANGE_LOST, CHANGE_REOPENED, Opportunity

LOSE, KEEP = "lose", "keep"
CHOICES = (LOSE, KEEP)
RELEASED = "released"  # the lost reason a release gives


def check_choice(choice: str) -> str:
    if choice not in CHOICES:
        raise InvalidInput(N_("Choose what becomes of its open opportunities."), field="opportunities")
    return choice


def count_open(env: Env, actor: Actor, customer_id: int) -> int:
    with env.db.session() as session:
        return len(store.open_of_customer(session, workspace_id=actor.workspace_id, customer_id=customer_id))


def with_release(session: Session, env: Env, actor: Actor, customer_id: int, choice: str) -> int:
    """In the release's transaction: the customer's open opportunities lost (LOSE) or left (KEEP); how
    many were lost. The release's own rights stand for them."""
    if choice == KEEP:
        return 0
    found = store.open_of_customer(session, workspace_id=actor.workspace_id, customer_id=customer_id)
    for opportunity in found:
        values = closing_values(session, env, actor, opportunity, rules.LOST)
        values.update(lost_reason_key=RELEASED, lost_reason="")
        apply_change(session, env, actor, opportunity, opportunity.version, values, CHANGE_LOST)
    return len(found)


def reopen_after_undo(
    session: Session, env: Env, actor: Actor, customer_id: int, released_at: datetime
) -> int:
    """The opportunities the undone release lost, open again in the stage each was in; how many."""
    lost = store.lost_by_release(
        session, workspace_id=actor.workspace_id, customer_id=customer_id, since=released_at, reason=RELEASED
    )
    stages = {stage.id: stage for stage in stages_in(session, actor.workspace_id)}
    for number, stage_id in lost:
        opportunity = session.get(Opportunity, (actor.workspace_id, number))
        stage = stages.get(stage_id) if stage_id is not None else None
        if opportunity is None or stage is None:
            continue
        values = {"stage_id": stage.id, "probability": stage.probability, "stage_since": env.clock.now(),
                  "closed_at": None, "lost_reason_key": "", "lost_reason": ""}  # fmt: skip
        apply_change(session, env, actor, opportunity, opportunity.version, values, CHANGE_REOPENED)
    return len(lost)
