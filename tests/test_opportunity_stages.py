"""`/crm stages`: an admin renames, reorders, re-weighs, adds and retires opportunity stages; every
opportunity's history keeps naming its stages; bad input changes nothing; reps may not."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import col

from bot.services import opportunities
from bot.services.opportunities import OpportunityDraft
from bot.services.people import Actor
from store.models import OpportunityStage, SettingChange
from tests import builders
from tests.conftest import ADMIN, REP

MEI = Actor(builders.WORKSPACE, REP, "Mei", "rep", None, "Asia/Shanghai", "en")


@pytest.fixture
def acme(env):
    builders.person(env, ADMIN, role="admin")
    builders.person(env, REP)
    return builders.customer(env, "Acme Trading", owner=REP)


def stages(env) -> list[tuple[str, str, int, int]]:
    """(key, name, position, probability) of the stages in use, in order."""
    with env.db.session() as session:
        rows = session.scalars(
            sa.select(OpportunityStage)
            .where(col(OpportunityStage.retired_at).is_(None))
            .order_by(col(OpportunityStage.position))
        ).all()
        return [(s.key, s.name, s.position, s.probability) for s in rows]


def test_an_admin_renames_reorders_reweighs_and_adds_and_the_history_keeps_naming_them(
    slack, standin, env, acme
):
    opened = opportunities.open_opportunity(
        env, MEI, OpportunityDraft(acme.id or 0, "Renewal", "1000", date(2026, 12, 20))
    )
    form = builders.open_form(slack, standin, "/crm", "stages", user=ADMIN)
    ids = {s.key: s.id for s in opportunities.stages(env, builders.WORKSPACE)}
    reply = slack.submit(ADMIN, form, {
        f"stage_name_{ids['qualify']}": "初步接洽", f"stage_probability_{ids['qualify']}": "15",
        f"stage_position_{ids['proposal']}": "2", f"stage_position_{ids['needs_analysis']}": "3",
        "new_name": "Trial", "new_probability": "50", "new_idle": "7",
    })  # fmt: skip
    assert reply.json == {"response_action": "clear"}, reply.json
    assert stages(env) == [
        ("qualify", "初步接洽", 1, 15), ("proposal", "", 2, 40), ("needs_analysis", "", 3, 20),
        ("negotiation", "", 4, 70), ("", "Trial", 5, 50), ("won", "", 6, 100), ("lost", "", 7, 0),
    ]  # fmt: skip
    card = slack.command(REP, "/deal", "Acme").text
    assert "初步接洽" in card, "the opportunity's stage by its new name"
    with env.db.session() as session:
        kept = session.scalars(
            sa.select(col(SettingChange.key)).where(col(SettingChange.key).like("stage.%"))
        ).all()
    assert f"stage.{ids['qualify']}" in kept
    assert opened.stage_id == ids["qualify"], "the stage keeps its id"


def test_a_stage_with_open_opportunities_is_not_retired_an_empty_one_is(slack, standin, env, acme):
    opportunities.open_opportunity(
        env, MEI, OpportunityDraft(acme.id or 0, "Renewal", "1000", date(2026, 12, 20))
    )
    ids = {s.key: s.id for s in opportunities.stages(env, builders.WORKSPACE)}
    form = builders.open_form(slack, standin, "/crm", "stages", user=ADMIN)
    refused = slack.submit(ADMIN, form, {"stage_retire": [str(ids["qualify"])]})
    assert refused.json["response_action"] == "errors"
    assert "move them first" in json.dumps(refused.json)
    assert len(stages(env)) == 6, "nothing changed"
    assert slack.submit(ADMIN, form, {"stage_retire": [str(ids["needs_analysis"])]}).json == {
        "response_action": "clear"
    }
    assert [key for key, *_ in stages(env)] == ["qualify", "proposal", "negotiation", "won", "lost"]
    assert [s.position for s in opportunities.stages(env, builders.WORKSPACE) if s.key == "proposal"] == [2]


@pytest.mark.usefixtures("acme")
def test_bad_input_is_refused_by_field_and_a_rep_may_not(slack, standin, env):
    ids = {s.key: s.id for s in opportunities.stages(env, builders.WORKSPACE)}
    form = builders.open_form(slack, standin, "/crm", "stages", user=ADMIN)
    refused = slack.submit(ADMIN, form, {f"stage_probability_{ids['proposal']}": "140",
                                         f"stage_name_{ids['negotiation']}": "Qualify"})  # fmt: skip
    assert "from 0 to 100" in refused.json["errors"][f"stage_probability_{ids['proposal']}"]
    assert "same name" in json.dumps(refused.json)
    assert [p for *_, p in stages(env)] == [10, 20, 40, 70, 100, 0]
    told = slack.command(REP, "/crm", "stages")
    assert "admin" in told.text.lower()
