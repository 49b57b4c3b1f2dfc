"""What requests read of a workspace, kept in the process while the workspace's version holds: the
database bumps the version in the transaction of each change that matters (and of none that does not),
and a request reads the version once instead of the rows."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import col

from bot.services import freshness, people
from bot.services import settings as settings_service
from store import pool as pool_store
from store.models import Person, Workspace
from tests import builders
from tests.conftest import ADMIN, REP
from tests.test_followups import admin_actor


def version(env) -> int:
    with env.db.session() as session:
        return int(
            session.execute(
                sa.select(col(Workspace.version)).where(col(Workspace.id) == builders.WORKSPACE)
            ).scalar_one()
        )


def statements(env, action) -> list[str]:
    """What `action` asked the database: each statement's verb and first table ("SELECT workspace")."""
    seen: list[str] = []

    def note(_conn, _cursor, statement: str, *_rest) -> None:
        words = statement.replace("\n", " ").split()
        if words[0] != "PRAGMA":
            table = words[words.index("FROM") + 1] if "FROM" in words else words[1]
            seen.append(f"{words[0]} {table}")

    sa.event.listen(env.db.engine, "before_cursor_execute", note)
    try:
        action()
    finally:
        sa.event.remove(env.db.engine, "before_cursor_execute", note)
    return seen


def no_lookup(_user_id: str):
    raise AssertionError("Slack asked")


def test_the_versions_moves_with_what_requests_read_and_not_with_a_claim(env):
    builders.person(env, ADMIN, role="admin")
    builders.person(env, REP, name="Mei")
    start = version(env)
    with env.db.session() as session:
        pool_store.count_claim(
            session=session, workspace_id=builders.WORKSPACE, user_id=REP, day=date(2026, 11, 23)
        )
    assert version(env) == start, "a claim's counter is not what requests keep"
    with env.db.session() as session:
        session.execute(sa.update(Person).where(col(Person.user_id) == REP).values(role="manager"))
    assert version(env) == start + 1, "a person's role"
    settings_service.save(env, admin_actor(), {"holding_cap": "40"})
    assert version(env) == start + 2, "a setting"
    with env.db.session() as session:
        session.execute(
            sa.update(Workspace).where(col(Workspace.id) == builders.WORKSPACE).values(locale="zh_CN")
        )
    assert version(env) == start + 3, "the workspace's own language"


def test_a_kept_person_costs_one_read_of_the_version_and_a_change_is_read_again(env):
    builders.person(env, REP, name="Mei")
    people.resolve_actor(env, workspace_id=builders.WORKSPACE, user_id=REP, lookup=no_lookup)

    with freshness.request_scope():
        read = statements(
            env,
            lambda: people.resolve_actor(env, workspace_id=builders.WORKSPACE, user_id=REP, lookup=no_lookup),
        )
    assert read == ["SELECT workspace"], "the version alone"

    with env.db.session() as session:
        session.execute(sa.update(Person).where(col(Person.user_id) == REP).values(role="manager"))
    with freshness.request_scope():
        actor = people.resolve_actor(env, workspace_id=builders.WORKSPACE, user_id=REP, lookup=no_lookup)
    assert actor.role == "manager"
