"""The public pool through signed requests: /pool, claims and their refusals, release, assign, locks."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.services import settings as settings_service
from bot.services.people import Actor
from tests import builders
from tests.conftest import ADMIN, MANAGER, NOW, OTHER_REP, REP

POOL_CHANNEL = "C0POOL"


def admin_actor() -> Actor:
    return Actor(builders.WORKSPACE, ADMIN, "Ada", "admin", None, "Asia/Shanghai", "en")


def set_rules(env, **answers):
    builders.person(env, ADMIN, role="admin")
    settings_service.save(env, admin_actor(), answers)


def claim_button(slack, user, customer):
    return slack.button(user, "pool.claim", str(customer.id))


def owner_of(env, customer):
    with env.db.session() as session:
        from store.models import Customer

        return session.get(Customer, customer.id).owner_id


def told(standin, user, number=1):
    """The `number`th answer the person got through the response_url of their button presses."""
    return json.dumps(standin.wait_for_response(f"btn-{user}", number)[number - 1], ensure_ascii=False)


# -- /pool -------------------------------------------------------------------------------------------
def test_pool_lists_pool_customers_with_claim_buttons_and_no_contact_details(slack, env):
    builders.customer(env, "Acme Trading", owner=None, phone="13800138000", region="Shanghai")
    builders.customer(env, "Mine Ltd", owner=REP)
    reply = slack.command(REP, "/pool")
    assert "Acme Trading" in reply.text
    assert "Shanghai" in reply.text
    assert "Mine Ltd" not in reply.text
    assert "13800138000" not in reply.raw
    claims = [b["accessory"] for b in reply.json["blocks"] if b.get("accessory")]
    assert claims
    assert claims[0]["action_id"] == "pool.claim"


def test_pool_filters_by_level_region_industry_and_name(slack, env):
    builders.customer(env, "Acme Trading", owner=None, level="A", region="Shanghai", industry="Retail")
    builders.customer(env, "Beta Works", owner=None, level="B", region="Beijing", industry="Retail")
    builders.customer(env, "华东贸易", owner=None, level="A", region="Beijing", industry="Steel")
    assert _names(slack.command(REP, "/pool", "level:A")) == {"Acme Trading", "华东贸易"}
    assert _names(slack.command(REP, "/pool", "region:beijing")) == {"Beta Works", "华东贸易"}
    assert _names(slack.command(REP, "/pool", "行业：Retail 级别：B")) == {"Beta Works"}
    assert _names(slack.command(REP, "/pool", "acme")) == {"Acme Trading"}
    assert "No customer in the pool matches" in slack.command(REP, "/pool", "level:C").text
    assert "level must be A, B or C" in slack.command(REP, "/pool", "level:Z").text


def test_pool_filters_take_quoted_values_match_the_start_of_any_word_and_say_what_they_read(slack, env):
    builders.customer(env, "Acme Trading", owner=None, region="East China", industry="Food & beverage")
    builders.customer(env, "Beta Works", owner=None, region="North East", industry="Food processing")
    builders.customer(env, "Gamma Steel", owner=None, region="Eastbourne", industry="Steel")
    builders.customer(env, "Delta 100%", owner=None, region="Central", industry="50% off")
    reply = slack.command(REP, "/pool", 'region:"East China" industry:"food & beverage"')
    assert _names(reply) == {"Acme Trading"}
    assert "region “East China” · industry “food &amp; beverage”" in reply.text, "the filters as read"
    assert _names(slack.command(REP, "/pool", "region:east")) == {"Acme Trading", "Beta Works", "Gamma Steel"}
    assert _names(slack.command(REP, "/pool", "industry:food")) == {"Acme Trading", "Beta Works"}
    assert _names(slack.command(REP, "/pool", "区域：“north east”")) == {"Beta Works"}
    assert _names(slack.command(REP, "/pool", "industry:50%")) == {"Delta 100%"}
    none = slack.command(REP, "/pool", "industry:%")  # a wildcard is taken as itself
    assert "No customer in the pool matches industry “%”." in none.text
    assert _names(slack.command(REP, "/pool", "region:ast")) == set(), "the start of a word, not any part"


def _names(reply):
    return {b["text"]["text"].split("*")[1] for b in reply.json["blocks"] if b.get("accessory")}


def test_pool_pages_move_older_and_back_newer(slack, standin, env, clock):
    for number in range(25):
        clock.advance(timedelta(minutes=1))
        builders.customer(env, f"Pool customer {number:02d}", owner=None, pool_since=clock.now())
    first = slack.command(REP, "/pool")
    assert _names(first) == {f"Pool customer {n:02d}" for n in range(15, 25)}
    older = _nav(first, "Older")
    seen = standin.count("respond")
    slack.button(REP, "pool.page", older)
    second = standin.next_call("respond", after=seen)
    assert second["replace_original"] is True
    assert _names_in(second) == {f"Pool customer {n:02d}" for n in range(5, 15)}
    seen = standin.count("respond")
    slack.button(REP, "pool.page", _nav_in(second, "Older"))
    third = standin.next_call("respond", after=seen)
    assert _names_in(third) == {f"Pool customer {n:02d}" for n in range(0, 5)}
    assert _nav_in(third, "Older") is None
    seen = standin.count("respond")
    slack.button(REP, "pool.page", _nav_in(third, "Newer"))
    assert _names_in(standin.next_call("respond", after=seen)) == {
        f"Pool customer {n:02d}" for n in range(5, 15)
    }


def _nav(reply, label):
    return _nav_in(reply.json, label)


def _nav_in(message, label):
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if block["type"] == "actions" and label in element["text"]["text"]:
                return element["value"]
    return None


def _names_in(message):
    return {b["text"]["text"].split("*")[1] for b in message["blocks"] if b.get("accessory")}


# -- claims ------------------------------------------------------------------------------------------
def test_claim_makes_the_rep_the_owner_and_shows_the_contact_and_history(slack, env):
    acme = builders.customer(env, "Acme Trading", owner=None, phone="13800138000")
    reply = slack.command(REP, "/claim", "Acme")
    assert "is yours now" in reply.text
    assert "Claims left today: 9" in reply.text
    assert owner_of(env, acme) == REP
    card = slack.command(REP, "/customer", "Acme").text
    assert "13800138000" in card
    assert "claimed it from the pool" in card


def test_claim_button_on_a_card_claims_and_answers_with_the_card(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=None)
    card = slack.command(REP, "/customer", "Acme").json
    claim = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert claim["action_id"] == "pool.claim"
    assert slack.button(REP, "pool.claim", claim["value"]).status == 200
    assert "Release" in told(standin, REP)
    assert owner_of(env, acme) == REP


def test_a_customer_someone_owns_cannot_be_claimed(slack, env):
    builders.customer(env, "Acme Trading", owner=OTHER_REP)
    reply = slack.command(REP, "/claim", "Acme")
    assert f"belongs to <@{OTHER_REP}>" in reply.text


def test_a_second_click_on_claim_is_not_a_second_claim(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=None)
    claim_button(slack, REP, acme)
    assert "Release" in told(standin, REP, 1)  # the first click's answer: the card
    claim_button(slack, REP, acme)
    assert "already yours" in told(standin, REP, 2)
    with env.db.session() as session:
        from store.models import OwnershipEvent

        claims = session.query(OwnershipEvent).filter_by(customer_id=acme.id, kind="claim").count()
    assert claims == 1


def test_the_daily_limit_names_when_it_frees_up_in_the_reps_time_zone(slack, env):
    set_rules(env, daily_claim_limit="2")
    for name in ("Acme", "Beta", "Gamma"):
        builders.customer(env, f"{name} Trading", owner=None)
    slack.command(REP, "/claim", "Acme Trading")
    slack.command(REP, "/claim", "Beta Trading")
    refused = slack.command(REP, "/claim", "Gamma Trading").text
    assert "claimed 2 customers today, the daily limit" in refused
    assert "Nov 24 00:00" in refused  # midnight in Shanghai, where the rep is


def card_buttons(slack, user: str, name: str) -> set[str]:
    card = slack.command(user, "/customer", name).json
    return {e["action_id"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]}


def test_a_card_offers_claim_only_to_one_who_may_claim_now_and_says_why_not(slack, standin, env):
    builders.person(env, REP)
    builders.person(env, OTHER_REP)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    release(slack, standin, REP, acme, reason="not_interested")
    card = slack.command(REP, "/customer", "Acme Trading")
    assert "pool.claim" not in card_buttons(slack, REP, "Acme Trading")
    assert "You released Acme Trading on Nov 23; you can claim it again from Nov 30 10:00." in card.text
    assert "pool.claim" in card_buttons(slack, OTHER_REP, "Acme Trading"), "a colleague may claim it"
    set_rules(env, holding_cap="1")
    builders.customer(env, "Held One", owner=OTHER_REP)
    other = slack.command(OTHER_REP, "/customer", "Acme Trading")
    assert "pool.claim" not in card_buttons(slack, OTHER_REP, "Acme Trading")
    assert "the most one rep may hold (1)" in other.text
    assert claims_counted(env, OTHER_REP) == 0, "looking at a card counts no claim"


def pool_claims(slack, user: str) -> tuple[list[str], str]:
    """The names a /pool page offers Claim on, and its whole text."""
    page = slack.command(user, "/pool")
    offered = [
        block["text"]["text"]
        for block in page.json["blocks"]
        if (block.get("accessory") or {}).get("action_id") == "pool.claim"
    ]
    return offered, page.text


def test_a_pool_page_offers_claim_only_where_the_person_may_claim_now_and_says_why_not(slack, standin, env):
    builders.person(env, REP)
    builders.person(env, OTHER_REP)
    builders.customer(env, "Blue River Foods", owner=None)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    release(slack, standin, REP, acme, reason="not_interested")
    offered, text = pool_claims(slack, REP)
    assert [name for name in offered if "Acme" in name] == [], "not the one Mei let go of this week"
    assert any("Blue River Foods" in name for name in offered)
    assert "you can claim it again from Nov 30 10:00" in text
    assert len(pool_claims(slack, OTHER_REP)[0]) == 2, "a colleague may claim both"

    set_rules(env, holding_cap="1")
    builders.customer(env, "Held One", owner=OTHER_REP)
    offered, text = pool_claims(slack, OTHER_REP)
    assert offered == []
    assert text.count("the most one rep may hold (1)") == 1, "said once for the page"


def claims_counted(env, user: str) -> int:
    with env.db.session() as session:
        from store.models import Person

        person = session.get(Person, (builders.WORKSPACE, user))
        return person.claims_on_day if person else 0


def test_the_holding_cap_refuses_and_customers_who_ordered_do_not_count(slack, env):
    set_rules(env, holding_cap="1")
    builders.customer(env, "Held One", owner=REP)
    builders.customer(env, "Acme Trading", owner=None)
    assert "the most one rep may hold (1)" in slack.command(REP, "/claim", "Acme").text
    with env.db.session() as session:
        from store.models import Customer

        held = session.query(Customer).filter_by(name="Held One").one()
        held.dealt_at = NOW
    assert "is yours now" in slack.command(REP, "/claim", "Acme").text


def test_a_rep_who_released_a_customer_waits_for_the_cooldown(slack, standin, env, clock):
    acme = builders.customer(env, "Acme Trading", owner=REP)
    release(slack, standin, REP, acme, reason="not_interested")
    clock.advance(timedelta(days=2))
    refused = slack.command(REP, "/claim", "Acme").text
    assert "You released Acme Trading on Nov 23; you can claim it again from Nov 30 10:00" in refused
    assert "is yours now" in slack.command(OTHER_REP, "/claim", "Acme").text


def test_rules_are_checked_in_order_cap_before_daily_limit(slack, env):
    set_rules(env, holding_cap="1", daily_claim_limit="1")
    builders.customer(env, "Held One", owner=REP)
    builders.customer(env, "Acme Trading", owner=None)
    assert "the most one rep may hold" in slack.command(REP, "/claim", "Acme").text


# -- release -----------------------------------------------------------------------------------------
def release(slack, standin, user, customer, *, reason, note=""):
    seen = standin.count("views.open")
    slack.button(user, "customer.release", str(customer.id))
    view = standin.next_call("views.open", after=seen)["view"]
    return slack.submit(user, view, {"reason": reason, "note": note})


def test_release_needs_a_reason_and_other_needs_words(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=REP)
    seen = standin.count("views.open")
    assert slack.command(REP, "/release", "Acme").raw == ""
    view = standin.next_call("views.open", after=seen)["view"]
    assert "reason" in slack.submit(REP, view, {}).json["errors"]
    assert "next owner knows" in slack.submit(REP, view, {"reason": "other"}).json["errors"]["note"]
    assert owner_of(env, acme) == REP
    assert slack.submit(REP, view, {"reason": "other", "note": "moved abroad"}).json == {
        "response_action": "clear"
    }
    assert owner_of(env, acme) is None


def test_release_without_a_pool_channel_says_how_to_set_one(slack, standin, env):
    acme = builders.customer(env, "Acme Trading", owner=REP)
    release(slack, standin, REP, acme, reason="not_interested")
    answer = told(standin, REP)
    assert "back in the pool" in answer
    assert "/crm settings" in answer
    assert standin.count("chat.postMessage") == 0


def test_release_is_announced_with_a_claim_button_and_no_contact_details(slack, standin, env):
    standin.add_channel(POOL_CHANNEL, "pool")
    set_rules(env, pool_channel=POOL_CHANNEL)
    acme = builders.customer(
        env, "Acme <!channel> Trading", owner=REP, phone="13800138000", region="Shanghai"
    )
    release(slack, standin, REP, acme, reason="wrong_contact", note="number is <!here> dead")
    post = standin.last("chat.postMessage")
    text = json.dumps(post, ensure_ascii=False)
    assert post["channel"] == POOL_CHANNEL
    assert "Acme &lt;!channel&gt; Trading" in text
    assert "Wrong contact details" in text
    assert f"released by <@{REP}>" in text
    assert "Shanghai" in text
    assert "13800138000" not in text
    assert any(b.get("accessory", {}).get("action_id") == "pool.claim" for b in post["blocks"])


def test_a_claim_re_renders_the_announcement_and_a_stale_button_gets_a_polite_answer(slack, standin, env):
    standin.add_channel(POOL_CHANNEL, "pool")
    set_rules(env, pool_channel=POOL_CHANNEL)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    release(slack, standin, REP, acme, reason="not_interested")
    standin.wait_for("chat.postMessage")
    seen_updates = standin.count("chat.update")
    claim_button(slack, OTHER_REP, acme)
    update = standin.next_call("chat.update", after=seen_updates)
    assert f"claimed by <@{OTHER_REP}>" in json.dumps(update)
    assert not any(b.get("accessory") for b in update["blocks"][1:-1])
    claim_button(slack, ADMIN, acme)
    answer = standin.wait_for_response(f"btn-{ADMIN}")[-1]
    assert f"<@{OTHER_REP}> claimed Acme Trading first" in json.dumps(answer)
    assert owner_of(env, acme) == OTHER_REP


def test_a_rep_cannot_release_someone_elses_customer(slack, env):
    builders.customer(env, "Acme Trading", owner=OTHER_REP)
    reply = slack.command(REP, "/release", "Acme")
    assert "Only the owner, their manager and admins can release it" in reply.text


def test_a_private_pool_channel_without_the_bot_makes_the_release_reply_say_so(slack, standin, env, db):
    standin.add_channel("G0SECRET", "secret", is_private=True)
    with db.session() as session:  # set directly: the settings form would refuse this channel
        from store.models import WorkspaceSetting

        builders.person(env, REP)
        session.add(
            WorkspaceSetting(
                workspace_id=builders.WORKSPACE,
                key="pool_channel",
                value='"G0SECRET"',
                updated_by=ADMIN,
                updated_at=NOW,
            )
        )
    acme = builders.customer(env, "Acme Trading", owner=REP)
    release(slack, standin, REP, acme, reason="duplicate")
    answer = told(standin, REP)
    assert "refused the announcement" in answer
    assert "/invite" in answer
    assert owner_of(env, acme) is None


# -- assign and locks --------------------------------------------------------------------------------
def test_a_manager_assigns_to_their_team_and_the_rep_hears_of_it(slack, standin, env):
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER)
    builders.person(env, OTHER_REP)
    acme = builders.customer(env, "Acme Trading", owner=None)
    reply = slack.command(MANAGER, "/assign", f"Acme <@{REP}|mei>")
    assert f"now belongs to <@{REP}>" in reply.text
    assert owner_of(env, acme) == REP
    assert standin.last("chat.postMessage")["channel"] == REP
    refused = slack.command(MANAGER, "/assign", f"Acme <@{OTHER_REP}|li>")
    assert "not in your team" in refused.text
    assert owner_of(env, acme) == REP
    assert "Only managers and admins can assign" in slack.command(REP, "/assign", f"Acme <@{REP}|mei>").text


def test_a_customer_moved_between_reps_tells_both(slack, standin, env):
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER)
    builders.person(env, OTHER_REP, manager_id=MANAGER)
    builders.customer(env, "Acme Trading", owner=REP)
    seen = standin.count("chat.postMessage")
    assert "now belongs to" in slack.command(MANAGER, "/assign", f"Acme <@{OTHER_REP}|li>").text
    posts = {
        call.args["channel"]: str(call.args) for call in standin.wait_for("chat.postMessage", seen + 2)[seen:]
    }
    assert f"<@{MANAGER}> assigned *Acme Trading* to you." in posts[OTHER_REP]
    assert f"<@{MANAGER}> moved *Acme Trading* from you to <@{OTHER_REP}>." in posts[REP]


def test_an_announcement_says_assigned_to_when_a_manager_gave_the_customer_away(slack, standin, env):
    standin.add_channel(POOL_CHANNEL, "pool")
    set_rules(env, pool_channel=POOL_CHANNEL)
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER)
    builders.person(env, OTHER_REP, manager_id=MANAGER)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    release(slack, standin, REP, acme, reason="not_interested")
    standin.wait_for("chat.postMessage")
    seen_updates = standin.count("chat.update")
    slack.command(MANAGER, "/assign", f"Acme <@{OTHER_REP}|li>")
    update = json.dumps(standin.next_call("chat.update", after=seen_updates), ensure_ascii=False)
    assert f"assigned to <@{OTHER_REP}>" in update
    assert "claimed by" not in update


def test_a_card_offers_no_lock_on_a_customer_who_ordered_but_still_unlocks_one(slack, env):
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER)
    builders.customer(env, "Acme Trading", owner=REP)
    builders.customer(env, "Dealt Foods", owner=REP, dealt_at=NOW)
    builders.customer(env, "Locked Dealt", owner=REP, dealt_at=NOW, locked_by=MANAGER, locked_at=NOW)
    assert "customer.lock" in card_buttons(slack, MANAGER, "Acme Trading")
    assert "customer.lock" not in card_buttons(slack, MANAGER, "Dealt Foods"), (
        "never recycled: no lock needed"
    )
    assert "customer.unlock" in card_buttons(slack, MANAGER, "Locked Dealt")
    set_rules(env, dealt_exempt=[])  # the switch turned off
    assert "customer.lock" in card_buttons(slack, MANAGER, "Dealt Foods"), "recycled like any other now"


def test_a_manager_locks_a_team_customer_within_the_lock_cap(slack, standin, env):
    set_rules(env, lock_cap="1")
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    beta = builders.customer(env, "Beta Trading", owner=REP)
    slack.button(MANAGER, "customer.lock", str(acme.id))
    assert "is locked" in told(standin, MANAGER, 1)
    slack.button(MANAGER, "customer.lock", str(beta.id))
    assert "the most allowed (1)" in told(standin, MANAGER, 2)
    card = slack.command(REP, "/customer", "Acme").text
    assert "Locked by" in card
    assert "locked it" in card
    slack.button(REP, "customer.unlock", str(acme.id))
    assert "Only the owner's manager and admins" in told(standin, REP)
    slack.button(MANAGER, "customer.unlock", str(acme.id))
    assert "is unlocked" in told(standin, MANAGER, 3)


def test_customers_who_ordered_need_no_lock(slack, standin, env):
    builders.person(env, ADMIN, role="admin")
    acme = builders.customer(env, "Acme Trading", owner=REP, dealt_at=NOW)
    slack.button(ADMIN, "customer.lock", str(acme.id))
    assert "no lock is needed" in told(standin, ADMIN)


def test_a_claim_from_a_pool_page_re_renders_that_page_without_the_row(slack, standin, env):
    builders.customer(env, "Acme Trading", owner=None)
    builders.customer(env, "Beta Works", owner=None)
    page = slack.command(REP, "/pool")
    claim = next(b["accessory"] for b in page.json["blocks"] if "Acme" in str(b) and b.get("accessory"))
    slack.button(REP, "pool.claim", claim["value"])
    replaced, card = standin.wait_for_response(f"btn-{REP}", 2)
    assert replaced["replace_original"] is True
    assert _names_in(replaced) == {"Beta Works"}
    assert "Acme Trading" in json.dumps(card)
    assert card["replace_original"] is False


def test_a_manager_moves_a_customer_between_team_reps_and_the_card_says_so(slack, env):
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER)
    builders.person(env, OTHER_REP, manager_id=MANAGER)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    slack.command(MANAGER, "/assign", f"Acme <@{OTHER_REP}|li>")
    assert owner_of(env, acme) == OTHER_REP
    card = slack.command(MANAGER, "/customer", "Acme").text
    assert f"<@{MANAGER}> moved it from <@{REP}> to <@{OTHER_REP}>" in card


def test_a_rep_cannot_release_a_locked_customer_but_the_manager_can(slack, standin, env):
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER)
    acme = builders.customer(env, "Acme Trading", owner=REP, locked_by=MANAGER, locked_at=NOW)
    refused = slack.command(REP, "/release", "Acme")
    assert f"locked by <@{MANAGER}>" in refused.text
    release(slack, standin, MANAGER, acme, reason="handed_over")
    assert owner_of(env, acme) is None
    card = slack.command(MANAGER, "/customer", "Acme").text
    assert "Locked by" not in card
    assert "Handed over to a colleague" in card


def test_release_with_several_matches_offers_a_release_button_for_each(slack, env):
    builders.customer(env, "Acme Trading", owner=REP)
    builders.customer(env, "Acme Logistics", owner=REP)
    reply = slack.command(REP, "/release", "Acme")
    actions = {b["accessory"]["action_id"] for b in reply.json["blocks"] if b.get("accessory")}
    assert actions == {"customer.release"}


def test_an_announcement_waits_out_slacks_rate_limit_and_posts_once(slack, standin, env):
    standin.add_channel(POOL_CHANNEL, "pool")
    set_rules(env, pool_channel=POOL_CHANNEL)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    standin.fail_next("chat.postMessage", status=429, retry_after=1, times=1)
    release(slack, standin, REP, acme, reason="not_interested")
    assert "Announced in" in told(standin, REP)
    posts = standin.calls_to("chat.postMessage")
    assert [call.status for call in posts] == [429, 200]


def test_a_rep_whose_customer_was_reassigned_waits_for_the_cooldown_too(slack, standin, env):
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER)
    builders.person(env, OTHER_REP, manager_id=MANAGER)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    slack.command(MANAGER, "/assign", f"Acme <@{OTHER_REP}|li>")
    release(slack, standin, OTHER_REP, acme, reason="handed_over")
    refused = slack.command(REP, "/claim", "Acme").text
    assert (
        "Acme Trading was reassigned from you on Nov 23; you can claim it again from Nov 30 10:00" in refused
    )
