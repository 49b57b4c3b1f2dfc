"""People and workspaces: lookups, first contact, roles and teams."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import ROLE_MANAGER, JobMark, Person, Workspace
from store.sql import insert_ignore


def get_workspace(*, session: Session, workspace_id: str) -> Workspace | None:
    return session.get(Workspace, workspace_id)


def timezone_of(*, session: Session, workspace_id: str) -> str:
    """The workspace's zone; UTC for a workspace not recorded yet."""
    workspace = session.get(Workspace, workspace_id)
    return workspace.timezone if workspace else "UTC"


def add_workspace_if_missing(*, session: Session, values: dict[str, Any]) -> Workspace:
    insert_ignore(session, Workspace, values)
    workspace = session.get(Workspace, values["id"], populate_existing=True)
    assert workspace is not None
    return workspace


def set_enterprise(*, session: Session, workspace_id: str, enterprise_id: str) -> int:
    """The workspace belongs to this organisation (an organisation-wide install covers it); rows changed."""
    changed = session.execute(
        sa.update(Workspace)
        .where(
            col(Workspace.id) == workspace_id, col(Workspace.enterprise_id).is_distinct_from(enterprise_id)
        )
        .values(enterprise_id=enterprise_id)
    )
    return int(changed.rowcount)  # type: ignore[attr-defined]


def get_person(*, session: Session, workspace_id: str, user_id: str) -> Person | None:
    return session.get(Person, (workspace_id, user_id))


_PERSON_IN_WORKSPACE = (
    select(Workspace, Person)
    .outerjoin(
        Person,
        sa.and_(col(Person.workspace_id) == col(Workspace.id), col(Person.user_id) == sa.bindparam("user")),
    )
    .where(col(Workspace.id) == sa.bindparam("ws"))
)


def get_person_in_workspace(
    *, session: Session, workspace_id: str, user_id: str
) -> tuple[Workspace | None, Person | None]:
    """The workspace and the person in one statement (every request starts with this)."""
    row = session.execute(_PERSON_IN_WORKSPACE, {"ws": workspace_id, "user": user_id}).first()
    return (row[0], row[1]) if row else (None, None)


def add_person_if_missing(*, session: Session, values: dict[str, Any]) -> Person:
    insert_ignore(session, Person, values)
    person = session.get(Person, (values["workspace_id"], values["user_id"]), populate_existing=True)
    assert person is not None
    return person


def update_profile(
    *, session: Session, workspace_id: str, user_id: str, profile: dict[str, Any], checked_at: datetime
) -> bool:
    """The person's profile as Slack gave it; False when the bot does not know them."""
    result = session.execute(
        sa.update(Person)
        .where(col(Person.workspace_id) == workspace_id, col(Person.user_id) == user_id)
        .values(**profile, profile_checked_at=checked_at)
    )
    return bool(getattr(result, "rowcount", 0))


PROFILE_COLUMNS = (
    "name",
    "timezone",
    "slack_locale",
    "email",
    "is_slack_admin",
    "is_guest",
    "is_deleted",
    "profile_synced",
)
_PROFILES = sa.select(col(Person.user_id), *(getattr(Person, name) for name in PROFILE_COLUMNS))


def stored_profiles(*, session: Session, workspace_id: str) -> dict[str, dict[str, Any]]:
    """Everyone's profile columns (PROFILE_COLUMNS) by user id, as plain values to compare."""
    rows = session.execute(_PROFILES.where(col(Person.workspace_id) == workspace_id))
    return {row[0]: dict(zip(PROFILE_COLUMNS, row[1:], strict=True)) for row in rows}


_PROFILE_UPDATE = (
    sa.update(Person.__table__)  # type: ignore[attr-defined]
    .where(
        Person.__table__.c.workspace_id == sa.bindparam("w_workspace"),  # type: ignore[attr-defined]
        Person.__table__.c.user_id == sa.bindparam("w_user"),  # type: ignore[attr-defined]
    )
    .values({name: sa.bindparam(f"v_{name}") for name in (*PROFILE_COLUMNS, "profile_checked_at")})
)


def update_profiles(
    *, session: Session, workspace_id: str, rows: Sequence[dict[str, Any]], checked_at: datetime
) -> None:
    """Many people's profile columns (each row has them all, and its user_id) in one statement
    executed for all the rows (executemany), in the caller's transaction."""
    if not rows:
        return
    values = [
        {
            "w_workspace": workspace_id,
            "w_user": row["user_id"],
            "v_profile_checked_at": checked_at,
            **{f"v_{name}": row[name] for name in PROFILE_COLUMNS},
        }
        for row in rows
    ]
    session.execute(_PROFILE_UPDATE, values)


def list_team(*, session: Session, workspace_id: str, manager_id: str) -> Sequence[Person]:
    return session.exec(
        select(Person)
        .where(Person.workspace_id == workspace_id, Person.manager_id == manager_id)
        .order_by(col(Person.name), col(Person.user_id))
    ).all()


def list_people(*, session: Session, workspace_id: str) -> Sequence[Person]:
    return session.exec(
        select(Person)
        .where(Person.workspace_id == workspace_id, col(Person.is_deleted).is_(False))
        .order_by(col(Person.name), col(Person.user_id))
    ).all()


def list_managers(*, session: Session, workspace_id: str) -> Sequence[Person]:
    return session.exec(
        select(Person)
        .where(Person.workspace_id == workspace_id, Person.role == ROLE_MANAGER)
        .order_by(col(Person.name), col(Person.user_id))
    ).all()


def count_team(*, session: Session, workspace_id: str, manager_id: str) -> int:
    return int(
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Person)
            .where(col(Person.workspace_id) == workspace_id, col(Person.manager_id) == manager_id)
        )
        or 0
    )


def list_active_workspaces(*, session: Session) -> Sequence[Workspace]:
    """The workspaces the jobs work on: not those resting after an uninstall or a revoked bot token."""
    return session.exec(
        select(Workspace).where(col(Workspace.active).is_(True)).order_by(col(Workspace.id))
    ).all()


def deactivate_workspace(*, session: Session, workspace_id: str, since: datetime) -> None:
    """Resting from `since`; a repeated uninstall event keeps the first time."""
    session.execute(
        sa.update(Workspace)
        .where(col(Workspace.id) == workspace_id, col(Workspace.active).is_(True))
        .values(active=False, inactive_since=since)
    )


_WORKSPACE_ACTIVE = sa.select(col(Workspace.active)).where(col(Workspace.id) == sa.bindparam("ws"))
_WORKSPACE_STATE = sa.select(col(Workspace.active), col(Workspace.version)).where(
    col(Workspace.id) == sa.bindparam("ws")
)


def workspace_state(*, session: Session | sa.Connection, workspace_id: str) -> tuple[bool, int] | None:
    """Whether the workspace is active, and its version (None: not recorded yet): one prebuilt read."""
    row = session.execute(_WORKSPACE_STATE, {"ws": workspace_id}).first()
    return (bool(row[0]), int(row[1])) if row else None


_REACTIVATE = (
    sa.update(Workspace)
    .where(col(Workspace.id) == sa.bindparam("ws"), col(Workspace.active).is_(False))
    .values(active=True, inactive_since=None)
)


def reactivate_workspace(*, session: Session | sa.Connection, workspace_id: str) -> bool:
    """Active again if it was resting (True). Every request asks: a read of prebuilt statements (a
    Core connection takes a fifth of an ORM session's time), a write only when the workspace rests."""
    active = session.execute(_WORKSPACE_ACTIVE, {"ws": workspace_id}).scalar()
    if active is None or active:
        return False
    session.execute(_REACTIVATE, {"ws": workspace_id})
    return True


def job_done(*, session: Session, workspace_id: str, job: str, period: str) -> bool:
    """Whether a once-per-period job already did this period (store.jobmarks.mark_once marked it)."""
    return session.get(JobMark, (workspace_id, job, period)) is not None


@dataclass(frozen=True)
class PersonFacts:
    """What the scheduled jobs read about a person, as a plain row: a thousand Person models take
    about a hundred milliseconds to build, a thousand of these a few."""

    user_id: str
    name: str
    role: str
    manager_id: str | None
    timezone: str
    slack_locale: str | None
    chosen_locale: str | None
    is_slack_admin: bool
    is_guest: bool
    is_deleted: bool


_FACTS = [getattr(Person, name) for name in PersonFacts.__dataclass_fields__]


def list_everyone(*, session: Session, workspace_id: str) -> list[PersonFacts]:
    """Everyone the bot has met in the workspace, deactivated members included (the digest lists
    their customers for reassignment)."""
    rows = session.execute(
        sa.select(*_FACTS)
        .where(col(Person.workspace_id) == workspace_id)
        .order_by(col(Person.name), col(Person.user_id))
    )
    return [PersonFacts(*row) for row in rows]
