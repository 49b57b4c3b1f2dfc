"""Merging duplicates through signed requests: Merge… on the card, the duplicate picked, both side by
side with what the survivor keeps, everything moved, facts read again, both histories, the duplicate's
owner told; the duplicate's old buttons, links and name lead to the survivor; who may merge, and merges
refused when stale, doubled or pointless, changing nothing."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, func, select

from bot.views.ids import Action
from store.models import Customer, Order, Person, Visit
from tests import builders
from tests.conftest import ADMIN, CHINESE_REP, MANAGER, OTHER_REP, REP
from tests.test_corrections import log_order, log_visit
from tests.test_followups import team


def open_merge(slack, standin, user: str, survivor: Customer) -> dict[str, Any]:
    seen = standin.count("views.open")
    assert slack.button(user, Action.CUSTOMER_MERGE, str(survivor.id)).status == 200
    return dict(standin.next_call("views.open", after=seen)["view"])


def pick(slack, standin, user: str, survivor: Customer, duplicate: Customer) -> dict[str, Any]:
    """The side-by-side form, as the pick's ack turned the modal into it."""
    answer = slack.submit(
        user, open_merge(slack, standin, user, survivor), {"customer": str(duplicate.id)}
    ).json
    assert answer["response_action"] == "update", answer
    return dict(answer["view"])


def stored(env, customer: Customer) -> Customer:
    with env.db.session() as session:
        found = session.get(Customer, customer.id)
        assert found is not None
        session.expunge(found)
        return found


def count(env, model: type[Visit] | type[Order], customer: Customer) -> int:
    with env.db.session() as session:
        return int(session.exec(select(func.count()).where(col(model.customer_id) == customer.id)).one())


def pair(env) -> tuple[Customer, Customer]:
    team(env)
    survivor = builders.customer(env, "Acme Trading", owner=REP, phone="138 0013 8000")
    duplicate = builders.customer(
        env, "Acme Ltd Shanghai", owner=OTHER_REP, phone="138 0013 9999", region="East China"
    )
    return survivor, duplicate


def test_a_manager_merges_a_duplicate_and_the_survivor_has_everything(env, slack, standin):
    survivor, duplicate = pair(env)
    log_visit(env, slack, standin, survivor, visited_on="2026-11-10")
    log_visit(env, slack, standin, duplicate, user=OTHER_REP, visited_on="2026-11-20", satisfaction="5")
    log_order(env, slack, standin, duplicate, user=OTHER_REP, amount="5000", ordered_on="2026-11-02")
    form = pick(slack, standin, MANAGER, survivor, duplicate)
    shown = str(form["blocks"])
    assert all(value in shown for value in ("Acme Trading", "Acme Ltd Shanghai", "East China"))
    assert {block["block_id"] for block in form["blocks"] if block["type"] == "input"} == {
        "keep_name",
        "keep_phone",
    }

    assert slack.submit(MANAGER, form, {"keep_phone": "take"}).json == {"response_action": "clear"}

    kept = stored(env, survivor)
    assert (kept.name, kept.phone, kept.region, kept.owner_id) == (
        "Acme Trading",
        "138 0013 9999",
        "East China",
        REP,
    )
    assert (count(env, Visit, survivor), count(env, Order, survivor)) == (2, 1)
    assert (str(kept.last_visit_on), kept.last_satisfaction, kept.order_count) == ("2026-11-20", 5, 1)
    assert kept.dealt_at is not None
    assert kept.stage == "new"
    aside = stored(env, duplicate)
    assert (aside.merged_into, aside.workspace_id) == (survivor.id, f"{builders.WORKSPACE}~merged")

    card = slack.command(MANAGER, "/customer", "Acme Trading").text
    assert f"<@{MANAGER}> merged the duplicate “Acme Ltd Shanghai” into it" in card
    assert f"<@{MANAGER}> changed the phone from “138 0013 8000” to “138 0013 9999”" in card
    told = standin.wait_for("chat.postMessage", 1)
    dm = [call.args for call in told if call.args.get("channel") == OTHER_REP]
    assert "merged *Acme Ltd Shanghai* into *Acme Trading*, which belongs to" in str(dm)


def test_the_duplicates_old_buttons_links_and_name_lead_to_the_survivor(env, slack, standin):
    survivor, duplicate = pair(env)
    form = pick(slack, standin, ADMIN, survivor, duplicate)
    slack.submit(ADMIN, form, {})

    assert "Acme Trading" in slack.command(REP, "/customer", "Acme Ltd Shanghai").text, (
        "the old name finds it"
    )
    slack.button(REP, Action.CUSTOMER_VIEW, str(duplicate.id))  # an old card's View button
    assert "'text': 'Customer Acme Trading'" in str(standin.wait_for_response(f"btn-{REP}")[-1])
    seen = standin.count("views.open")
    slack.button(REP, Action.VISIT_OPEN, str(duplicate.id))  # an old card's Log visit
    opened = standin.next_call("views.open", after=seen)["view"]
    assert "Acme Trading" in str(opened["blocks"])
    view = {**opened, "id": "V1", "hash": "h"}
    assert slack.submit(REP, view, {"note": "after the merge"}).json == {"response_action": "clear"}
    assert count(env, Visit, survivor) == 1, "logged on the survivor"


def test_an_old_claim_button_of_a_merged_pool_customer_claims_the_survivor(env, slack, standin):
    team(env)
    survivor = builders.customer(env, "Harbor Lights", owner=None)
    duplicate = builders.customer(env, "Harbor Lights Trading", owner=None)
    slack.submit(ADMIN, pick(slack, standin, ADMIN, survivor, duplicate), {})
    slack.button(REP, Action.POOL_CLAIM, str(duplicate.id))
    standin.wait_for_response(f"btn-{REP}")
    assert stored(env, survivor).owner_id == REP


def test_only_admins_and_the_team_manager_merge_and_never_a_customer_into_itself(env, slack, standin):
    survivor, duplicate = pair(env)
    buttons = str(slack.command(REP, "/customer", "Acme Trading").json)
    assert Action.CUSTOMER_MERGE not in buttons
    assert Action.CUSTOMER_MERGE in str(slack.command(MANAGER, "/customer", "Acme Trading").json)
    seen = standin.count("views.open")
    slack.button(REP, Action.CUSTOMER_MERGE, str(survivor.id))  # a forged press
    assert "can merge Acme Trading" in str(standin.wait_for_response(f"btn-{REP}")[-1])
    assert standin.count("views.open") == seen, "refused before the form opens"

    itself = slack.submit(
        MANAGER, open_merge(slack, standin, MANAGER, survivor), {"customer": str(survivor.id)}
    ).json
    assert itself["response_action"] == "errors"
    assert "cannot be merged into itself" in str(itself["errors"])
    assert stored(env, duplicate).merged_into is None


def test_two_merges_at_once_and_a_change_meanwhile_are_refused_and_change_nothing(env, slack, standin):
    survivor, duplicate = pair(env)
    first, second = (
        pick(slack, standin, MANAGER, survivor, duplicate),
        pick(slack, standin, ADMIN, survivor, duplicate),
    )
    assert slack.submit(MANAGER, first, {}).json == {"response_action": "clear"}
    late = slack.submit(ADMIN, second, {}).json
    assert late["response_action"] == "errors"
    assert "merged or removed meanwhile" in str(late["errors"])

    third = builders.customer(env, "Acme Trading Co", owner=REP)
    form = pick(slack, standin, MANAGER, survivor, third)
    with env.db.session() as session:
        row = session.get(Customer, third.id)
        assert row is not None
        row.region, row.updated_at = "West", row.updated_at.replace(microsecond=1)
    stale = slack.submit(MANAGER, form, {}).json
    assert "changed while you were merging" in str(stale["errors"])
    assert stored(env, third).merged_into is None


def test_in_chinese_the_merge_reads_as_written(env, slack, standin):
    slack.command(CHINESE_REP, "/crm", "help")
    with env.db.session() as session:  # Wang is an admin
        wang = session.get(Person, (builders.WORKSPACE, CHINESE_REP))
        assert wang is not None
        wang.role = "admin"
    survivor = builders.customer(env, "上海华东贸易有限公司", owner=None)
    duplicate = builders.customer(env, "华东贸易", owner=None)
    form = pick(slack, standin, CHINESE_REP, survivor, duplicate)
    assert form["title"]["text"] == "合并重复客户"
    slack.submit(CHINESE_REP, form, {})
    card = slack.command(CHINESE_REP, "/customer", "上海华东贸易有限公司").text
    assert f"<@{CHINESE_REP}> 把重复客户“华东贸易”合并了进来" in card
