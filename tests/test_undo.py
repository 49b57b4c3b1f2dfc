"""Undo: the person who released a customer or marked it lost takes it back within 10 minutes, as it
was (owner, clocks, follow-up, lock, stage), unless someone claimed it meanwhile; the history keeps both
lines; anyone else, or later, is told why not and nothing changes."""

from __future__ import annotations

import time
from datetime import date, timedelta

from bot.views.ids import Action
from store.models import Customer
from tests import builders
from tests.conftest import NOW, OTHER_REP, REP
from tests.test_followups import team
from tests.test_pool import card_buttons, release

FIELDS = ("owner_id", "owned_since", "recycle_clock_from", "next_follow_up", "pool_since", "stage", "lost_at")


def facts(env, customer: Customer) -> dict[str, object]:
    with env.db.session() as session:
        row = session.get(Customer, customer.id)
        assert row is not None
        return {name: getattr(row, name) for name in FIELDS}


def press_undo(slack, standin, user: str, customer: Customer, says: str) -> str:
    seen = len(standin.responses_to(f"btn-{user}"))
    slack.button(user, Action.CUSTOMER_UNDO, str(customer.id))
    return answer_saying(standin, user, says, after=seen)


def answer_saying(standin, user: str, words: str, after: int = 0) -> str:
    """The first answer to `user`'s presses, past the `after` first, that says `words` (lazy answers
    come after the ack)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        said = [str(r) for r in standin.responses_to(f"btn-{user}")[after:] if words in str(r)]
        if said:
            return said[0]
        time.sleep(0.05)
    raise AssertionError(f"no answer saying {words!r}")


def released(slack, standin, user: str, customer: Customer) -> str:
    """Release it, and wait for the confirmation (sent after the form closes): what it says."""
    release(slack, standin, user, customer, reason="not_interested")
    return answer_saying(standin, user, "is back in the pool")


def owned_customer(env) -> Customer:
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP, next_follow_up=date(2026, 12, 1))
    with env.db.session() as session:
        row = session.get(Customer, acme.id)
        assert row is not None
        row.owned_since = row.recycle_clock_from = NOW - timedelta(days=20)
    return acme


def test_a_release_undone_within_ten_minutes_puts_everything_back(slack, standin, env, clock):
    acme = owned_customer(env)
    before = facts(env, acme)
    confirmation = released(slack, standin, REP, acme)
    assert facts(env, acme)["owner_id"] is None
    assert "customer.undo" in confirmation, "the confirmation offers Undo"
    clock.advance(timedelta(minutes=9))

    answer = press_undo(slack, standin, REP, acme, "undid the release")

    assert facts(env, acme) == before, "owner, clocks and follow-up as they were"
    assert "undid the release" in answer
    assert "released it to the pool" in answer, "the history keeps the release"
    assert "customer.undo" not in answer, "nothing left to undo"


def test_after_ten_minutes_or_a_claim_the_release_stands(slack, standin, env, clock):
    acme = owned_customer(env)
    released(slack, standin, REP, acme)
    clock.advance(timedelta(minutes=11))
    assert press_undo(slack, standin, REP, acme, "can be undone for 10 minutes only")
    assert facts(env, acme)["owner_id"] is None

    beta = builders.customer(env, "Beta Works", owner=REP)
    released(slack, standin, REP, beta)
    slack.button(OTHER_REP, "pool.claim", str(beta.id))
    standin.wait_for_response(f"btn-{OTHER_REP}")
    assert press_undo(
        slack, standin, REP, beta, f"<@{OTHER_REP}> claimed Beta Works meanwhile: the release stands."
    )
    assert facts(env, beta)["owner_id"] == OTHER_REP


def test_only_the_person_who_released_it_may_undo_and_only_they_see_undo(slack, standin, env):
    acme = owned_customer(env)
    released(slack, standin, REP, acme)
    assert Action.CUSTOMER_UNDO in card_buttons(slack, REP, "Acme Trading")
    assert Action.CUSTOMER_UNDO not in card_buttons(slack, OTHER_REP, "Acme Trading")
    assert press_undo(slack, standin, OTHER_REP, acme, f"Only <@{REP}>, who made this change, can undo it.")
    assert facts(env, acme)["owner_id"] is None


def test_marking_lost_can_be_undone_once(slack, standin, env):
    acme = owned_customer(env)
    before = facts(env, acme)
    seen = standin.count("views.open")
    slack.button(REP, Action.CUSTOMER_MARK_LOST, str(acme.id))
    form = standin.next_call("views.open", after=seen)["view"]
    assert slack.submit(REP, form, {"reason": "went with a competitor"}).json == {"response_action": "clear"}
    answer_saying(standin, REP, "Marked lost")
    assert facts(env, acme)["lost_at"] is not None
    assert Action.CUSTOMER_UNDO in card_buttons(slack, REP, "Acme Trading")

    assert press_undo(slack, standin, REP, acme, "undid marking it lost")
    assert facts(env, acme) == before
    assert press_undo(slack, standin, REP, acme, "there is nothing to undo")
