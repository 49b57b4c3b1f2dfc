"""Claims at the same moment, against the real database: one owner, limits that hold; batched announcements."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from slack_sdk import WebClient
from sqlmodel import col

from bot import notify
from bot.errors import UserError
from bot.messaging import pool as pool_messages
from bot.services import pool
from bot.services import settings as settings_service
from bot.services.people import Actor
from bot.views import errors as error_views
from store.models import Customer, OwnershipEvent, Person
from tests import builders
from tests.conftest import ADMIN

REPS = [f"U0RACE{number:02d}" for number in range(20)]


def actor(user_id: str, role: str = "rep") -> Actor:
    return Actor(builders.WORKSPACE, user_id, user_id, role, None, "Asia/Shanghai", "en")


def all_at_once(calls):
    """Run the calls in threads released together; each result or the UserError it raised."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        try:
            return call()
        except UserError as error:
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as threads:
        return list(threads.map(run, calls))


def pool_customer(env, name: str) -> int:
    customer_id = builders.customer(env, name, owner=None).id
    assert customer_id is not None
    return customer_id


def count(env, query) -> int:
    with env.db.session() as session:
        return int(session.scalar(query) or 0)


def claims_of(env, customer_id: int) -> int:
    return count(
        env,
        sa.select(sa.func.count())
        .select_from(OwnershipEvent)
        .where(col(OwnershipEvent.customer_id) == customer_id, col(OwnershipEvent.kind) == "claim"),
    )


def test_twenty_reps_claiming_one_customer_at_once_make_one_owner(env):
    for rep in REPS:
        builders.person(env, rep)
    acme = pool_customer(env, "Acme Trading")
    results = all_at_once([lambda rep=rep: pool.claim(env, actor(rep), acme) for rep in REPS])
    winners = [r for r in results if isinstance(r, pool.Claimed)]
    assert len(winners) == 1
    with env.db.session() as session:
        owner = session.get(Customer, acme).owner_id
    losers = [r for r in results if not isinstance(r, pool.Claimed)]
    assert all(f"<@{owner}>" in error_views.mrkdwn(r, actor(REPS[0]).lang) for r in losers)
    assert claims_of(env, acme) == 1


def test_one_rep_clicking_five_times_at_once_claims_once(env):
    builders.person(env, REPS[0])
    acme = pool_customer(env, "Acme Trading")
    results = all_at_once([lambda: pool.claim(env, actor(REPS[0]), acme)] * 5)
    assert sum(isinstance(r, pool.Claimed) for r in results) == 1
    assert claims_of(env, acme) == 1
    with env.db.session() as session:
        assert session.get(Person, (builders.WORKSPACE, REPS[0])).claims_on_day == 1


def test_the_daily_limit_holds_when_one_rep_claims_many_at_once(env):
    builders.person(env, REPS[0])
    customers = [pool_customer(env, f"Pool customer {n}") for n in range(15)]
    results = all_at_once([lambda c=c: pool.claim(env, actor(REPS[0]), c) for c in customers])
    assert sum(isinstance(r, pool.Claimed) for r in results) == 10
    owned = sa.select(sa.func.count()).select_from(Customer).where(col(Customer.owner_id) == REPS[0])
    assert count(env, owned) == 10
    refusals = [r for r in results if isinstance(r, UserError)]
    assert all("daily limit" in error_views.plain(r, actor(REPS[0]).lang) for r in refusals)


def test_the_holding_cap_holds_when_one_rep_claims_many_at_once(env):
    builders.person(env, ADMIN, role="admin")
    settings_service.save(env, actor(ADMIN, "admin"), {"holding_cap": "5", "daily_claim_limit": "100"})
    builders.person(env, REPS[0])
    builders.customer(env, "Already held", owner=REPS[0])
    customers = [pool_customer(env, f"Pool customer {n}") for n in range(10)]
    results = all_at_once([lambda c=c: pool.claim(env, actor(REPS[0]), c) for c in customers])
    assert sum(isinstance(r, pool.Claimed) for r in results) == 4
    owned = sa.select(sa.func.count()).select_from(Customer).where(col(Customer.owner_id) == REPS[0])
    assert count(env, owned) == 5


def announce(env, batch):
    with env.db.session() as session:
        return pool_messages.queue(env, session, builders.WORKSPACE, batch)


def test_a_batch_is_posted_in_messages_within_fifty_blocks_and_a_claim_updates_only_its_message(env, standin):
    builders.person(env, ADMIN, role="admin")
    standin.add_channel("C0POOL", "pool")
    settings_service.save(env, actor(ADMIN, "admin"), {"pool_channel": "C0POOL"})
    batch = [pool_customer(env, f"Recycled {n:03d}") for n in range(100)]
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    queued = announce(env, batch)
    assert len(queued) == 3
    assert standin.count("chat.postMessage") == 0
    assert notify.deliver_due(env, client, pacer=notify.Pacer(sleep=lambda _: None)).sent == 3
    posts = standin.calls_to("chat.postMessage")
    assert [len(p.args["blocks"]) for p in posts] == [42, 42, 22]
    shown = " ".join(str(p.args["blocks"]) for p in posts)
    assert all(f"Recycled {n:03d}" in shown for n in range(100))

    builders.person(env, REPS[0])
    claimed = pool.claim(env, actor(REPS[0]), batch[45])
    assert len(claimed.updates) == 1  # queued with the claim, for the one message showing it
    notify.deliver_now(env, client, claimed.updates, workspace_id=builders.WORKSPACE)
    update = standin.last("chat.update")
    assert update["ts"] == posts[1].answer["ts"]
    assert f"claimed by <@{REPS[0]}>" in str(update["blocks"])
    buttons = [b for b in update["blocks"] if b.get("accessory")]
    assert len(buttons) == 39  # every other row of that message can still be claimed


def test_a_claim_before_the_outbox_sent_the_announcement_is_shown_when_it_goes_out(env, standin):
    builders.person(env, ADMIN, role="admin")
    builders.person(env, REPS[0])
    standin.add_channel("C0POOL", "pool")
    settings_service.save(env, actor(ADMIN, "admin"), {"pool_channel": "C0POOL"})
    batch = [pool_customer(env, f"Recycled {n}") for n in range(3)]
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    announce(env, batch)
    claimed = pool.claim(env, actor(REPS[0]), batch[1])
    notify.deliver_now(env, client, claimed.updates, workspace_id=builders.WORKSPACE)
    assert standin.count("chat.update") == 0  # nothing to update in Slack yet: the update waits for it
    notify.deliver_due(env, client, pacer=notify.Pacer(sleep=lambda _: None))
    [post] = standin.calls_to("chat.postMessage")
    assert f"claimed by <@{REPS[0]}>" in str(post.args["blocks"])
