"""Rights follow Slack: user_change and team_join update the people the bot knows, the nightly `people`
job catches what events missed, and an uninstalled workspace rests until its next request."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlmodel import col, select

from bot import jobs, notify
from store import people as people_store
from store.models import OutboxMessage, Person, Workspace
from tests import builders
from tests.conftest import ADMIN, CHINESE_REP, MANAGER, NOW, OTHER_REP, REP

BOSS = "U0BOSS"  # an admin of the Slack workspace, not named in ADMIN_USER_IDS
CHIEF = "U0CHIEF"  # another Slack admin


def at_shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


def worker_client(standin) -> WebClient:
    """What the worker hands every job: no retry handlers of its own."""
    return WebClient(token="xoxb-test-token", base_url=standin.api_url, retry_handlers=[])


def crm(slack, standin, text: str, user: str = ADMIN) -> str:
    """`/crm text`, answered after the ack (roles and teams look people up in Slack)."""
    seen = standin.count("respond")
    assert slack.command(user, "/crm", text).status == 200
    return str(standin.next_call("respond", after=seen)["blocks"])


def slack_changes(slack, standin, user_id: str, *, event: str = "user_change", **changes: Any) -> None:
    """Slack changes a member (users.info says so from now on) and tells the app with an event."""
    standin.users[user_id].update(changes)
    user = json.loads(json.dumps(standin.users[user_id]))
    reply = slack.event(user_id, {"type": event, "user": user, "cache_ts": 1, "event_ts": "1.0"})
    assert reply.status == 200
    assert reply.raw == ""


def workspace_event(slack, event: dict[str, Any]) -> None:
    """An event about the whole workspace, with no user in it (app_uninstalled, tokens_revoked)."""
    body = {
        "token": "legacy",
        "team_id": slack.team_id,
        "api_app_id": "A0TIDE",
        "event": {**event, "event_ts": "1.0"},
        "type": "event_callback",
        "event_id": f"Ev{time.monotonic_ns()}",
        "event_time": 1,
    }
    reply = slack.send_raw(json.dumps(body), "application/json")
    assert reply.status == 200
    assert reply.raw == ""


def stored(env, user_id: str) -> Person:
    with env.db.session() as session:
        person = session.get(Person, (builders.WORKSPACE, user_id))
        assert person is not None
        session.expunge(person)
        return person


def workspace(env) -> Workspace:
    with env.db.session() as session:
        found = session.get(Workspace, builders.WORKSPACE)
        assert found is not None
        session.expunge(found)
        return found


# -- events ------------------------------------------------------------------------------------------------
def test_a_slack_admin_demoted_in_slack_loses_admin_rights_but_a_stored_admin_role_stays(slack, standin, env):
    standin.add_user(BOSS, "Bo", is_admin=True)
    standin.add_user(CHIEF, "Cy", is_admin=True)
    assert "is now a manager" in crm(slack, standin, f"role <@{MANAGER}> manager", user=BOSS)
    assert "is now a" in crm(slack, standin, f"role <@{CHIEF}> admin", user=BOSS)
    assert stored(env, CHIEF).role == "admin"

    slack_changes(slack, standin, BOSS, is_admin=False)
    slack_changes(slack, standin, CHIEF, is_admin=False)

    assert stored(env, BOSS).is_slack_admin is False
    refused = slack.command(BOSS, "/crm", f"role <@{OTHER_REP}> manager")
    assert "Only admins" in refused.text
    assert "is now a manager" in crm(slack, standin, f"role <@{OTHER_REP}> manager", user=CHIEF)
    assert stored(env, OTHER_REP).role == "manager"


def test_a_member_made_a_guest_is_refused_politely_on_their_next_command(slack, standin, env):
    assert "Customers" in slack.command(REP, "/crm", "help").text
    slack_changes(slack, standin, REP, is_restricted=True)
    assert stored(env, REP).is_guest is True
    reply = slack.command(REP, "/crm", "help")
    assert reply.status == 200
    assert "guests of the workspace cannot use Tidewater" in reply.text
    assert "Customers" not in reply.text


def test_user_change_updates_name_zone_locale_and_email(slack, standin, env):
    slack.command(REP, "/crm", "help")
    standin.users[REP]["profile"].update(display_name="Mei Zhang", email="Mei.Zhang@Example.com")
    slack_changes(slack, standin, REP, tz="Europe/Berlin", locale="zh-CN")
    person = stored(env, REP)
    assert (person.name, person.timezone, person.slack_locale, person.email) == (
        "Mei Zhang",
        "Europe/Berlin",
        "zh-CN",
        "mei.zhang@example.com",
    )
    assert "客户" in slack.command(REP, "/crm", "help").text, "the new Slack locale applies"


def test_team_join_records_no_stranger_and_updates_a_known_person(slack, standin, env):
    """A new member is no one's rep yet: they come in at first contact. A member deactivated and
    invited back is someone the bot knows: Slack sends team_join (or user_change) for their id."""
    standin.add_user("U0STRANGER", "Stan")
    slack_changes(slack, standin, "U0STRANGER", event="team_join")
    slack_changes(slack, standin, "U0STRANGER", is_admin=True)
    with env.db.session() as session:
        assert session.get(Person, (builders.WORKSPACE, "U0STRANGER")) is None

    slack.command(OTHER_REP, "/crm", "help")
    slack_changes(slack, standin, OTHER_REP, deleted=True)
    assert stored(env, OTHER_REP).is_deleted is True
    slack_changes(slack, standin, OTHER_REP, event="team_join", deleted=False)
    assert stored(env, OTHER_REP).is_deleted is False
    assert "Customers" in slack.command(OTHER_REP, "/crm", "help").text


def test_a_configured_admin_stays_admin_whatever_slack_says(slack, standin, env):
    standin.users[ADMIN]["is_admin"] = True
    slack.command(ADMIN, "/crm", "help")
    slack_changes(slack, standin, ADMIN, is_admin=False, is_owner=False)
    assert stored(env, ADMIN).is_slack_admin is False
    assert "is now a manager" in crm(slack, standin, f"role <@{MANAGER}> manager")


# -- /crm role ---------------------------------------------------------------------------------------------
def test_role_refuses_to_demote_a_current_slack_admin_in_the_admins_language(slack, standin, env):
    standin.add_user(BOSS, "Bo", is_admin=True)
    slack.command(BOSS, "/crm", "help")
    refusal = crm(slack, standin, f"role <@{BOSS}> rep")
    assert "admin of the Slack workspace" in refusal
    assert "comes from Slack" in refusal
    slack.command(ADMIN, "/crm", "lang zh")
    assert "来自 Slack" in crm(slack, standin, f"role <@{BOSS}> manager")
    assert stored(env, BOSS).role == "rep"
    assert "现在是" in crm(slack, standin, f"role <@{BOSS}> admin")
    assert stored(env, BOSS).role == "admin", "a stored admin role is allowed (it outlasts Slack's)"


# -- a deactivated member ----------------------------------------------------------------------------------
def run_and_deliver(env, standin, name: str) -> list[dict[str, Any]]:
    seen = standin.count("chat.postMessage")
    jobs.run_job(name, env, worker_client(standin))
    notify.deliver_due(env, worker_client(standin), pacer=notify.Pacer(sleep=lambda _: None))
    return [call.args for call in standin.calls_to("chat.postMessage")[seen:]]


def test_a_deactivated_rep_is_refused_and_their_customers_wait_in_the_managers_digest_and_home(
    slack, standin, env, clock
):
    crm(slack, standin, f"role <@{MANAGER}> manager")
    crm(slack, standin, f"team <@{MANAGER}> add <@{REP}> <@{OTHER_REP}>")
    builders.customer(env, "Acme Trading", owner=REP, level="A")
    builders.customer(env, "Bright Foods", owner=REP)
    builders.customer(env, "Cedar Tools", owner=OTHER_REP)

    slack_changes(slack, standin, REP, deleted=True)
    assert stored(env, REP).is_deleted is True
    refused = slack.command(REP, "/crm", "help")
    assert "deactivated" in refused.text
    assert "Customers" not in refused.text

    clock.set(at_shanghai("2026-11-24T08:45"))  # the next morning, after the digest time
    [digest] = [post for post in run_and_deliver(env, standin, "digest") if post["channel"] == MANAGER]
    shown = json.dumps(digest["blocks"])
    assert "Customers of deactivated members to reassign: 2" in shown
    assert "Acme Trading" in shown
    assert "Bright Foods" in shown
    assert "Cedar Tools" not in shown

    clock.set(at_shanghai("2026-11-24T09:05"))  # the Homes are published after the reminder time
    jobs.run_job("home", env, worker_client(standin))
    [home] = [
        call.args["view"] for call in standin.calls_to("views.publish") if call.args["user_id"] == MANAGER
    ]
    shown = json.dumps(home["blocks"])
    assert "Customers of deactivated members to reassign: 2" in shown
    assert "Acme Trading" in shown
    assert "Bright Foods" in shown


# -- the nightly job ---------------------------------------------------------------------------------------
MANY = 450  # three pages of users.list


def many_people(env, standin) -> list[str]:
    """Slack has MANY members (the six of the fixture and more); the bot knows every one of them."""
    extra = [f"U1{n:05d}" for n in range(MANY - len(standin.users))]
    for user_id in extra:
        standin.add_user(user_id, f"Member {user_id}")
    builders.person(env, ADMIN)  # the workspace row
    with env.db.session() as session:
        for user in standin.users.values():
            people_store.add_person_if_missing(
                session=session,
                values={
                    "workspace_id": builders.WORKSPACE,
                    "user_id": user["id"],
                    "name": user["real_name"],
                    "timezone": user["tz"],
                    "slack_locale": user["locale"],
                    "email": user["profile"]["email"],
                    "is_slack_admin": user["is_admin"],
                    "is_guest": user["is_restricted"],
                    "profile_checked_at": NOW,
                    "profile_synced": True,
                    "created_at": NOW,
                },
            )
    return list(standin.users)


def test_the_nightly_job_pages_users_list_and_catches_what_no_event_reported(env, standin, clock):
    members = many_people(env, standin)
    assert len(members) == MANY
    quitter, turned_guest, renamed = members[-1], members[250], members[7]
    standin.users[quitter]["deleted"] = True
    standin.users[turned_guest]["is_restricted"] = True
    standin.users[renamed]["profile"]["display_name"] = "Renamed"
    standin.users[ADMIN]["is_admin"] = True
    standin.fail_next("users.list", status=429, retry_after=0)  # Slack asks to wait once

    summary = jobs.run_job("people", env, worker_client(standin))

    assert "1 workspaces" in summary
    assert "4 people updated" in summary
    pages = [(c.args.get("cursor") or "", str(c.args.get("limit"))) for c in standin.calls_to("users.list")]
    assert pages == [("", "200"), ("", "200"), ("200", "200"), ("400", "200")]
    assert stored(env, quitter).is_deleted
    assert stored(env, turned_guest).is_guest
    assert stored(env, renamed).name == "Renamed"
    assert stored(env, ADMIN).is_slack_admin

    assert "0 workspaces" in jobs.run_job("people", env, worker_client(standin)), "once a day"
    assert len(standin.calls_to("users.list")) == 4
    clock.advance(timedelta(days=1))
    assert "0 people updated" in jobs.run_job("people", env, worker_client(standin))


def test_the_nightly_job_skips_an_inactive_workspace(slack, env, standin):
    many_people(env, standin)
    workspace_event(slack, {"type": "app_uninstalled"})
    standin.users[REP]["deleted"] = True
    assert "0 workspaces" in jobs.run_job("people", env, worker_client(standin))
    assert standin.calls_to("users.list") == []
    assert stored(env, REP).is_deleted is False


# -- installs ----------------------------------------------------------------------------------------------
def queued_digests(env) -> list[OutboxMessage]:
    with env.db.session() as session:
        return list(session.exec(select(OutboxMessage).where(col(OutboxMessage.kind) == "digest")).all())


def test_an_uninstalled_workspace_rests_until_its_next_request(slack, standin, env, clock):
    crm(slack, standin, f"role <@{MANAGER}> manager")
    crm(slack, standin, f"team <@{MANAGER}> add <@{REP}>")
    clock.set(at_shanghai("2026-11-24T08:45"))

    workspace_event(slack, {"type": "app_uninstalled"})
    resting = workspace(env)
    assert resting.active is False
    assert resting.inactive_since == clock.now()
    assert jobs.run_job("digest", env, worker_client(standin)) == "0 digests"
    assert queued_digests(env) == []

    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}}
    clock.advance(timedelta(seconds=1))
    workspace_event(slack, revoked)  # Slack sends it with the uninstall: no sign of a reinstall
    assert workspace(env).active is False
    assert workspace(env).inactive_since == resting.inactive_since

    assert "Customers" in slack.command(REP, "/crm", "help").text  # after a reinstall
    assert workspace(env).active is True
    assert workspace(env).inactive_since is None
    assert jobs.run_job("digest", env, worker_client(standin)) == "1 digests"


def test_revoked_tokens_rest_the_workspace_only_when_the_bot_token_goes(slack, env):
    slack.command(CHINESE_REP, "/crm", "help")
    workspace_event(slack, {"type": "tokens_revoked", "tokens": {"oauth": [ADMIN], "bot": []}})
    assert workspace(env).active is True, "a person's own token went, the bot still works"
    workspace_event(slack, {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}})
    assert workspace(env).active is False
