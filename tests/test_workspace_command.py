"""`python -m bot workspace`: list what the database holds, export a workspace's every row, delete one
(asked to confirm, exported first, in one transaction) leaving every other workspace as it was."""

from __future__ import annotations

import argparse
import json

import sqlalchemy as sa
from sqlmodel import SQLModel, col

from bot import workspace_commands
from bot.services import visits
from bot.services.visits import VisitDraft
from store import people as people_store
from store.merge import merged_namespace
from store.models import Customer
from tests import builders
from tests.conftest import NOW, REP
from tests.test_churn import rep

OTHER = "T0OTHER"


def two_workspaces(env) -> None:
    builders.person(env, REP, name="Mei")
    acme = builders.customer(env, "Acme", owner=REP)
    visits.log_visit(env, rep(REP), VisitDraft(acme.id or 0, "call", NOW.date(), "note"))
    old = builders.customer(env, "Old Acme", owner=None)  # merged away: kept under the merged namespace
    with env.db.session() as session:
        session.execute(
            sa.update(Customer)
            .where(col(Customer.id) == old.id)
            .values(workspace_id=merged_namespace(builders.WORKSPACE))
        )
    with env.db.session() as session:
        people_store.add_workspace_if_missing(session=session, values={"id": OTHER, "created_at": NOW})
        people_store.add_person_if_missing(session=session, values={
            "workspace_id": OTHER, "user_id": "U0SAM", "name": "Sam", "role": "rep", "timezone": "UTC",
            "profile_checked_at": NOW, "created_at": NOW,
        })  # fmt: skip
        session.add(Customer(workspace_id=OTHER, name="Theirs", name_key="theirs", created_by="U0SAM",
                             created_at=NOW, updated_at=NOW))  # fmt: skip


def command(action: str, **values) -> argparse.Namespace:
    return argparse.Namespace(action=action, team=values.get("team"), out=values.get("out"), yes=False)


def rows_of(env, workspace_id: str) -> int:
    with env.db.connection() as connection:
        return sum(
            connection.execute(sa.select(sa.func.count()).where(t.c.workspace_id.in_([workspace_id, merged_namespace(workspace_id)]))).scalar_one()
            for t in SQLModel.metadata.sorted_tables
            if "workspace_id" in t.columns
        )  # fmt: skip


def test_list_shows_each_workspace_with_its_people_and_customers(env, capsys):
    two_workspaces(env)
    assert workspace_commands.run(env.settings, command("list")) == 0
    out = capsys.readouterr().out
    assert f"{builders.WORKSPACE}" in out
    assert f"{OTHER}  —  active  1 people, 1 customers" in out
    assert "~merged" not in out


def test_delete_asks_exports_first_and_removes_every_row_of_that_workspace_only(env, capsys, tmp_path):
    two_workspaces(env)
    before_other = rows_of(env, OTHER)
    assert (
        workspace_commands.run(
            env.settings, command("delete", team=builders.WORKSPACE, out=tmp_path / "x"), ask=lambda _q: "no"
        )
        == 1
    )
    assert rows_of(env, builders.WORKSPACE) > 0, "a wrong answer deletes nothing"

    asked: list[str] = []

    def ask(question: str) -> str:
        asked.append(question)
        return builders.WORKSPACE

    answer = workspace_commands.run(
        env.settings, command("delete", team=builders.WORKSPACE, out=tmp_path / "export"), ask=ask
    )
    assert answer == 0
    assert f"Type {builders.WORKSPACE} to go on" in asked[0]
    exported = [
        json.loads(line) for line in (tmp_path / "export" / "customer.jsonl").read_text().splitlines()
    ]
    assert sorted(row["name"] for row in exported) == ["Acme", "Old Acme"], "the merged namespace too"
    assert (tmp_path / "export" / "visit.jsonl").exists()
    assert rows_of(env, builders.WORKSPACE) == 0
    assert rows_of(env, OTHER) == before_other, "the other workspace as it was"
    out = capsys.readouterr().out
    assert f"Deleted workspace {builders.WORKSPACE}, in one transaction: " in out
    assert "customer 2" in out
    assert "visit 1" in out


def test_an_unknown_workspace_is_refused(env, capsys):
    assert workspace_commands.run(env.settings, command("export", team="T0NOBODY")) == 1
    assert "name a workspace this database holds" in capsys.readouterr().err
