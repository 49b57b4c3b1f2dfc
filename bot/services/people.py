"""People: first contact and the acting person (people_actors), roles and teams (people_roles), their
profiles kept as Slack says (people_sync), the directory the jobs read, a person's own language, and
workspaces resting while uninstalled."""

from __future__ import annotations

from dataclasses import dataclass

from bot.env import Env
from bot.errors import InvalidInput
from bot.i18n import N_, normalize_locale
from bot.services import freshness
from bot.services.people_actors import PROFILE_RETRY as PROFILE_RETRY
from bot.services.people_actors import Actor as Actor
from bot.services.people_actors import Profile as Profile
from bot.services.people_actors import ProfileLookup as ProfileLookup
from bot.services.people_actors import actor_of
from bot.services.people_actors import effective_role as effective_role
from bot.services.people_actors import profile_from_slack as profile_from_slack
from bot.services.people_actors import resolve_actor as resolve_actor
from bot.services.people_actors import resolve_person as resolve_person
from bot.services.people_roles import RoleChange as RoleChange
from bot.services.people_roles import TeamChange as TeamChange
from bot.services.people_roles import TeamListing as TeamListing
from bot.services.people_roles import change_team as change_team
from bot.services.people_roles import list_teams as list_teams
from bot.services.people_roles import require_admin as require_admin
from bot.services.people_roles import set_role as set_role
from bot.services.people_sync import SYNC_JOB as SYNC_JOB
from bot.services.people_sync import apply_slack_user as apply_slack_user
from bot.services.people_sync import sync_day as sync_day
from bot.services.people_sync import sync_profiles as sync_profiles
from store import people as people_store


def choose_language(env: Env, actor: Actor, *, choice: str) -> str | None:
    """Set the person's own language ("en", "zh", or "auto" to follow the workspace and Slack)."""
    locale = None if choice.lower() in {"auto", "default", "自动"} else normalize_locale(choice)
    if locale is None and choice.lower() not in {"auto", "default", "自动"}:
        raise InvalidInput(N_("Choose en, zh or auto: /crm lang zh"))
    with env.db.session() as session:
        person = people_store.get_person(
            session=session, workspace_id=actor.workspace_id, user_id=actor.user_id
        )
        assert person is not None
        person.chosen_locale = locale
    return locale


@dataclass(frozen=True)
class Directory:
    """Everyone in a workspace as the scheduled jobs see them: who is active, who manages whom."""

    active: tuple[Actor, ...]
    deactivated: tuple[Actor, ...]

    def by_id(self, user_id: str) -> Actor | None:
        return next((person for person in self.active if person.user_id == user_id), None)

    @property
    def admins(self) -> tuple[Actor, ...]:
        return tuple(person for person in self.active if person.is_admin)

    def team_of(self, manager: Actor) -> tuple[Actor, ...]:
        """The manager's reps; an admin's "team" is every rep who has no (active) manager."""
        if manager.is_manager:
            return tuple(p for p in self.active if p.manager_id == manager.user_id)
        return self._reps_without_manager() if manager.is_admin else ()

    def _reps_without_manager(self) -> tuple[Actor, ...]:
        managers = {p.user_id for p in self.active if p.is_manager}
        return tuple(
            p for p in self.active if not p.is_admin and p.manager_id not in managers and not p.is_manager
        )

    def deactivated_in_team_of(self, manager: Actor) -> tuple[Actor, ...]:
        if manager.is_manager:
            return tuple(p for p in self.deactivated if p.manager_id == manager.user_id)
        managers = {p.user_id for p in self.active if p.is_manager}
        return tuple(p for p in self.deactivated if p.manager_id not in managers) if manager.is_admin else ()

    def approvers_for(self, rep_id: str) -> tuple[Actor, ...]:
        """Who decides for this rep: their manager, or the admins for a rep with no (active) manager."""
        rep = self.by_id(rep_id)
        manager = self.by_id(rep.manager_id) if rep and rep.manager_id else None
        return (manager,) if manager is not None and manager.is_manager else self.admins


def directory(env: Env, workspace_id: str) -> Directory:
    with env.db.session() as session:
        workspace = people_store.get_workspace(session=session, workspace_id=workspace_id)
        people = people_store.list_everyone(session=session, workspace_id=workspace_id)
    if workspace is None:
        return Directory((), ())
    everyone = [(person, actor_of(env, workspace, person)) for person in people if not person.is_guest]
    return Directory(
        active=tuple(actor for person, actor in everyone if not person.is_deleted),
        deactivated=tuple(actor for person, actor in everyone if person.is_deleted),
    )


def workspace_ids(env: Env) -> list[str]:
    """The workspaces the scheduled jobs work on: the active ones (an uninstalled one rests), or only the
    one a command-line run names."""
    with env.db.session() as session:
        active = [workspace.id for workspace in people_store.list_active_workspaces(session=session)]
    return [one for one in active if env.only_workspace in (None, one)]


def rest_workspace(env: Env, *, workspace_id: str) -> None:
    """The app was uninstalled or its bot token revoked: the jobs leave the workspace alone and its
    queued messages wait, until a request from it says the app is back."""
    with env.db.session() as session:
        people_store.deactivate_workspace(session=session, workspace_id=workspace_id, since=env.clock.now())


def wake_workspace(env: Env, *, workspace_id: str) -> bool:
    """A request from a resting workspace: the app was installed again, the jobs resume (True)."""
    found = freshness.state(env, workspace_id)  # the request's one read of its workspace's state
    if found is None or found[0]:
        return False
    with env.db.connection() as connection:
        woke = people_store.reactivate_workspace(session=connection, workspace_id=workspace_id)
    freshness.forget_state(workspace_id)
    return woke


def workspace_currency(env: Env, workspace_id: str) -> str:
    """The currency the workspace's figures are in (its own, else the default)."""
    with env.db.session() as session:
        workspace = people_store.get_workspace(session=session, workspace_id=workspace_id)
    return workspace.currency if workspace and workspace.currency else env.settings.default_currency


def workspace_locale(env: Env, workspace_id: str) -> str:
    """The language of what the bot posts in channels: the workspace's, else the default, else English."""
    with env.db.session() as session:
        workspace = people_store.get_workspace(session=session, workspace_id=workspace_id)
    chosen = workspace.locale if workspace else None
    return normalize_locale(chosen) or normalize_locale(env.settings.default_locale) or "en"
