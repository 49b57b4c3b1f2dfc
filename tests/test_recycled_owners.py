"""A recycle tells each previous owner, in one message per run, which of their customers went back to
the pool and why; the announcements in the pool channel are unchanged by it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col

from bot.views.ids import Action
from store.models import Customer
from tests import builders
from tests.conftest import NOW, OTHER_REP, REP
from tests.test_followups import run, team


def stale(env, name: str, owner: str) -> None:
    customer = builders.customer(env, name, owner=owner)
    long_ago = NOW - timedelta(days=200)
    with env.db.session() as session:
        session.execute(
            sa.update(Customer)
            .where(col(Customer.id) == customer.id)
            .values(owned_since=long_ago, recycle_clock_from=long_ago)
        )


def test_each_previous_owner_hears_once_of_all_their_customers_recycled(env, standin):
    team(env)
    stale(env, "Acme Trading", REP)
    stale(env, "Beta Works", REP)
    stale(env, "Gamma Foods", OTHER_REP)

    posted = run(env, standin, "recycle")

    to: dict[str, list[str]] = {}
    for message in posted:
        to.setdefault(message["channel"], []).append(str(message["blocks"]))
    assert len(to[REP]) == 1, "one message for both of Mei's"
    assert "2 of your customers went back to the pool" in to[REP][0]
    assert "*Acme Trading*" in to[REP][0]
    assert "*Beta Works*" in to[REP][0]
    assert to[REP][0].count("· no first order in time") == 2, "each with why"
    assert len(to[OTHER_REP]) == 1
    assert "Gamma Foods" in to[OTHER_REP][0]
    assert "Acme" not in to[OTHER_REP][0]
    assert run(env, standin, "recycle") == [], "nothing recycled, nothing said"


def test_the_owner_it_was_recycled_from_hears_who_claimed_it_and_a_releaser_does_not(env, standin, slack):
    team(env)
    stale(env, "Acme Trading", REP)
    run(env, standin, "recycle")
    seen = standin.count("chat.postMessage")
    slack.button(OTHER_REP, Action.POOL_CLAIM, str(customer_id(env, "Acme Trading")))
    told = standin.wait_for("chat.postMessage", seen + 1)[seen].args
    assert told["channel"] == REP
    assert (
        f"<@{OTHER_REP}> claimed *Acme Trading* from the pool, where it had gone back from you."
        in told["text"]
    )

    released = builders.customer(env, "Beta Works", owner=None, previous_owner_id=REP)
    seen = standin.count("chat.postMessage")
    slack.button(OTHER_REP, Action.POOL_CLAIM, str(released.id))
    standin.wait_for_response(f"btn-{OTHER_REP}", 2)
    assert [c.args["channel"] for c in standin.calls_to("chat.postMessage")[seen:]] == [], "no recycle: no DM"


def customer_id(env, name: str) -> int:
    with env.db.session() as session:
        return int(
            session.execute(sa.select(col(Customer.id)).where(col(Customer.name) == name)).scalar_one()
        )
