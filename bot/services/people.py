"""People: first contact, the acting person, roles and teams, and their profiles kept as Slack says
(user_change and team_join events, and the nightly `people` job); workspaces resting while uninstalled."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from bot.env import Env
from bot.errors import GuestRefused, InvalidInput, NotAllowed
from bot.i18n import N_, Lang, lang, normalize_locale, resolve_locale
from bot.rules.calendar import local_today, zone
from store import jobmarks
from store import people as people_store
from store.models import ROLE_ADMIN, ROLE_MANAGER, ROLE_REP, ROLES, Person, Workspace

PROFILE_RETRY = timedelta(hours=1)


@dataclass(frozen=True)
class Profile:
    """What Slack's users.info tells about a person."""

    name: str
    timezone: str | None
    locale: str | None
    is_admin: bool
    is_guest: bool
    is_deleted: bool
    email: str | None = None  # with the users:read.email scope: how imports name owners


ProfileLookup = Callable[[str], Profile | None]


def profile_from_slack(user: Mapping[str, Any]) -> Profile:
    """A Slack user object as users.info, users.list, user_change and team_join all give it."""
    profile = user.get("profile") or {}
    name = profile.get("display_name") or user.get("real_name") or profile.get("real_name")
    return Profile(
        name=str(name or user.get("name") or user.get("id") or ""),
        timezone=user.get("tz"),
        locale=user.get("locale"),
        is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
        is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
        is_deleted=bool(user.get("deleted")),
        email=profile.get("email"),
    )


@dataclass(frozen=True)
class Actor:
    """The person behind a request, with everything the services ask about them."""

    workspace_id: str
    user_id: str
    name: str
    role: str
    manager_id: str | None
    timezone: str
    locale: str
    is_guest: bool = False
    currency: str = "CNY"
    country: str = "CN"
    is_deleted: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role == ROLE_MANAGER

    @property
    def lang(self) -> Lang:
        return lang(self.locale)

    def today(self, env: Env) -> date:
        return local_today(env.clock.now(), self.timezone)


def effective_role(person: Person | people_store.PersonFacts, admin_ids: frozenset[str]) -> str:
    if person.user_id in admin_ids or person.is_slack_admin:
        return ROLE_ADMIN
    return person.role if person.role in ROLES else ROLE_REP


def _workspace_defaults(env: Env, workspace_id: str) -> dict[str, Any]:
    settings = env.settings
    return {
        "id": workspace_id,
        "timezone": settings.default_timezone,
        "country": settings.default_country,
        "currency": settings.default_currency,
        "created_at": env.clock.now(),
    }


def _profile_values(profile: Profile | None) -> dict[str, Any]:
    if profile is None:
        return {}
    values: dict[str, Any] = {
        "name": profile.name[:200],
        "slack_locale": profile.locale,
        "is_slack_admin": profile.is_admin,
        "is_guest": profile.is_guest,
        "is_deleted": profile.is_deleted,
    }
    if profile.timezone:
        values["timezone"] = profile.timezone
    if profile.email:
        values["email"] = profile.email.strip().lower()[:254]
    return values


def resolve_actor(env: Env, *, workspace_id: str, user_id: str, lookup: ProfileLookup) -> Actor:
    """The acting person, added on first contact; a deactivated member is refused as guests are."""
    actor = resolve_person(env, workspace_id=workspace_id, user_id=user_id, lookup=lookup)
    if actor.is_deleted:
        raise GuestRefused(
            N_("Sorry, your Slack account is deactivated, so you cannot use Tidewater. Ask your admin.")
        )
    return actor


def resolve_person(env: Env, *, workspace_id: str, user_id: str, lookup: ProfileLookup) -> Actor:
    """Anyone in the workspace (the acting person or the one they name), added on first contact
    (idempotently) with their Slack profile."""
    with env.db.session() as session:
        workspace, person = people_store.get_person_in_workspace(
            session=session, workspace_id=workspace_id, user_id=user_id
        )
    if workspace is None or person is None or _profile_stale(env, person):
        workspace, person = _first_contact(env, workspace_id, user_id, lookup)
    return _actor(env, workspace, person)


def _profile_stale(env: Env, person: Person) -> bool:
    """Slack did not answer at first contact: ask again, at most once an hour. A deactivated account
    makes no requests, so one that seems to is asked about afresh: it may be back, its event missed."""
    if person.is_deleted:
        return True
    if person.profile_synced:
        return False
    last = person.profile_checked_at
    return last is None or env.clock.now() - last > PROFILE_RETRY


def _first_contact(
    env: Env, workspace_id: str, user_id: str, lookup: ProfileLookup
) -> tuple[Workspace, Person]:
    profile = lookup(user_id)
    now = env.clock.now()
    with env.db.session() as session:
        workspace = people_store.add_workspace_if_missing(
            session=session, values=_workspace_defaults(env, workspace_id)
        )
        values = {
            "workspace_id": workspace_id,
            "user_id": user_id,
            "timezone": workspace.timezone,
            "created_at": now,
            "profile_checked_at": now,
            "profile_synced": profile is not None,
            **_profile_values(profile),
        }
        person = people_store.add_person_if_missing(session=session, values=values)
        if profile is not None or not person.profile_synced:
            people_store.update_profile(
                session=session,
                workspace_id=workspace_id,
                user_id=user_id,
                profile={**_profile_values(profile), "profile_synced": profile is not None},
                checked_at=now,
            )
            session.refresh(person)
    return workspace, person


def _actor(env: Env, workspace: Workspace, person: Person | people_store.PersonFacts) -> Actor:
    return Actor(
        workspace_id=workspace.id,
        user_id=person.user_id,
        name=person.name,
        role=effective_role(person, env.settings.admin_user_ids),
        manager_id=person.manager_id,
        timezone=person.timezone,
        locale=resolve_locale(
            chosen=person.chosen_locale,
            # The workspace's own choice (the settings store, later), else DEFAULT_LOCALE as it is now.
            workspace=workspace.locale or env.settings.default_locale,
            slack=person.slack_locale,
        ),
        is_guest=person.is_guest,
        currency=workspace.currency,
        country=workspace.country,
        is_deleted=person.is_deleted,
    )


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
        if manager.is_admin:
            managers = {p.user_id for p in self.active if p.is_manager}
            return tuple(
                p for p in self.active if not p.is_admin and p.manager_id not in managers and not p.is_manager
            )
        return ()

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
    everyone = [(person, _actor(env, workspace, person)) for person in people if not person.is_guest]
    return Directory(
        active=tuple(actor for person, actor in everyone if not person.is_deleted),
        deactivated=tuple(actor for person, actor in everyone if person.is_deleted),
    )


def workspace_ids(env: Env) -> list[str]:
    """The workspaces the scheduled jobs work on: the active ones (an uninstalled one rests)."""
    with env.db.session() as session:
        return [workspace.id for workspace in people_store.list_active_workspaces(session=session)]


# -- following Slack -------------------------------------------------------------------------------------
SYNC_JOB = "people"


def apply_slack_user(env: Env, *, workspace_id: str, user: Mapping[str, Any]) -> bool:
    """A user_change or team_join: the person's profile as Slack says now. Only someone the bot knows
    is updated (True): a new member becomes a person of the CRM at their first contact."""
    user_id = str(user.get("id") or "")
    if not user_id:
        return False
    profile = {**_profile_values(profile_from_slack(user)), "profile_synced": True}
    with env.db.session() as session:
        return people_store.update_profile(
            session=session,
            workspace_id=workspace_id,
            user_id=user_id,
            profile=profile,
            checked_at=env.clock.now(),
        )


def sync_day(env: Env, workspace_id: str) -> str | None:
    """The workspace's today (in its zone) when its people were not yet synced today; else None."""
    with env.db.session() as session:
        workspace = people_store.get_workspace(session=session, workspace_id=workspace_id)
        if workspace is None:
            return None
        day = env.clock.now().astimezone(zone(workspace.timezone)).date().isoformat()
        done = people_store.job_done(session=session, workspace_id=workspace_id, job=SYNC_JOB, period=day)
    return None if done else day


def sync_profiles(env: Env, workspace_id: str, profiles: Mapping[str, Profile], *, day: str) -> int | None:
    """Every known person's profile as Slack lists it (by user id), in one transaction with the day's
    mark: how many changed, or None when another run did the day first."""
    now = env.clock.now()
    with env.db.session() as session:
        if not jobmarks.mark_once(
            session=session, workspace_id=workspace_id, job=SYNC_JOB, period=day, now=now
        ):
            return None
        stored = people_store.stored_profiles(session=session, workspace_id=workspace_id)
        changed = _changed_profiles(stored, profiles)
        people_store.update_profiles(session=session, workspace_id=workspace_id, rows=changed, checked_at=now)
    return len(changed)


def _changed_profiles(
    stored: Mapping[str, dict[str, Any]], profiles: Mapping[str, Profile]
) -> list[dict[str, Any]]:
    """Whole rows (the same columns for each: one statement writes them all) for the people whose
    profile differs; what Slack leaves out (no zone, no e-mail) stays as stored."""
    changed = []
    for user_id, current in stored.items():
        profile = profiles.get(user_id)
        if profile is None:
            continue
        wanted = {**current, **_profile_values(profile), "profile_synced": True}
        if wanted != current:
            changed.append({**wanted, "user_id": user_id})
    return changed


def rest_workspace(env: Env, *, workspace_id: str) -> None:
    """The app was uninstalled or its bot token revoked: the jobs leave the workspace alone and its
    queued messages wait, until a request from it says the app is back."""
    with env.db.session() as session:
        people_store.deactivate_workspace(session=session, workspace_id=workspace_id, since=env.clock.now())


def wake_workspace(env: Env, *, workspace_id: str) -> bool:
    """A request from a resting workspace: the app was installed again, the jobs resume (True)."""
    with env.db.connection() as connection:  # every request comes here: no ORM session
        return people_store.reactivate_workspace(session=connection, workspace_id=workspace_id)


def workspace_locale(env: Env, workspace_id: str) -> str:
    """The language of what the bot posts in channels: the workspace's, else the default, else English."""
    with env.db.session() as session:
        workspace = people_store.get_workspace(session=session, workspace_id=workspace_id)
    chosen = workspace.locale if workspace else None
    return normalize_locale(chosen) or normalize_locale(env.settings.default_locale) or "en"
