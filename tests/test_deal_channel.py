"""The deals channel: a new opportunity from the setting's amount announced, a won one celebrated with
its amount in the workspace currency, each post drawn again (chat.update) when its opportunity changes."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from slack_sdk import WebClient

from bot import notify
from bot.services import opportunities
from bot.services import settings as settings_service
from bot.services.opportunities import OpportunityDraft
from bot.services.people import Actor
from tests import builders
from tests.conftest import ADMIN, MANAGER, REP

CHANNEL = "C0DEALS"
CLOSE = date(2026, 11, 23) + timedelta(days=30)
MEI = Actor(builders.WORKSPACE, REP, "Mei", "rep", MANAGER, "Asia/Shanghai", "en")


@pytest.fixture
def acme(env):
    builders.person(env, ADMIN, role="admin")
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER)
    admin = Actor(builders.WORKSPACE, ADMIN, "Ada", "admin", None, "Asia/Shanghai", "en")
    settings_service.save(env, admin, {"deals_channel": CHANNEL, "deal_alert_amount": 100_000})
    return builders.customer(env, "Acme Trading", owner=REP)


def deliver(env, standin) -> None:
    notify.deliver_due(
        env, WebClient(token="xoxb-test", base_url=standin.api_url), pacer=notify.Pacer(sleep=lambda _: None)
    )


def posts(standin, method: str = "chat.postMessage") -> list[dict]:
    return [call.args for call in standin.calls_to(method) if call.args.get("channel") == CHANNEL]


def opened(env, acme, amount: str, title: str = "Cold-chain contract") -> int:
    return opportunities.open_opportunity(env, MEI, OpportunityDraft(acme.id, title, amount, CLOSE)).id


def test_a_small_one_is_not_announced_a_big_one_is_and_its_post_follows_it_to_the_win(env, standin, acme):
    opened(env, acme, "50000", "Samples")
    deliver(env, standin)
    assert posts(standin) == [], "under the amount: not announced"

    big = opened(env, acme, "250000")
    deliver(env, standin)
    [announced] = posts(standin)
    assert "opened #2 Cold-chain contract with Acme Trading: CN¥250,000.00" in announced["text"]
    assert f"<@{REP}>" in announced["text"]

    stages = [s.id for s in opportunities.stages(env, builders.WORKSPACE) if s.outcome == "open"]
    opportunities.move(env, MEI, big, seen_version=1, stage_id=stages[2])
    deliver(env, standin)
    [updated] = posts(standin, "chat.update")
    assert "Now: Proposal · 40%" in json.dumps(updated["blocks"], ensure_ascii=False)

    opportunities.mark_won(env, MEI, big, seen_version=2)
    deliver(env, standin)
    celebrated = [post for post in posts(standin) if "won #2" in post["text"]]
    assert len(celebrated) == 1
    assert ":tada:" in celebrated[0]["text"]
    assert "CN¥250,000.00" in celebrated[0]["text"]
    assert "Now: Won · 100%" in json.dumps(posts(standin, "chat.update")[-1]["blocks"], ensure_ascii=False)
    assert standin.problems == []


def test_any_won_opportunity_is_celebrated_and_a_title_never_pings(env, standin, acme):
    small = opened(env, acme, "5000", "Trial <!channel>")
    opportunities.mark_won(env, MEI, small, seen_version=1)
    deliver(env, standin)
    [celebrated] = posts(standin)
    assert "won #1 Trial &lt;!channel&gt; with Acme Trading: CN¥5,000.00" in celebrated["text"]
    assert "<!channel>" not in json.dumps(celebrated)


def test_no_channel_no_post(env, standin, acme):
    admin = Actor(builders.WORKSPACE, ADMIN, "Ada", "admin", None, "Asia/Shanghai", "en")
    settings_service.save(env, admin, {"deals_channel": None})
    big = opened(env, acme, "900000")
    opportunities.mark_won(env, MEI, big, seen_version=1)
    deliver(env, standin)
    assert posts(standin) == []
