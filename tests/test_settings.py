"""`/crm settings`: the modal, field errors, the channel check and the change log."""

from __future__ import annotations

import json

from bot.services import settings as settings_service
from store import settings as settings_store
from tests import builders
from tests.conftest import ADMIN, REP


def open_settings(slack, standin):
    return builders.open_form(slack, standin, "/crm", "settings", user=ADMIN)


def test_only_admins_open_the_settings(slack, standin):
    reply = slack.command(REP, "/crm", "settings")
    assert "Only admins can change the settings" in reply.text
    assert standin.count("views.open") == 0


def test_the_modal_shows_the_defaults_and_saving_logs_each_change(slack, standin, env):
    view = open_settings(slack, standin)
    numbers = {
        b["block_id"]: b["element"]["initial_value"]
        for b in view["blocks"]
        if b.get("element", {}).get("type") == "number_input"
    }
    assert numbers["recycle_days_a"] == "15"
    assert numbers["daily_claim_limit"] == "10"
    assert numbers["lock_cap"] == "20"
    reply = slack.submit(ADMIN, view, {"daily_claim_limit": "5", "cooldown_days": "3"})
    assert reply.json == {"response_action": "clear"}
    saved = json.dumps(standin.last("respond"), ensure_ascii=False)
    assert "Claims per rep per day: 10 → 5" in saved
    assert "previous owner may claim back: 7 → 3" in saved
    current = settings_service.load(env, builders.WORKSPACE)
    assert current.daily_claim_limit == 5
    assert current.cooldown_days == 3
    assert current.holding_cap == 200
    with env.db.session() as session:
        log = settings_store.recent_changes(session=session, workspace_id=builders.WORKSPACE, limit=10)
    assert {(row.key, row.old_value, row.new_value, row.changed_by) for row in log} == {
        ("daily_claim_limit", "10", "5", ADMIN),
        ("cooldown_days", "7", "3", ADMIN),
    }
    again = open_settings(slack, standin)
    assert "Claims per rep per day: 10 → 5" in json.dumps(again["blocks"][-1], ensure_ascii=False)


def test_bad_numbers_get_field_errors_and_nothing_is_saved(slack, standin, env):
    view = open_settings(slack, standin)
    for field, value, message in [
        ("recycle_days_b", "0", "from 1 to 3650"),
        ("daily_claim_limit", "ten", "whole number"),
        ("warning_days", "20", "fewer days than the shortest period (15)"),
    ]:
        reply = slack.submit(ADMIN, view, {field: value, "holding_cap": "50"})
        assert reply.json["response_action"] == "errors"
        assert message in reply.json["errors"][field], field
    assert settings_service.load(env, builders.WORKSPACE).holding_cap == 200


def test_switches_save_and_unticking_is_an_answer(slack, standin, env):
    view = open_settings(slack, standin)
    slack.submit(ADMIN, view, {"dealt_exempt": [], "dealt_count_in_cap": ["on"]})
    current = settings_service.load(env, builders.WORKSPACE)
    assert current.dealt_exempt is False
    assert current.dealt_count_in_cap is True


def test_a_private_channel_without_the_bot_is_refused_with_how_to_fix_it(slack, standin, env):
    standin.add_channel("G0SECRET", "secret", is_private=True)
    standin.add_channel("G0TEAM", "team", is_private=True, is_member=True)
    standin.add_channel("C0OLD", "old", is_archived=True)
    view = open_settings(slack, standin)
    refused = slack.submit(ADMIN, view, {"pool_channel": "G0SECRET"})
    assert "/invite @Tidewater" in refused.json["errors"]["pool_channel"]
    archived = slack.submit(ADMIN, view, {"pool_channel": "C0OLD"})
    assert "archived" in archived.json["errors"]["pool_channel"]
    assert settings_service.load(env, builders.WORKSPACE).pool_channel is None
    assert slack.submit(ADMIN, view, {"pool_channel": "G0TEAM"}).json == {"response_action": "clear"}
    assert settings_service.load(env, builders.WORKSPACE).pool_channel == "G0TEAM"


def test_a_change_by_another_admin_meanwhile_is_not_overwritten(env):
    """Two admins save the same setting from forms opened on the same value: the second is refused."""
    builders.person(env, ADMIN, role="admin")
    with env.db.session() as session:
        settings_store.save_setting(
            session=session,
            workspace_id=builders.WORKSPACE,
            key="lock_cap",
            stored_value=None,
            old_value="20",
            new_value="30",
            changed_by="U0ADA2",
            at=env.clock.now(),
        )
    with env.db.session() as session:
        lost = settings_store.save_setting(
            session=session,
            workspace_id=builders.WORKSPACE,
            key="lock_cap",
            stored_value=None,
            old_value="20",
            new_value="25",
            changed_by=ADMIN,
            at=env.clock.now(),
        )
    assert lost is False
    assert settings_service.load(env, builders.WORKSPACE).lock_cap == 30
