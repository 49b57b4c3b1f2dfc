"""/crm role, team and lang; people added on first contact; guests refused."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.services.people import resolve_actor
from tests.conftest import ADMIN, CHINESE_REP, GUEST, MANAGER, OTHER_REP, REP


def crm(slack, standin, text, user=ADMIN):
    """Send `/crm text` and wait for the lazy answer (roles and teams are answered after the ack)."""
    seen = standin.count("respond")
    assert slack.command(user, "/crm", text).status == 200
    return str(standin.next_call("respond", after=seen)["blocks"])


def test_an_admin_sets_roles_and_teams(slack, standin):
    assert "is now a manager" in crm(slack, standin, f"role <@{MANAGER}|max> manager")
    assert "joined the team of" in crm(
        slack, standin, f"team <@{MANAGER}|max> add <@{REP}|mei> <@{OTHER_REP}|li>"
    )
    listing = slack.command(ADMIN, "/crm", "team").text
    assert f"<@{MANAGER}>" in listing
    assert f"<@{REP}>" in listing
    assert f"<@{OTHER_REP}>" in listing

    assert "left the team of" in crm(slack, standin, f"team <@{MANAGER}> remove <@{OTHER_REP}>")
    assert "without a manager" in slack.command(ADMIN, "/crm", "team").text


def test_the_target_of_team_must_be_a_manager_and_managers_have_no_manager(slack, standin):
    assert "not a manager" in crm(slack, standin, f"team <@{REP}> add <@{OTHER_REP}>")
    crm(slack, standin, f"role <@{MANAGER}> manager")
    crm(slack, standin, f"role <@{OTHER_REP}> manager")
    assert "one level of managers only" in crm(slack, standin, f"team <@{MANAGER}> add <@{OTHER_REP}>")


def test_a_manager_with_a_team_cannot_be_demoted_until_the_team_is_moved(slack, standin):
    crm(slack, standin, f"role <@{MANAGER}> manager")
    crm(slack, standin, f"team <@{MANAGER}> add <@{REP}>")
    assert "still leads a team of 1" in crm(slack, standin, f"role <@{MANAGER}> rep")


def test_configured_admins_cannot_be_demoted_and_reps_cannot_change_roles(slack, standin):
    assert "cannot be demoted" in crm(slack, standin, f"role <@{ADMIN}> rep")
    reply = slack.command(REP, "/crm", f"role <@{OTHER_REP}> admin")
    assert "Only admins" in reply.text


def test_bad_role_commands_explain_the_usage(slack, standin):
    assert "/crm role @person manager|rep|admin" in crm(slack, standin, "role somebody boss")


def test_guests_are_refused_politely_once(slack, standin, app):
    reply = slack.command(GUEST, "/customer", "")
    assert reply.status == 200
    assert "guests of the workspace cannot use Tidewater" in reply.text
    app.listener_runner.listener_executor.shutdown(wait=True)  # let the lazy twin finish
    assert standin.calls_to("views.open") == []
    assert standin.calls_to("respond") == []


def test_language_precedence_own_choice_over_slack_locale(slack):
    assert "客户" in slack.command(CHINESE_REP, "/crm", "help").text
    slack.command(CHINESE_REP, "/crm", "lang en")
    assert "Customers" in slack.command(CHINESE_REP, "/crm", "help").text
    slack.command(REP, "/crm", "lang zh")
    assert "客户" in slack.command(REP, "/crm", "help").text
    slack.command(REP, "/crm", "lang auto")
    assert "Customers" in slack.command(REP, "/crm", "help").text


@pytest.mark.usefixtures("standin")
def test_twenty_first_contacts_at_once_add_one_person(env):
    from bot.app import profile_lookup, web_client

    lookup = profile_lookup(web_client(env.settings))
    errors = []

    def contact():
        try:
            resolve_actor(env, workspace_id="T0TIDE", user_id=REP, lookup=lookup)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=contact) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with env.db.session() as session:
        assert session.scalar(sa.text("SELECT count(*) FROM person WHERE user_id = :u"), {"u": REP}) == 1
        assert session.scalar(sa.text("SELECT count(*) FROM workspace")) == 1


def test_first_contact_keeps_the_persons_email_for_imports(slack, env):
    slack.command(REP, "/crm", "help")
    with env.db.session() as session:
        email = session.scalar(sa.text("SELECT email FROM person WHERE user_id = :u"), {"u": REP})
    assert email == f"{REP.lower()}@example.com"


def test_slack_being_unreachable_at_first_contact_uses_the_workspace_defaults(slack, standin):
    """users.info answers user_not_found: the person still gets an answer, in the default language."""
    standin.users.pop(REP)
    reply = slack.command(REP, "/crm", "help")
    assert reply.status == 200
    assert "Customers" in reply.text


def test_a_profile_slack_could_not_give_is_asked_again_an_hour_later(slack, standin, clock):
    """Type-ahead requests have no lazy twin, so every users.info here comes from the contacts below."""
    profile = standin.users.pop(CHINESE_REP)
    slack.options(CHINESE_REP, "customer.pick", "acme")
    standin.users[CHINESE_REP] = profile
    slack.options(CHINESE_REP, "customer.pick", "acme")
    assert len(standin.calls_to("users.info")) == 1, "not asked again within the hour"
    clock.advance(timedelta(hours=1, minutes=1))
    assert "客户" in slack.command(CHINESE_REP, "/crm", "help").text, "asked again: the Slack locale applies"
    assert len(standin.calls_to("users.info")) == 2


def test_the_workspace_language_comes_before_the_slack_locale(slack, settings):
    settings.default_locale = "zh_CN"
    assert "客户" in slack.command(REP, "/crm", "help").text
    slack.command(REP, "/crm", "lang en")
    assert "Customers" in slack.command(REP, "/crm", "help").text, "the person's own choice comes first"
