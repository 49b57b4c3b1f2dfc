"""Importing opportunities from CSV: the form's checks line by line, stages named in either language,
numbers after the workspace's own, duplicates skipped, the customer interested, and the export read
back in."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col

from bot.__main__ import main
from bot.services import bulk, opportunities, opportunities_card
from bot.services.opportunities import OpportunityDraft
from bot.services.people import Actor
from bot.services.tiers import STAGE_RULES
from store import tiers as tiers_store
from store.models import Customer, Opportunity, OpportunityChange, Person
from tests import builders
from tests.conftest import NOW, OTHER_REP, REP

TODAY = date(2026, 11, 23)
HEADER = "customer,customer_id,title,amount,currency,rate,stage,probability,expected_close,products,next_step,owner"
CHINESE = "客户名称,商机名称,金额,币种,销售阶段,赢率,预计成交日期,产品,下一步,负责人"


@pytest.fixture
def team(env):
    builders.person(env, REP, name="Mei")
    builders.person(env, OTHER_REP, name="Li")
    with env.db.session() as session:
        session.execute(
            sa.update(Person).where(col(Person.user_id) == OTHER_REP).values(email="li@example.com")
        )
    return env


def run(env, path, **options) -> bulk.ImportReport:
    workspace = bulk.workspace_for(env, None)
    return bulk.import_file(
        env, "opportunities", path, workspace=workspace, options=bulk.ImportOptions(**options)
    )


def write(path, header: str, lines: list[str], encoding: str = "utf-8"):
    path.write_text("\n".join([header, *lines]) + "\n", encoding=encoding)
    return path


def outcomes(report: bulk.ImportReport) -> dict[int, str]:
    return {outcome.line: f"{outcome.status}: {outcome.reason}" for outcome in report.outcomes}


def actor(user_id: str, role: str = "rep") -> Actor:
    return Actor(builders.WORKSPACE, user_id, user_id, role, None, "Asia/Shanghai", "en")


def imported(env) -> dict[str, Opportunity]:
    with env.db.session() as session:
        return {row.title: row for row in session.query(Opportunity).all()}


def test_good_lines_are_opened_as_the_form_opens_them_and_bad_ones_reported(team, tmp_path):
    acme = builders.customer(team, "Acme Trading", owner=REP)
    pooled = builders.customer(team, "Pool Works", owner=None)
    first = opportunities.open_opportunity(
        team, actor(REP), OpportunityDraft(acme.id or 0, "Made in Slack", "100", TODAY + timedelta(days=9))
    )
    lines = [
        "Acme Trading,,Boilers,12000,,,,,2026-12-31,boilers,send the quote,",  # 2: the first open stage
        f",{acme.id},Spare parts,300.5,USD,7.1,Proposal,55%,2026-11-01,,,li@example.com",  # 3: slipped, Li's
        "Pool Works,,Pumps,800,,,方案报价,,2027-01-15,,,U0MEI",  # 4: a pool customer with an owner named
        "Pool Works,,Valves,800,,,,,2027-01-15,,,",  # 5: a pool customer, nobody named
        "Acme Trading,,Minus,-5,,,,,2026-12-31,,,",
        "Acme Trading,,Words,abc,,,,,2026-12-31,,,",
        "Acme Trading,,Huge,1e20,,,,,2026-12-31,,,",
        "Acme Trading,,Sure thing,100,,,,120,2026-12-31,,,",
        "Acme Trading,,Done deal,100,,,won,,2026-12-31,,,",
        "Acme Trading,,Where,100,,,somewhere,,2026-12-31,,,",
        "Acme Trading,,Far,100,,,,,2031-01-01,,,",
        "Nobody Ltd,,Ghost,100,,,,,2026-12-31,,,",
        "Acme Trading,,,100,,,,,2026-12-31,,,",
    ]
    report = run(team, write(tmp_path / "o.csv", HEADER, lines))
    assert report.committed
    assert (report.lines, report.added) == (13, 3)
    said = outcomes(report)
    assert said[5] == f"rejected: owner: #{pooled.id} is in the pool; name who works it"
    assert [said[n].split(":")[1].strip() for n in range(6, 9)] == ["amount"] * 3
    assert said[9] == "rejected: probability: The probability is a percent from 0 to 100."
    assert said[10].startswith("rejected: stage: 'won' is a closed stage; only open opportunities")
    assert said[11] == (
        "rejected: stage: no stage is called 'somewhere' "
        "(the open stages: Qualify, Needs analysis, Proposal, Negotiation)"
    )
    assert said[12].startswith("rejected: expected_close: The expected close date is more than three")
    assert said[13] == "rejected: customer: no customer is named 'Nobody Ltd'"
    assert said[14] == "rejected: title: Give the opportunity a title."

    found = imported(team)
    stages = {stage.id: stage.key for stage in opportunities.stages(team, builders.WORKSPACE)}
    boilers, parts, pumps = found["Boilers"], found["Spare parts"], found["Pumps"]
    assert sorted([boilers.id, parts.id, pumps.id]) == [first.id + 1, first.id + 2, first.id + 3]
    assert (stages[boilers.stage_id], boilers.probability, boilers.owner_id) == ("qualify", 10, REP)
    assert (boilers.amount_minor, boilers.products, boilers.next_step) == (
        1200000,
        "boilers",
        "send the quote",
    )
    assert (stages[parts.stage_id], parts.probability, parts.owner_id) == ("proposal", 55, OTHER_REP)
    assert (parts.currency, parts.amount_minor, parts.expected_close_on) == ("USD", 30050, date(2026, 11, 1))
    assert (stages[pumps.stage_id], pumps.owner_id, pumps.created_by) == ("proposal", REP, "import")

    with team.db.session() as session:
        history = session.query(OpportunityChange).filter_by(opportunity_id=parts.id).all()
        stage_of = {c.name: c.stage for c in session.query(Customer).all()}
    assert [(c.version, c.change, c.actor_id, c.owner_id) for c in history] == [
        (1, "created", None, OTHER_REP)
    ]
    assert stage_of == {"Acme Trading": "interested", "Pool Works": "interested"}

    card = opportunities_card.card(team, actor(OTHER_REP), parts.id)
    assert card.can_change
    assert card.customer_name == "Acme Trading"
    listed = {c.opportunity.title for c in opportunities_card.open_for(team, actor(REP))}
    assert listed == {"Made in Slack", "Boilers", "Pumps"}


def test_chinese_files_name_stages_in_chinese(team, tmp_path):
    builders.customer(team, "华东机械", owner=REP)
    lines = ["华东机械,二期扩产,50000,CNY,谈判审核,,2027年1月20日,,,li@example.com"]
    report = run(team, write(tmp_path / "c.csv", CHINESE, lines, "gb18030"))
    assert (report.encoding, report.added, report.outcomes) == ("gb18030", 1, [])
    [row] = imported(team).values()
    stage = {stage.id: stage for stage in opportunities.stages(team, builders.WORKSPACE)}[row.stage_id]
    assert (stage.key, row.probability, row.owner_id, row.expected_close_on) == (
        "negotiation",
        70,
        OTHER_REP,
        date(2027, 1, 20),
    )


def test_a_file_imported_twice_adds_nothing_the_second_time(team, tmp_path):
    builders.customer(team, "Acme Trading", owner=REP)
    lines = ["Acme Trading,,Boilers,100,,,,,2026-12-31,,,", "Acme Trading,,  boilers ,200,,,,,2026-12-31,,,"]
    path = write(tmp_path / "o.csv", HEADER, lines)
    first = run(team, path)
    assert first.added == 1
    assert outcomes(first) == {
        3: "duplicate: Acme Trading already has an open opportunity 'boilers' (line 2)"
    }
    again = run(team, path)
    assert again.added == 0
    assert outcomes(again)[2] == (
        "duplicate: Acme Trading already has an open opportunity 'Boilers' (the workspace)"
    )
    assert len(imported(team)) == 1


def test_a_dry_run_writes_nothing_and_takes_no_number(team, tmp_path):
    acme = builders.customer(team, "Acme Trading", owner=REP)
    report = run(
        team, write(tmp_path / "o.csv", HEADER, ["Acme Trading,,Boilers,100,,,,,2026-12-31,,,"]), dry_run=True
    )
    assert (report.added, report.committed) == (1, False)
    assert imported(team) == {}
    made = opportunities.open_opportunity(
        team, actor(REP), OpportunityDraft(acme.id or 0, "Next", "100", TODAY + timedelta(days=9))
    )
    assert made.id == 1


def test_the_export_reads_back_in_open_ones_as_duplicates_closed_ones_refused(team, tmp_path):
    acme = builders.customer(team, "Acme Trading", owner=REP)
    for title in ("Open one", "Lost one"):
        opportunities.open_opportunity(
            team,
            actor(REP),
            OpportunityDraft(acme.id or 0, title, "1200.50", TODAY + timedelta(days=9), "USD", "7.1"),
        )
    opportunities.mark_lost(team, actor(REP), 2, seen_version=1, reason_key="price", words="")
    out = io.StringIO()
    bulk.export(team, "opportunities", out, workspace=bulk.workspace_for(team, None))
    path = tmp_path / "export.csv"
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    report = run(team, path)
    assert report.added == 0
    assert outcomes(report)[2].startswith(
        "duplicate: Acme Trading already has an open opportunity 'Open one'"
    )
    assert outcomes(report)[3].startswith("rejected: stage: 'lost' is a closed stage")
    assert {"number", "amount_base", "lost_reason"} <= set(report.ignored_columns)


def test_the_import_command_takes_opportunities(team, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", str(team.db.engine.url.render_as_string(hide_password=False)))
    builders.customer(team, "Acme Trading", owner=REP)
    path = write(tmp_path / "o.csv", HEADER, ["Acme Trading,,Boilers,100,,,,,2026-12-31,,,"])
    with pytest.raises(SystemExit) as exit_code:
        main(["import", "opportunities", str(path)])
    assert exit_code.value.code == 0
    assert "1 lines (utf-8-sig): 1 added" in capsys.readouterr().out
    assert set(imported(team)) == {"Boilers"}


def test_the_customers_stages_are_what_the_stage_rule_makes_them(team, tmp_path):
    """A prospect becomes interested; a dealt or a lost customer keeps its stage; the nightly rule,
    run after the import, changes nothing."""
    builders.customer(team, "Prospect Co", owner=REP)
    builders.customer(team, "Dealt Co", owner=REP, dealt_at=NOW, first_order_on=TODAY, last_order_on=TODAY,
                      order_count=1, stage="new")  # fmt: skip
    builders.customer(team, "Lost Co", owner=REP, lost_at=NOW, stage="lost")
    lines = [f"{name},,Deal,100,,,,,2026-12-31,,," for name in ("Prospect Co", "Dealt Co", "Lost Co")]
    assert run(team, write(tmp_path / "o.csv", HEADER, lines)).added == 3
    with team.db.session() as session:
        stages = {c.name: c.stage for c in session.query(Customer).all()}
        ids = [c.id for c in session.query(Customer).all()]
        tiers_store.refresh_stages(session=session, customer_ids=ids, rules=STAGE_RULES, today=TODAY, now=NOW)
        session.flush()
        after = {c.name: c.stage for c in session.query(Customer).all()}
    assert stages == {"Prospect Co": "interested", "Dealt Co": "new", "Lost Co": "lost"}
    assert after == stages
