"""The scheduler's jobs at fixed clocks: who gets what, once; nothing on days off; the buttons."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient
from sqlmodel import col, select

from bot import jobs, notify
from bot.i18n import lang
from bot.services import customers
from bot.services import settings as settings_service
from bot.services.home_types import Warned
from bot.services.people import Actor
from bot.views import customers as customer_views
from bot.views.ids import FOLLOW_UP_BLOCK, Action
from store.models import MOVE_RELEASE, Customer, ExtensionRequest, OutboxMessage, OwnershipEvent
from tests import builders
from tests.conftest import ADMIN, MANAGER, NOW, OTHER_REP, REP

MONDAY_10 = NOW  # 2026-11-23 10:00 in Shanghai
TODAY = date(2026, 11, 23)


def at_shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


def admin_actor() -> Actor:
    return Actor(builders.WORKSPACE, ADMIN, "Ada", "admin", None, "Asia/Shanghai", "en")


def team(env) -> None:
    builders.person(env, ADMIN, role="admin")
    builders.person(env, MANAGER, role="manager")
    builders.person(env, REP, manager_id=MANAGER, name="Mei")
    builders.person(env, OTHER_REP, manager_id=MANAGER, name="Li")


def run(env, standin, name: str) -> list[dict]:
    """Run a job, then the outbox; the messages Slack received in this run."""
    seen = standin.count("chat.postMessage")
    jobs.run_job(name, env, WebClient(token="xoxb-test", base_url=standin.api_url))
    notify.deliver_due(
        env, WebClient(token="xoxb-test", base_url=standin.api_url), pacer=notify.Pacer(sleep=lambda _: None)
    )
    return [call.args for call in standin.calls_to("chat.postMessage")[seen:]]


def queued(env, kind: str) -> list[OutboxMessage]:
    with env.db.session() as session:
        return list(session.exec(select(OutboxMessage).where(col(OutboxMessage.kind) == kind)).all())


# -- reminders --------------------------------------------------------------------------------------------
def follow_ups(env) -> dict[str, Customer]:
    return {
        "today": builders.customer(env, "Acme Trading", owner=REP, level="A", next_follow_up=TODAY),
        "late": builders.customer(env, "Bright Foods", owner=REP, next_follow_up=TODAY - timedelta(days=3)),
        "later": builders.customer(env, "Cedar Tools", owner=REP, next_follow_up=TODAY + timedelta(days=4)),
        "li": builders.customer(
            env, "Delta Paper", owner=OTHER_REP, next_follow_up=TODAY + timedelta(days=1)
        ),
    }


def test_one_reminder_per_rep_lists_today_and_overdue_and_a_second_run_sends_nothing(env, standin):
    team(env)
    follow_ups(env)
    [dm] = run(env, standin, "followups")
    assert dm["channel"] == REP
    shown = str(dm["blocks"])
    assert "Acme Trading" in shown
    assert "Bright Foods" in shown
    assert "Cedar Tools" not in shown
    assert "3 days overdue" in shown
    assert "due today" in shown
    assert "Follow-ups for today" in dm["text"]
    assert ": 2" in dm["text"]
    assert run(env, standin, "followups") == []


@pytest.mark.parametrize(
    "moment",
    [
        "2026-11-23T08:59",  # before the reminder time
        "2026-11-28T10:00",  # Saturday
        "2026-10-01T10:00",  # National Day
        "2026-10-05T10:00",  # within the Golden Week (a Monday)
    ],
)
def test_no_reminder_before_the_hour_on_weekends_or_holidays(env, standin, clock, moment):
    team(env)
    follow_ups(env)
    clock.set(at_shanghai(moment))
    assert run(env, standin, "followups") == []


def test_a_make_up_working_day_on_a_weekend_gets_its_reminder(env, standin, clock):
    team(env)
    builders.customer(env, "Acme Trading", owner=REP, next_follow_up=date(2026, 10, 10))
    clock.set(at_shanghai("2026-10-10T09:30"))  # Saturday 10 Oct 2026: a make-up working day in China
    [dm] = run(env, standin, "followups")
    assert dm["channel"] == REP


def test_reminders_come_at_each_reps_own_hour_and_the_workspace_time_setting(env, standin, clock):
    team(env)
    follow_ups(env)
    settings_service.save(env, admin_actor(), {"reminder_time": "11:00"})
    assert run(env, standin, "followups") == []  # 10:00 in Shanghai
    clock.set(at_shanghai("2026-11-23T11:15"))
    assert [dm["channel"] for dm in run(env, standin, "followups")] == [REP]


def test_a_missed_morning_is_caught_up_later_that_day_and_each_day_has_its_own(env, standin, clock):
    team(env)
    follow_ups(env)
    clock.set(at_shanghai("2026-11-23T17:45"))  # the worker was down all morning
    assert [dm["channel"] for dm in run(env, standin, "followups")] == [REP]
    clock.set(at_shanghai("2026-11-24T09:05"))  # Tuesday: Mei's still overdue, Li's Delta Paper due
    assert sorted(dm["channel"] for dm in run(env, standin, "followups")) == sorted([REP, OTHER_REP])
    periods = sorted(m.dedupe_key.split(":", 1)[1] for m in queued(env, "reminders"))
    assert periods == [f"{OTHER_REP}::2026-11-24", f"{REP}::2026-11-23", f"{REP}::2026-11-24"]


def test_snooze_moves_the_follow_up_and_writes_it_to_the_history(env, standin, slack):
    team(env)
    acme = follow_ups(env)["today"]
    reply = slack.act(
        REP,
        {
            "action_id": Action.SNOOZE,
            "block_id": f"{FOLLOW_UP_BLOCK}.{acme.id}",
            "type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": "3 days"}, "value": f"{acme.id}:3"},
            "action_ts": "1",
        },
    )
    assert reply.status == 200
    [answer] = standin.wait_for_response(f"btn-{REP}")
    assert "now on" in str(answer)
    assert "Nov 26, 2026" in str(answer)
    with env.db.session() as session:
        customer = session.get(Customer, acme.id)
        [event] = session.exec(select(OwnershipEvent).where(col(OwnershipEvent.kind) == "snooze")).all()
    assert customer.next_follow_up == date(2026, 11, 26)
    assert event.to_day == date(2026, 11, 26)
    assert event.days == 3
    assert event.actor_id == REP


def test_snooze_to_a_past_date_is_refused_and_changes_nothing(env, standin, slack):
    team(env)
    acme = follow_ups(env)["today"]
    slack.act(
        REP,
        {
            "action_id": Action.SNOOZE_DATE,
            "block_id": f"{FOLLOW_UP_BLOCK}.{acme.id}",
            "type": "datepicker",
            "selected_date": "2026-11-20",
            "action_ts": "1",
        },
    )
    [answer] = standin.wait_for_response(f"btn-{REP}")
    assert "after today" in str(answer)
    with env.db.session() as session:
        assert session.get(Customer, acme.id).next_follow_up == TODAY


def test_another_reps_customer_cannot_be_snoozed(env, standin, slack):
    team(env)
    delta = follow_ups(env)["li"]
    slack.act(
        REP,
        {
            "action_id": Action.SNOOZE,
            "block_id": f"{FOLLOW_UP_BLOCK}.{delta.id}",
            "type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": "1 day"}, "value": f"{delta.id}:1"},
            "action_ts": "1",
        },
    )
    [answer] = standin.wait_for_response(f"btn-{REP}")
    assert "belongs to someone else" in str(answer)


# -- recycle ----------------------------------------------------------------------------------------------
def aged(env, name: str, *, owner: str, level: str, days_owned: int, **values) -> Customer:
    customer = builders.customer(env, name, owner=owner, level=level, **values)
    since = NOW - timedelta(days=days_owned)
    with env.db.session() as session:
        session.execute(
            sa.update(Customer)
            .where(col(Customer.id) == customer.id)
            .values(owned_since=since, recycle_clock_from=since)
        )
    return customer


def test_the_owner_is_warned_once_and_the_recycle_happens_when_due_with_history_and_announcement(
    env, standin, clock
):
    team(env)
    standin.add_channel("C0POOL", "pool")
    settings_service.save(env, admin_actor(), {"pool_channel": "C0POOL"})
    soon = aged(env, "Acme Trading", owner=REP, level="A", days_owned=13)  # A: 15 days without a visit
    later = aged(env, "Bright Foods", owner=REP, level="B", days_owned=10)  # B: 30 days
    dealt = aged(env, "Cedar Tools", owner=REP, level="A", days_owned=40, dealt_at=NOW)
    [warning] = run(env, standin, "recycle")
    assert warning["channel"] == REP
    assert "Acme Trading" in str(warning["blocks"])
    assert "Bright Foods" not in str(warning["blocks"])
    assert Action.ASK_MORE_DAYS.value in str(warning["blocks"])
    assert run(env, standin, "recycle") == []  # once a day

    clock.set(NOW + timedelta(days=2, hours=1))  # Wednesday: Acme is due
    posted = run(env, standin, "recycle")
    announcement = next(p for p in posted if p["channel"] == "C0POOL")
    assert "Acme Trading" in str(announcement["blocks"])
    with env.db.session() as session:
        assert session.get(Customer, soon.id).owner_id is None
        assert session.get(Customer, soon.id).previous_owner_id == REP
        assert session.get(Customer, later.id).owner_id == REP
        assert session.get(Customer, dealt.id).owner_id == REP  # customers who ordered are exempt
        [event] = session.exec(select(OwnershipEvent).where(col(OwnershipEvent.kind) == "recycle")).all()
    assert (event.customer_id, event.from_owner_id, event.reason, event.actor_id) == (
        soon.id,
        REP,
        "no_visit",
        None,
    )
    assert [p for p in run(env, standin, "recycle") if p["channel"] == "C0POOL"] == []  # twice: nothing new


def test_the_warning_lists_only_the_window_and_an_extension_ending_in_it(env, standin):
    team(env)
    aged(env, "Past Due", owner=REP, level="A", days_owned=40)  # due already: recycled, not warned
    aged(env, "Far Away", owner=REP, level="C", days_owned=5)
    extended = aged(env, "Extended Ltd", owner=REP, level="A", days_owned=40)
    with env.db.session() as session:  # its clock ran out long ago; the extension ends in two days
        session.execute(
            sa.update(Customer)
            .where(col(Customer.id) == extended.id)
            .values(recycle_extended_until=NOW + timedelta(days=2))
        )
    to_mei = [str(m["blocks"]) for m in run(env, standin, "recycle") if m["channel"] == REP]
    [shown] = [text for text in to_mei if "back to the pool soon" in text]  # the warning
    assert "Extended Ltd" in shown
    assert "Past Due" not in shown
    assert "Far Away" not in shown
    [recycled] = [text for text in to_mei if "went back to the pool" in text]  # and what was recycled
    assert "Past Due" in recycled


def test_no_first_order_in_time_recycles_with_its_reason(env, standin):
    team(env)
    customer = aged(env, "Acme Trading", owner=REP, level="C", days_owned=91)
    with env.db.session() as session:  # visited yesterday: the no-visit clock is fine, the order clock is not
        session.execute(
            sa.update(Customer)
            .where(col(Customer.id) == customer.id)
            .values(recycle_clock_from=NOW - timedelta(days=1))
        )
    run(env, standin, "recycle")
    with env.db.session() as session:
        [event] = session.exec(select(OwnershipEvent).where(col(OwnershipEvent.kind) == "recycle")).all()
    assert event.reason == "no_order"


def test_locked_customers_are_never_recycled(env, standin):
    team(env)
    customer = aged(
        env, "Acme Trading", owner=REP, level="A", days_owned=60, locked_by=MANAGER, locked_at=NOW
    )
    run(env, standin, "recycle")
    with env.db.session() as session:
        assert session.get(Customer, customer.id).owner_id == REP


def test_ask_for_more_days_goes_to_the_manager_who_approves_and_the_recycle_waits(env, standin, slack, clock):
    team(env)
    acme = aged(env, "Acme Trading", owner=REP, level="A", days_owned=13)
    form = ask_form(slack, standin, acme)
    assert "reason" in slack.submit(REP, form, {"reason": "  "}).json["errors"], "the manager needs a why"
    assert slack.submit(REP, form, {"reason": "Signing next week"}).json == {"response_action": "clear"}
    [told] = standin.wait_for_response(f"btn-{REP}")
    assert f"<@{MANAGER}>" in str(told)
    request_dm = standin.wait_for("chat.postMessage")[-1].args
    assert request_dm["channel"] == MANAGER
    assert "Approve" in str(request_dm["blocks"])
    assert "“Signing next week”" in request_dm["text"]
    with env.db.session() as session:
        [request] = session.exec(select(ExtensionRequest)).all()

    slack.button(OTHER_REP, Action.EXTENSION_APPROVE, str(request.id))  # not their decision
    [refused] = standin.wait_for_response(f"btn-{OTHER_REP}")
    assert "Only the manager" in str(refused)

    slack.button(MANAGER, Action.EXTENSION_APPROVE, str(request.id))
    [decision] = standin.wait_for_response(f"btn-{MANAGER}")
    assert decision["replace_original"] is True
    assert "approved by" in str(decision)
    told_owner = standin.wait_for("chat.postMessage", count=2)[-1].args
    assert told_owner["channel"] == REP
    assert "more days" in told_owner["text"]

    slack.button(MANAGER, Action.EXTENSION_DECLINE, str(request.id))  # a second click
    [again] = standin.wait_for_response(f"btn-{MANAGER}", count=2)[1:]
    assert "already decided" in str(again)

    card = customer_views.customer_card(lang("en"), customers.card(env, admin_actor(), acme.id or 0))
    assert f"approved by <@{MANAGER}> (+7 days)" in str(card["blocks"])
    assert "more days before the recycle" in str(card["blocks"])  # the extension in the history

    clock.set(NOW + timedelta(days=3))  # would have been recycled on day 15; 7 more days granted
    run(env, standin, "recycle")
    with env.db.session() as session:
        assert session.get(Customer, acme.id).owner_id == REP
        [extend] = session.exec(select(OwnershipEvent).where(col(OwnershipEvent.kind) == "extend")).all()
    assert extend.actor_id == MANAGER
    assert extend.days == 7
    clock.set(NOW + timedelta(days=9, hours=1))
    run(env, standin, "recycle")
    with env.db.session() as session:
        assert session.get(Customer, acme.id).owner_id is None


def ask_form(slack, standin, customer: Customer) -> dict:
    seen = standin.count("views.open")
    slack.button(REP, Action.ASK_MORE_DAYS, str(customer.id))
    return dict(standin.next_call("views.open", after=seen)["view"])


def test_a_rep_without_a_manager_asks_the_admins(env, standin, slack):
    builders.person(env, ADMIN, role="admin")
    builders.person(env, REP, name="Mei")
    acme = aged(env, "Acme Trading", owner=REP, level="A", days_owned=13)
    slack.submit(REP, ask_form(slack, standin, acme), {"reason": "Waiting for their budget"})
    standin.wait_for_response(f"btn-{REP}")
    assert standin.wait_for("chat.postMessage")[-1].args["channel"] == ADMIN


# -- digest -----------------------------------------------------------------------------------------------
def test_the_manager_digest_shows_the_team_once_with_actions(env, standin):
    team(env)
    aged(env, "Acme Trading", owner=REP, level="A", days_owned=13)
    builders.customer(env, "Bright Foods", owner=OTHER_REP, next_follow_up=TODAY - timedelta(days=2))
    posted = run(env, standin, "digest")
    digests = [p for p in posted if p["channel"] == MANAGER]
    assert len(digests) == 1
    shown = str(digests[0]["blocks"])
    assert "Acme Trading" in shown
    assert Action.DIGEST_EXTEND.value in shown
    assert Action.DIGEST_NUDGE.value in shown
    assert "1 follow-up overdue" in shown
    assert [p for p in posted if p["channel"] == ADMIN] == []  # every rep has a manager
    assert run(env, standin, "digest") == []


def test_each_digest_shows_its_own_teams_figures_only(env, standin):
    """The digests read every team's figures at once and split them per team: nothing crosses over."""
    team(env)
    builders.person(env, "U0MGRB", role="manager", name="Bo")
    builders.person(env, "U0REPB", manager_id="U0MGRB", name="Wu")
    builders.customer(env, "Bright Foods", owner=OTHER_REP, next_follow_up=TODAY - timedelta(days=2))
    let_go = builders.customer(env, "Cedar Tools", owner=None)
    builders.customer(env, "Delta Paper", owner="U0REPB", next_follow_up=TODAY + timedelta(days=2))
    with env.db.session() as session:  # released by Li last Friday, the previous working day
        session.add(
            OwnershipEvent(
                workspace_id=builders.WORKSPACE, customer_id=let_go.id or 0, kind=MOVE_RELEASE, actor_id=OTHER_REP,
                from_owner_id=OTHER_REP, at=at_shanghai("2026-11-20T15:00"),
            )
        )  # fmt: skip
    posted = {p["channel"]: p for p in run(env, standin, "digest")}
    mine = str(posted[MANAGER]["blocks"])
    assert "1 follow-up overdue" in mine
    assert "1 let go, 0 taken" in mine
    assert "all clear" in posted["U0MGRB"]["text"]
    assert len(posted["U0MGRB"]["blocks"]) == 1


def test_a_quiet_team_gets_a_one_line_all_clear(env, standin):
    team(env)
    [digest] = [p for p in run(env, standin, "digest") if p["channel"] == MANAGER]
    assert "all clear" in digest["text"]
    assert len(digest["blocks"]) == 1


def test_after_two_missed_days_one_digest_today(env, standin, clock):
    team(env)
    clock.set(at_shanghai("2026-11-25T08:45"))  # the worker was down Monday and Tuesday
    assert len([p for p in run(env, standin, "digest") if p["channel"] == MANAGER]) == 1
    assert [m.dedupe_key.rsplit(":", 1)[1] for m in queued(env, "digest")] == ["2026-11-25"]


def test_no_digest_on_a_weekend(env, standin, clock):
    team(env)
    clock.set(at_shanghai("2026-11-29T09:00"))
    assert run(env, standin, "digest") == []


def test_extend_and_nudge_from_the_digest(env, standin, slack):
    team(env)
    acme = aged(env, "Acme Trading", owner=REP, level="A", days_owned=13)
    slack.button(MANAGER, Action.DIGEST_EXTEND, str(acme.id))
    [extended] = standin.wait_for_response(f"btn-{MANAGER}")
    assert "stays with its owner" in str(extended)
    with env.db.session() as session:
        assert session.get(Customer, acme.id).recycle_extended_until is not None
    slack.button(MANAGER, Action.DIGEST_NUDGE, f"{REP}:{acme.id}")
    standin.wait_for_response(f"btn-{MANAGER}", count=2)
    nudge = standin.wait_for("chat.postMessage")[-1].args
    assert nudge["channel"] == REP
    assert "look at" in nudge["text"]
    slack.button(REP, Action.DIGEST_EXTEND, str(acme.id))  # a rep cannot extend
    [refused] = standin.wait_for_response(f"btn-{REP}")
    assert "Only the manager" in str(refused)


# -- every message within Slack's limits, in both languages ------------------------------------------------
def scheduler_messages(env, reader):
    """Each message and form of the scheduler, rendered from real rows for `reader`."""
    from bot.rules.pool import Recycle, RecycleReason
    from bot.services.digest import previous_working_day
    from bot.views import digest as digest_views
    from bot.views import followups as followup_views
    from bot.views import recycle as recycle_views
    from store.digest import BandChange, RepVisits
    from store.followups import DueRow

    team(env)
    acme = aged(env, "Acme <!channel> & Co", owner=REP, level="A", days_owned=13)
    assert acme.id is not None
    rows = [
        DueRow(REP, n, f"Customer {n} *bold*", "B", TODAY - timedelta(days=n), TODAY, 40) for n in range(40)
    ]
    warned = [
        Warned(acme, Recycle(NOW + timedelta(days=2), RecycleReason.NO_VISIT), asked=n % 2 == 0)
        for n in range(30)
    ]
    request = ExtensionRequest(
        id=1, workspace_id=builders.WORKSPACE, customer_id=acme.id, asked_by=REP, recycle_at=NOW, asked_at=NOW
    )
    team_digest = digest_views.TeamDigest(
        today=TODAY,
        last_day=previous_working_day(TODAY, "CN"),
        reps=[(f"U{n}", f"Rep {n}") for n in range(60)],
        visits={"U1": RepVisits(3, 9)},
        overdue={"U1": 4},
        target=20,
        due_soon=warned,
        pool_in=2,
        pool_out=5,
        churn=[BandChange(acme.id, acme.name, REP, "watch", "critical")] * 12,
        orphans=[acme] * 12,
        orphan_count=12,
    )
    zone = "Asia/Shanghai"
    return {
        "reminder": followup_views.reminder(reader, rows, TODAY),
        "warning": recycle_views.warning(reader, warned, zone),
        "request": recycle_views.extension_request(reader, request, acme, zone),
        "approved": recycle_views.extension_decided(reader, request, acme, NOW, zone),
        "declined": recycle_views.extension_decided(reader, request, acme, None, zone),
        "digest": digest_views.digest(reader, team_digest, zone),
        "nudge": digest_views.nudge(reader, MANAGER, acme.id or 0, acme.name),
        "plan": followup_views.plan_visit_modal(reader, acme.id, acme.name, TODAY, {}),
        "reassign": digest_views.reassign_modal(reader, acme, {}),
    }


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_every_scheduler_message_is_valid_block_kit_in_both_languages(env, locale):
    from bot.playground.validation import message_problems, view_problems

    messages = scheduler_messages(env, lang(locale))
    for name, message in messages.items():
        problems = view_problems(message) if message.get("type") == "modal" else message_problems(message)
        assert problems == [], name
        assert "<!channel>" not in str(message), name  # user text never pings
    if locale == "zh_CN":
        english = scheduler_messages_text(messages)
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in english.values()), english
    assert len(messages["digest"]["blocks"]) <= 50
    assert len(messages["reminder"]["blocks"]) <= 50


def scheduler_messages_text(messages):
    return {name: str(message.get("text") or message.get("title")) for name, message in messages.items()}


def test_a_reason_for_more_days_too_long_is_refused_and_one_that_would_ping_is_shown_harmless(
    env, standin, slack
):
    team(env)
    acme = aged(env, "Acme Trading", owner=REP, level="A", days_owned=13)
    form = ask_form(slack, standin, acme)
    assert "too long" in str(slack.submit(REP, form, {"reason": "x" * 301}).json["errors"])
    with env.db.session() as session:
        assert session.exec(select(ExtensionRequest)).all() == []
    slack.submit(REP, form, {"reason": "<!channel> signing Friday"})
    request_dm = standin.wait_for("chat.postMessage")[-1].args
    assert "<!channel>" not in request_dm["text"]
    assert "“&lt;!channel&gt; signing Friday”" in request_dm["text"]
