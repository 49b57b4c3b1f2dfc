"""The App Home: a rep's day, a manager's team, an admin's workspace, See all pages, refreshes after the
person's own actions and each morning, and Slack's limits however many customers someone has."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from slack_sdk import WebClient
from sqlmodel import col

from bot import jobs
from bot.i18n import lang
from bot.jobs import home as home_job
from bot.playground.validation import view_problems
from bot.services import complaints, pool, visits
from bot.services import settings as settings_service
from bot.services.complaints import ComplaintDraft
from bot.services.home import home_data
from bot.services.people import Actor
from bot.services.visits import VisitDraft
from bot.views.home import home_view
from bot.views.ids import Action, Callback
from store import reports as reports_store
from store.models import ChurnState, Complaint, Customer, OutboxMessage, Person
from tests import builders
from tests.conftest import ADMIN, MANAGER, NOW, OTHER_REP, REP
from tests.test_followups import admin_actor, aged, at_shanghai, team

TODAY = date(2026, 11, 23)  # a Monday
HOME = {"id": "VHOME", "type": "home", "blocks": []}


def actor(user_id: str, role: str = "rep", locale: str = "en", manager: str | None = None) -> Actor:
    return Actor(builders.WORKSPACE, user_id, user_id, role, manager, "Asia/Shanghai", locale)


def published(standin, user_id: str = REP) -> dict[str, Any]:
    view = standin.last("views.publish")
    assert view["user_id"] == user_id
    return dict(view["view"])


def text_of(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def action_ids(view: dict[str, Any]) -> list[str]:
    found = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    return found + [b["accessory"]["action_id"] for b in view["blocks"] if "accessory" in b]


def at_risk(env, customer: Customer, band: str = "critical", signals: int = 2 | 8) -> None:
    """A churn score as the nightly job leaves it: order gap (3) and low satisfaction (2)."""
    with env.db.session() as session:
        row = session.get(Customer, customer.id)
        row.dealt_at, row.order_count, row.last_satisfaction = NOW - timedelta(days=200), 3, 1
        row.first_order_on, row.last_order_on = TODAY - timedelta(days=200), TODAY - timedelta(days=120)
        session.add(
            ChurnState(
                customer_id=customer.id or 0,
                workspace_id=builders.WORKSPACE,
                score=5,
                band=band,
                signals=signals,
                since=NOW,
                updated_at=NOW,
            )
        )


def file_complaint(env, customer: Customer, by: str = REP, severity: str = "high") -> Complaint:
    draft = ComplaintDraft(customer.id or 0, "delivery", severity, "The boxes arrived wet.")
    return complaints.file(env, actor(by), draft).complaint


def many_customers(env, owner: str, count: int, *, risky_every: int = 10, prefix: str = "Customer") -> None:
    """`count` customers of `owner`, their follow-ups spread from 60 days ago to 9 days ahead, every
    `risky_every`th one critical, and an open complaint on every 50th: written in one transaction."""
    with env.db.session() as session:
        rows = [
            Customer(
                workspace_id=builders.WORKSPACE,
                name=f"{prefix} {n:05} <!channel> & {'长' * 100}",
                name_key=f"{prefix.lower()} {n:05}",
                level="ABC"[n % 3],
                owner_id=owner,
                owned_since=NOW,
                next_follow_up=TODAY - timedelta(days=60 - n % 70),
                dealt_at=NOW if n % risky_every == 0 else None,
                order_count=3,
                first_order_on=TODAY - timedelta(days=200),
                last_order_on=TODAY - timedelta(days=120),
                last_satisfaction=1,
                created_by=owner,
                created_at=NOW,
                updated_at=NOW,
            )
            for n in range(count)
        ]
        session.add_all(rows)
        session.flush()
        for n, row in enumerate(rows):
            if n % risky_every == 0:
                session.add(
                    ChurnState(
                        customer_id=row.id or 0,
                        workspace_id=builders.WORKSPACE,
                        score=10,
                        band="critical",
                        signals=31,
                        since=NOW,
                        updated_at=NOW,
                    )
                )
            if n % 50 == 0:
                session.add(
                    Complaint(
                        workspace_id=builders.WORKSPACE,
                        customer_id=row.id or 0,
                        category="quality",
                        severity="urgent",
                        description="x" * 3000,
                        assignee_id=owner,
                        filed_by=owner,
                        filed_at=NOW,
                        respond_breached_at=NOW,
                        updated_at=NOW,
                    )
                )


def refused_message(env, number: int) -> None:
    with env.db.session() as session:
        session.add(
            OutboxMessage(
                workspace_id=builders.WORKSPACE,
                dedupe_key=f"announcement:C0GONE:{number}",
                kind="announcement",
                channel="C0GONE",
                payload="{}",
                status="failed",
                last_error="channel_not_found",
                next_attempt_at=NOW,
                created_at=NOW - timedelta(minutes=number),
            )
        )


# -- a rep's day --------------------------------------------------------------------------------------------
def test_home_lists_overdue_and_due_today_follow_ups(slack, standin, env):
    builders.customer(env, "Overdue Co", owner=REP, next_follow_up=date(2026, 11, 20))
    builders.customer(env, "Today Co", owner=REP, next_follow_up=date(2026, 11, 23))
    builders.customer(env, "Later Co", owner=REP, next_follow_up=date(2026, 12, 1))
    builders.customer(env, "Not Mine", owner=OTHER_REP, next_follow_up=date(2026, 11, 20))
    slack.open_home(REP)
    text = text_of(published(standin))
    assert "Overdue Co" in text
    assert "Today Co" in text
    assert "Later Co" not in text
    assert "Not Mine" not in text
    assert text.index("Overdue follow-ups") < text.index("Overdue Co") < text.index("Follow-ups due today")


def test_a_reps_home_shows_risks_with_reasons_complaints_claims_and_quick_actions(slack, standin, env):
    team(env)
    risky = builders.customer(env, "Slipping Ltd", owner=REP, level="A")
    at_risk(env, risky)
    watched = builders.customer(env, "Watched Ltd", owner=REP)
    at_risk(env, watched, band="watch", signals=1)  # only at risk and critical show
    file_complaint(env, builders.customer(env, "Grumpy Co", owner=REP))
    file_complaint(env, builders.customer(env, "Li's Co", owner=OTHER_REP), by=OTHER_REP)
    with env.db.session() as session:
        person = session.get(Person, (builders.WORKSPACE, REP))
        person.claims_day, person.claims_on_day = TODAY, 3
    slack.open_home(REP)
    view = published(standin)
    text = text_of(view)
    assert "Customers at risk" in text
    assert "Slipping Ltd" in text
    assert "Watched Ltd" not in text
    assert "120 days since the last order (usual gap 40 days)" in text
    assert "last satisfaction 1 of 5" in text
    assert "Complaints assigned to you: 1" in text
    assert "Grumpy Co" in text
    assert "Li's Co" not in text
    assert "Claims left today: 7 · customers held: 1 of 200" in text  # those who ordered do not count
    assert {Action.VISIT_OPEN, Action.CUSTOMER_NEW, Action.HOME_POOL, Action.COMPLAINT_NEW} <= set(
        action_ids(view)
    )
    assert Action.PLAN_VISIT in action_ids(view)
    assert "Your team" not in text
    assert "Settings" not in text


def test_browse_pool_posts_the_first_pool_page_with_claim_buttons(slack, standin, env):
    builders.customer(env, "Free Co", owner=None)
    slack.button(REP, Action.HOME_POOL, view=HOME)
    message = standin.last("chat.postMessage")
    assert message["channel"] == REP
    assert "Free Co" in str(message["blocks"])
    assert Action.POOL_CLAIM.value in str(message["blocks"])


def test_file_complaint_from_home_opens_the_form(slack, standin):
    slack.button(REP, Action.COMPLAINT_NEW, view=HOME)
    assert standin.last("views.open")["view"]["callback_id"] == Callback.COMPLAINT_FILE


def test_a_customer_added_from_home_is_confirmed_by_direct_message(slack, standin):
    slack.button(REP, "customer.new", view=HOME)
    view = standin.last("views.open")["view"]
    assert slack.submit(REP, view, {"name": "Home Made Ltd"}).json == {"response_action": "clear"}
    message = standin.last("chat.postMessage")
    assert message["channel"] == REP
    assert "Home Made Ltd" in str(message["blocks"])


# -- a manager's team ------------------------------------------------------------------------------------
def manager_rows(env) -> dict[str, Customer]:
    team(env)
    acme = aged(env, "Acme Trading", owner=REP, level="A", days_owned=13)  # back in the pool in 2 days
    late = builders.customer(env, "Bright Foods", owner=OTHER_REP, next_follow_up=TODAY - timedelta(days=2))
    risky = builders.customer(env, "Slipping Ltd", owner=OTHER_REP)
    at_risk(env, risky)
    visited = builders.customer(env, "Visited Co", owner=REP)
    for day in (TODAY - timedelta(days=1), TODAY):  # Sunday is last week
        visits.log_visit(env, actor(REP, manager=MANAGER), VisitDraft(visited.id or 0, "call", day))
    mine = builders.customer(env, "Manager's Own", owner=MANAGER, next_follow_up=TODAY)
    gone = builders.customer(env, "Letting Go", owner=REP)
    pool.release(env, actor(REP, manager=MANAGER), gone.id or 0, reason="not_interested", note="")
    file_complaint(env, builders.customer(env, "Grumpy Co", owner=OTHER_REP), by=OTHER_REP)
    return {"acme": acme, "late": late, "mine": mine}


def test_a_managers_home_shows_the_team_with_the_digests_buttons_and_their_own_day(slack, standin, env):
    rows = manager_rows(env)
    slack.open_home(MANAGER)
    view = published(standin, MANAGER)
    text = text_of(view)
    assert "Your customers" in text
    assert "Manager's Own" in text
    assert "Your team on" in text
    assert f"<@{REP}> · 1 of 20 this week" in text  # Sunday's visit was last week
    assert f"<@{OTHER_REP}> · 0 of 20 this week · 1 follow-up overdue" in text
    assert "Pool this week: 1 let go, 0 taken" in text
    assert "Slipping Ltd" in text
    assert f"<@{OTHER_REP}>" in text
    assert "Complaints of your team: 1" in text
    assert "Back in the pool within 3 days: 1" in text
    assert "Acme Trading" in text
    acme = str(rows["acme"].id)
    buttons = {
        (e["action_id"], e.get("value"))
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }
    assert {
        (Action.DIGEST_REASSIGN.value, acme),
        (Action.DIGEST_EXTEND.value, acme),
        (Action.DIGEST_NUDGE.value, f"{REP}:{acme}"),
    } <= buttons
    assert "Settings" not in text


def test_extend_from_the_home_works_as_from_the_digest(slack, standin, env):
    rows = manager_rows(env)
    slack.button(MANAGER, Action.DIGEST_EXTEND, str(rows["acme"].id), view=HOME)
    assert "stays with its owner" in str(standin.last("chat.postMessage"))
    with env.db.session() as session:
        assert session.get(Customer, rows["acme"].id).recycle_extended_until is not None


def test_deactivated_members_customers_show_with_reassign(slack, standin, env):
    team(env)
    builders.person(env, "U0GONE", manager_id=MANAGER)
    with env.db.session() as session:
        session.get(Person, (builders.WORKSPACE, "U0GONE")).is_deleted = True
    orphan = builders.customer(env, "Orphan Co", owner="U0GONE")
    slack.open_home(MANAGER)
    view = published(standin, MANAGER)
    assert "Customers of deactivated members to reassign: 1" in text_of(view)
    assert (Action.DIGEST_REASSIGN.value, str(orphan.id)) in {
        (b["accessory"]["action_id"], b["accessory"].get("value")) for b in view["blocks"] if "accessory" in b
    }


# -- an admin's workspace ----------------------------------------------------------------------------------
def test_an_admins_home_shows_the_settings_at_a_glance_teams_roles_and_refused_messages(slack, standin, env):
    team(env)
    builders.person(env, "U0SOLO")  # a rep without a manager: the admins cover them
    builders.customer(env, "Solo Late", owner="U0SOLO", next_follow_up=TODAY - timedelta(days=5))
    settings_service.save(env, admin_actor(), {"weekly_visit_target": 12, "holding_cap": 40})
    refused_message(env, 1)
    slack.open_home(ADMIN)
    view = published(standin, ADMIN)
    text = text_of(view)
    assert "Customers one rep may hold: 40" in text
    assert "Level A: days without a visit" in text
    assert "Follow-up reminders at" not in text, "the rest is behind Edit settings"
    assert "Every other setting is behind Edit settings." in text
    assert f"*Manager* <@{MANAGER}>: <@{OTHER_REP}>, <@{REP}>" in text  # by name: Li, Mei
    assert f"*Admins*: <@{ADMIN}>" in text
    assert "Reps without a manager (covered by the admins)*: <@U0SOLO>" in text
    assert "<@U0SOLO> · 0 of 12 this week · 1 follow-up overdue" in text  # the team the admins cover
    assert "Messages Slack refused* (1)" in text
    assert "`announcement` · <#C0GONE> · `channel_not_found`" in text
    assert Action.HOME_SETTINGS in action_ids(view)


def test_edit_settings_opens_the_same_form_as_crm_settings_and_only_for_admins(slack, standin, env):
    team(env)
    slack.button(ADMIN, Action.HOME_SETTINGS, view=HOME)
    from_home = standin.last("views.open")["view"]
    seen = standin.count("views.open")
    slack.command(ADMIN, "/crm", "settings")
    from_command = standin.next_call("views.open", after=seen)["view"]
    assert from_home["callback_id"] == from_command["callback_id"] == Callback.SETTINGS
    assert from_home["blocks"] == from_command["blocks"]
    slack.button(REP, Action.HOME_SETTINGS, view=HOME)
    refusal = standin.last("chat.postMessage")
    assert refusal["channel"] == REP
    assert "Only admins can change the settings" in str(refusal)


# -- within Slack's limits ---------------------------------------------------------------------------------
def test_a_rep_with_5000_customers_stays_within_100_blocks_and_every_limit(slack, standin, env):
    many_customers(env, REP, 5000)
    slack.open_home(REP)
    view = published(standin)
    assert len(view["blocks"]) <= 100
    assert view_problems(view) == []
    text = text_of(view)
    assert "Overdue follow-ups* (" in text
    assert "Customers at risk* (500)" in text
    assert "Complaints assigned to you: 100" in text
    assert [
        b["accessory"]["value"]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == Action.HOME_SEE_ALL
    ] == [
        "overdue",
        "today",
        "risk",
        "complaints",
    ]


def test_an_admin_with_a_big_book_a_team_and_failures_stays_within_100_blocks(env):
    team(env)
    for number in range(50):
        builders.person(env, f"U0SOLO{number:02}")
    many_customers(env, ADMIN, 5000)
    many_customers(env, "U0SOLO00", 300, risky_every=3, prefix="Solo")
    with env.db.session() as session:  # and most of them back in the pool within 3 days
        session.execute(
            sa.update(Customer)
            .where(col(Customer.owner_id) == "U0SOLO00")
            .values(
                level="A", owned_since=NOW - timedelta(days=13), recycle_clock_from=NOW - timedelta(days=13)
            )
        )
    for number in range(30):
        refused_message(env, number)
    charts = [{"position": n, "day": date(2026, 11, 23), "file_id": f"F0HOME{n}", "title": "t" * 200,
               "alt": "a" * 2000, "created_at": NOW} for n in range(4)]  # fmt: skip
    with env.db.session() as session:
        reports_store.replace_home_charts(
            session=session, workspace_id=builders.WORKSPACE, user_id=ADMIN, charts=charts
        )
    for reader in ("en", "zh_CN"):
        view = home_view(lang(reader), home_data(env, actor(ADMIN, "admin", reader)))
        assert len(view["blocks"]) < 100, reader  # under the cap: nothing cut off at the end
        assert Action.HOME_SETTINGS in action_ids(view), (
            "the admin's settings are still there, after the charts"
        )
        assert len([block for block in view["blocks"] if block["type"] == "image"]) == 4
        assert view_problems(view) == [], reader


def test_a_channel_mention_in_a_customer_name_stays_text(slack, standin, env):
    customer = builders.customer(env, "Acme <!channel> & <b>Co</b>", owner=REP, next_follow_up=TODAY)
    at_risk(env, customer)
    slack.open_home(REP)
    text = text_of(published(standin))
    assert "<!channel>" not in text
    assert "Acme &lt;!channel&gt; &amp; &lt;b&gt;Co&lt;/b&gt;" in text


def test_the_home_in_chinese_renders_within_limits(env):
    rows = manager_rows(env)
    with env.db.session() as session:
        session.get(Customer, rows["late"].id).name = "华东贸易有限公司"
    view = home_view(lang("zh_CN"), home_data(env, actor(MANAGER, "manager", "zh_CN")))
    assert view_problems(view) == []
    assert len(view["blocks"]) <= 100
    assert view["blocks"][0]["text"]["text"] != "Your customers"  # translated (new strings may not be yet)


# -- See all ---------------------------------------------------------------------------------------------------
def test_see_all_pages_through_a_list_twenty_rows_at_a_time(slack, standin, env):
    for number in range(45):
        builders.customer(
            env, f"Late {number:02}", owner=REP, next_follow_up=TODAY - timedelta(days=50 - number)
        )
    slack.open_home(REP)
    assert "Overdue follow-ups* (45)" in text_of(published(standin))
    slack.button(REP, Action.HOME_SEE_ALL, "overdue", view=HOME)
    first = standin.last("views.open")["view"]
    assert first["callback_id"] == Callback.HOME_LIST
    assert view_problems(first) == []
    pages = [first]
    while True:
        forward = [
            e
            for b in pages[-1]["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if "›" in e["text"]["text"]
        ]
        if not forward:
            break
        seen = standin.count("views.update")
        slack.button(REP, Action.HOME_PAGE, forward[0]["value"], view={**pages[-1], "id": "VLIST"})
        update = standin.next_call("views.update", after=seen)
        assert update["view_id"] == "VLIST"
        pages.append(update["view"])
    shown = [name for page in pages for name in _names(page)]
    assert shown == [f"Late {number:02}" for number in range(45)]  # oldest first, each once
    assert [page["blocks"][0]["elements"][0]["text"] for page in pages] == [
        "1–20 of 45",
        "21–40 of 45",
        "41–45 of 45",
    ]
    back = [e for b in pages[-1]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["text"]["text"] for e in back] == ["‹ Previous"]


def _names(view: dict[str, Any]) -> list[str]:
    return [
        b["text"]["text"].split("*")[1]
        for b in view["blocks"]
        if b["type"] == "section" and "Late" in b["text"]["text"]
    ]


def test_see_all_of_a_list_someone_may_not_see_is_empty(slack, standin, env):
    team(env)
    refused_message(env, 1)
    slack.button(REP, Action.HOME_SEE_ALL, "refused", view=HOME)
    assert "Nothing to show." in text_of(standin.last("views.open")["view"])


# -- refreshes -------------------------------------------------------------------------------------------------
def test_the_home_refreshes_after_a_visit_is_logged(slack, standin, env):
    late = builders.customer(env, "Late Co", owner=REP, next_follow_up=TODAY - timedelta(days=3))
    view = builders.open_form(slack, standin, "/visit", "Late Co")
    seen = standin.count("views.publish")
    follow_up = (TODAY + timedelta(days=14)).isoformat()
    assert slack.submit(REP, view, {"note": "Called", "next_follow_up": follow_up}).json == {
        "response_action": "clear"
    }
    refreshed = standin.next_call("views.publish", after=seen)
    assert refreshed["user_id"] == REP
    assert "Late Co" not in text_of(refreshed["view"])
    assert "Nothing due today" in text_of(refreshed["view"])
    assert late.id is not None


def test_a_home_slack_refuses_after_an_action_does_not_spoil_the_confirmation(slack, standin, env):
    builders.customer(env, "Late Co", owner=REP, next_follow_up=TODAY - timedelta(days=3))
    view = builders.open_form(slack, standin, "/visit", "Late Co")
    standin.fail_next("views.publish", status=500, retry_after=None)
    slack.submit(REP, view, {"note": "Called"})
    standin.wait_for("views.publish")
    answers = standin.wait_for_response(f"cmd-{REP}")
    assert "Visit logged" in str(answers[-1])
    assert "went wrong" not in str(standin.calls)


def run_home_job(env, standin) -> list[str]:
    seen = standin.count("views.publish")
    jobs.run_job("home", env, WebClient(token="xoxb-test", base_url=standin.api_url))
    return [call.args["user_id"] for call in standin.calls_to("views.publish")[seen:] if call.status == 200]


def test_the_nightly_job_publishes_once_per_person_per_day_after_the_reminder_time(env, standin, clock):
    team(env)
    clock.set(at_shanghai("2026-11-23T08:45"))
    assert run_home_job(env, standin) == []  # before the reminder time
    clock.set(at_shanghai("2026-11-23T09:15"))
    assert sorted(run_home_job(env, standin)) == sorted([ADMIN, MANAGER, REP, OTHER_REP])
    assert run_home_job(env, standin) == []  # once a day
    clock.set(at_shanghai("2026-11-28T10:00"))
    assert run_home_job(env, standin) == []  # Saturday: no morning, as the reminders
    clock.set(at_shanghai("2026-11-30T09:05"))
    assert len(run_home_job(env, standin)) == 4


def test_the_nightly_job_leaves_the_rest_to_the_next_tick_when_slack_is_down(env, standin):
    team(env)
    standin.fail_next("views.publish", status=503, retry_after=None)
    assert run_home_job(env, standin) == []
    waits: list[float] = []
    standin.fail_next("views.publish", status=429, retry_after=2)
    home_job.run(env, WebClient(token="xoxb-test", base_url=standin.api_url), sleep=waits.append)
    assert waits == [2.0]
    assert len(standin.calls_to("views.publish")) == 2 + 4
    assert run_home_job(env, standin) == []
