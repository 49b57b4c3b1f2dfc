"""The acting person: first contact, profiles as Slack gives them (kept an hour before asking again),
and who someone is in the CRM (`Actor`: role, team, language, zone)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.env import Env
from bot.errors import GuestRefused
from bot.i18n import N_, Lang, lang, resolve_locale
from bot.rules.calendar import local_today
from bot.services import freshness
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


def profile_values(profile: Profile | None) -> dict[str, Any]:
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
    (idempotently) with their Slack profile; kept in the process while the workspace's version holds."""
    kept = _ACTORS.get_or_read(
        env, workspace_id, (workspace_id, user_id), lambda: _synced(env, workspace_id, user_id)
    )
    if kept is not None:
        return kept
    with env.db.session() as session:
        workspace, person = people_store.get_person_in_workspace(
            session=session, workspace_id=workspace_id, user_id=user_id
        )
    if workspace is None or person is None or _profile_stale(env, person):
        workspace, person = _first_contact(env, workspace_id, user_id, lookup)
    return actor_of(env, workspace, person)


_ACTORS = freshness.Kept("actors")


def _synced(env: Env, workspace_id: str, user_id: str) -> Actor | None:
    """The person as the database has them, if that is Slack's profile: one Slack could not give yet
    (asked again within the hour) or that says deactivated is not kept."""
    with env.db.session() as session:
        workspace, person = people_store.get_person_in_workspace(
            session=session, workspace_id=workspace_id, user_id=user_id
        )
    if workspace is None or person is None or not person.profile_synced or person.is_deleted:
        return None
    return actor_of(env, workspace, person)


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
            **profile_values(profile),
        }
        person = people_store.add_person_if_missing(session=session, values=values)
        if profile is not None or not person.profile_synced:
            people_store.update_profile(
                session=session,
                workspace_id=workspace_id,
                user_id=user_id,
                profile={**profile_values(profile), "profile_synced": profile is not None},
                checked_at=now,
            )
            session.refresh(person)
    return workspace, person


def actor_of(env: Env, workspace: Workspace, person: Person | people_store.PersonFacts) -> Actor:
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
