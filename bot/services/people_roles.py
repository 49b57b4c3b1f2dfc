"""Roles and teams: who is an admin, a manager or a rep, and whose team a rep is in (admins only)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.env import Env
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import N_
from bot.services.people_actors import (
    Actor,
    ProfileLookup,
    effective_role,
    resolve_person,
)
from store import people as people_store
from store.models import ROLE_ADMIN, ROLE_MANAGER, ROLE_REP, ROLES, Person


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise NotAllowed(N_("Only admins can change roles and teams. Ask an admin of your workspace."))


@dataclass(frozen=True)
class RoleChange:
    user_id: str
    role: str
    left_team_of: str | None = None


def set_role(env: Env, actor: Actor, *, user_id: str, role: str, lookup: ProfileLookup) -> RoleChange:
    """The role stored for a person. An admin role stored here outlasts Slack's (a Slack admin keeps
    it when demoted in Slack); admins by configuration or by Slack cannot be demoted here."""
    require_admin(actor)
    if role not in ROLES:
        raise InvalidInput(N_("The role must be one of: manager, rep, admin."))
    target = resolve_person(env, workspace_id=actor.workspace_id, user_id=user_id, lookup=lookup)
    if target.is_guest:
        raise InvalidInput(N_("Guests cannot use the CRM, so they cannot have a role."))
    with env.db.session() as session:
        person = people_store.get_person(session=session, workspace_id=actor.workspace_id, user_id=user_id)
        assert person is not None
        if role != ROLE_ADMIN:
            _check_demotion(env, session, person, role)
        left_team_of = person.manager_id if role == ROLE_MANAGER else None
        person.role = role
        if role == ROLE_MANAGER:
            person.manager_id = None  # one level only: managers have no manager
    return RoleChange(user_id=user_id, role=role, left_team_of=left_team_of)


def _check_demotion(env: Env, session: Session, person: Person, role: str) -> None:
    """Refuse a role below admin when the admin right comes from elsewhere, or a manager's role while
    they still lead a team."""
    if person.user_id in env.settings.admin_user_ids:
        raise NotAllowed(
            N_("This person is an admin by configuration (ADMIN_USER_IDS) and cannot be demoted.")
        )
    if person.is_slack_admin:
        raise NotAllowed(
            N_(
                "This person is an admin of the Slack workspace, so they are an admin here too: the right "
                "comes from Slack and cannot be taken away here. A Slack workspace owner can change it in Slack."
            )
        )
    if person.role == ROLE_MANAGER and role != ROLE_MANAGER:
        size = people_store.count_team(
            session=session, workspace_id=person.workspace_id, manager_id=person.user_id
        )
        if size:
            raise NotAllowed(
                N_(
                    "This manager still leads a team of %(count)s. Move them first with "
                    "/crm team @manager remove @rep."
                ),
                count=size,
            )


@dataclass(frozen=True)
class TeamChange:
    manager_id: str
    changed: list[str]
    unchanged: list[str]


def change_team(
    env: Env, actor: Actor, *, manager_id: str, add: bool, rep_ids: list[str], lookup: ProfileLookup
) -> TeamChange:
    require_admin(actor)
    if not rep_ids:
        raise InvalidInput(N_("Name at least one person: /crm team @manager add @rep"))
    manager = resolve_person(env, workspace_id=actor.workspace_id, user_id=manager_id, lookup=lookup)
    if manager.role != ROLE_MANAGER:
        raise InvalidInput(
            N_("That person is not a manager. Make them one first: /crm role @person manager"),
        )
    reps = [
        resolve_person(env, workspace_id=actor.workspace_id, user_id=rep, lookup=lookup) for rep in rep_ids
    ]
    for rep in reps:
        _check_team_member(rep, manager_id)
    changed, unchanged = [], []
    with env.db.session() as session:
        for rep in reps:
            person = people_store.get_person(
                session=session, workspace_id=actor.workspace_id, user_id=rep.user_id
            )
            assert person is not None
            wanted = manager_id if add else None
            if (not add and person.manager_id != manager_id) or person.manager_id == wanted:
                unchanged.append(rep.user_id)
                continue
            person.manager_id = wanted
            changed.append(rep.user_id)
    return TeamChange(manager_id=manager_id, changed=changed, unchanged=unchanged)


def _check_team_member(rep: Actor, manager_id: str) -> None:
    if rep.user_id == manager_id:
        raise InvalidInput(N_("A manager cannot be in their own team."))
    if rep.role == ROLE_MANAGER:
        raise InvalidInput(N_("Managers cannot be in a team: there is one level of managers only."))
    if rep.is_guest:
        raise InvalidInput(N_("Guests cannot use the CRM, so they cannot join a team."))


@dataclass(frozen=True)
class TeamListing:
    teams: list[tuple[str, list[str]]]
    without_manager: list[str]


def list_teams(env: Env, actor: Actor) -> TeamListing:
    with env.db.session() as session:
        everyone = people_store.list_people(session=session, workspace_id=actor.workspace_id)
    managers = [p.user_id for p in everyone if p.role == ROLE_MANAGER]
    teams = [(m, [p.user_id for p in everyone if p.manager_id == m]) for m in managers]
    admins = env.settings.admin_user_ids
    without = [
        p.user_id
        for p in everyone
        if p.manager_id is None and effective_role(p, admins) == ROLE_REP and not p.is_guest
    ]
    return TeamListing(teams=teams, without_manager=without)
