"""The App Home: what one person's tab shows, read in one transaction, a "See all" page, and publishing.

A list's rows come from one loader, whether the Home shows its first rows or a modal shows a page, so
the two never disagree. Whom the lists are about is decided once (`Scope`): a rep their own customers;
a manager also their team; an admin also the reps who have no manager (as the digest does) and the
workspace. `bot.messaging.home` publishes the tab when opened, on Refresh, after the person's own
actions and each morning (the `home` job).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from bot.env import Env
from bot.rules.calendar import zone
from bot.rules.churn import BAND_AT_RISK, BAND_CRITICAL, BAND_RANK
from bot.services import churn as churn_service
from bot.services import recycle as recycle_service
from bot.services import settings as settings_service
from bot.services.home_types import (
    PAGE_ROWS,
    AdminHome,
    DueList,
    HomeData,
    HomeList,
    ListPage,
    PoolFigures,
    RepLine,
    Risk,
    Rows,
    TeamHome,
)
from bot.services.people import Actor, TeamListing
from bot.services.pipeline import Pipeline, pipeline_in
from bot.services.settings import WorkspaceSettings
from bot.services.standings import my_standing
from store import complaints as complaint_store
from store import digest as digest_store
from store import home as home_store
from store import outbox as outbox_store
from store import people as people_store
from store import pool as pool_store
from store.digest import RepVisits
from store.models import ROLE_ADMIN, ROLE_MANAGER, ROLE_REP, ROLES
from store.reports import home_charts

__all__ = ["DueList", "HomeData", "home_data", "list_page"]

log = logging.getLogger("tidewater.home")

ROWS_ALONE = 10  # a rep's four lists of 10 rows stay near 50 blocks
ROWS_SHARED = 5  # with a team's and the workspace's lists as well, 5 a list keep the tab under 100
TEAM_LINES = 15  # reps shown on the Home (one section); See all has the rest
SOON = timedelta(days=3)  # "back in the pool within 3 days", as the digest
DUPLICATES_WITHIN = timedelta(days=7)  # how far back the admins are told of possible duplicates
SERIOUS_BANDS = (BAND_AT_RISK, BAND_CRITICAL)


@dataclass(frozen=True)
class Scope:
    """Whom one Home, or one of its lists, is about."""

    env: Env
    actor: Actor
    today: date
    settings: WorkspaceSettings
    reps: tuple[str, ...] = ()  # the team: a manager's reps; an admin's, the reps with no manager
    gone: tuple[str, ...] = ()  # deactivated members of that team (their customers wait for a new owner)
    admins: tuple[str, ...] = ()  # for an admin: who the admins are
    teams: TeamListing | None = None  # and who manages whom

    @property
    def workspace_id(self) -> str:
        return self.actor.workspace_id

    @property
    def me(self) -> str:
        return self.actor.user_id

    @property
    def leads(self) -> bool:
        return bool(self.reps or self.gone)


def _ids(people: Sequence[Actor]) -> tuple[str, ...]:
    return tuple(person.user_id for person in people)


def _scope(env: Env, session: Session, actor: Actor) -> Scope:
    settings = settings_service.load_in(session, actor.workspace_id)
    today = actor.today(env)
    if actor.is_admin:
        roster = _roster(env, session, actor.workspace_id)
        return Scope(env, actor, today, settings, roster.reps, roster.gone, roster.admins, roster.teams)
    if actor.is_manager:  # one indexed read of the team, not the whole workspace
        team = people_store.list_team(
            session=session, workspace_id=actor.workspace_id, manager_id=actor.user_id
        )
        reps = tuple(p.user_id for p in team if not p.is_deleted and not p.is_guest)
        return Scope(env, actor, today, settings, reps, tuple(p.user_id for p in team if p.is_deleted))
    return Scope(env, actor, today, settings)


@dataclass(frozen=True)
class Roster:
    reps: tuple[str, ...]  # active reps with no active manager: the admins' team
    gone: tuple[str, ...]  # deactivated people with no active manager
    admins: tuple[str, ...]
    teams: TeamListing


def _role(member: home_store.Member, admin_ids: frozenset[str]) -> str:
    if member.user_id in admin_ids or member.is_slack_admin:
        return ROLE_ADMIN
    return member.role if member.role in ROLES else ROLE_REP


def _roster(env: Env, session: Session, workspace_id: str) -> Roster:
    """The workspace as the digest's Directory sees it (the admins cover reps whose manager is not
    active), from plain columns: building an Actor for each of a thousand people cost more than the
    rest of the Home together."""
    everyone = home_store.members(session=session, workspace_id=workspace_id)
    role = {member.user_id: _role(member, env.settings.admin_user_ids) for member in everyone}
    active = [member for member in everyone if not member.is_deleted]
    managers = [member.user_id for member in active if role[member.user_id] == ROLE_MANAGER]
    led = set(managers)
    members: dict[str, list[str]] = defaultdict(list)
    for member in active:
        if member.manager_id is not None and member.manager_id in led:
            members[member.manager_id].append(member.user_id)
    return Roster(
        reps=tuple(m.user_id for m in active if role[m.user_id] == ROLE_REP and m.manager_id not in led),
        gone=tuple(m.user_id for m in everyone if m.is_deleted and m.manager_id not in led),
        admins=tuple(m.user_id for m in active if role[m.user_id] == ROLE_ADMIN),
        teams=TeamListing([(manager, members[manager]) for manager in managers], []),
    )


# -- each list: (session, scope, offset, limit) -> some rows and the count --------------------------------
Loader = Callable[[Session, Scope, int, int], Rows[Any]]


def _follow_ups(
    session: Session, scope: Scope, start: date | None, through: date, offset: int, limit: int
) -> Rows[Any]:
    rows, total = home_store.follow_ups_page(
        session=session,
        workspace_id=scope.workspace_id,
        owner_id=scope.me,
        start=start,
        through=through,
        offset=offset,
        limit=limit,
    )
    return Rows(rows, total)


def _overdue(session: Session, scope: Scope, offset: int, limit: int) -> Rows[Any]:
    return _follow_ups(session, scope, None, scope.today - timedelta(days=1), offset, limit)


def _due_today(session: Session, scope: Scope, offset: int, limit: int) -> Rows[Any]:
    return _follow_ups(session, scope, scope.today, scope.today, offset, limit)


def _at_risk(session: Session, scope: Scope, owners: Sequence[str], offset: int, limit: int) -> Rows[Any]:
    rows, total = home_store.at_risk_page(
        session=session,
        workspace_id=scope.workspace_id,
        owners=owners,
        bands=SERIOUS_BANDS,
        rank=BAND_RANK,
        offset=offset,
        limit=limit,
    )
    facts = [(row.customer_id, row, row.signals) for row in rows]
    reasons = churn_service.reasons_for(session, scope.workspace_id, facts, scope.today)
    return Rows([Risk(row, reasons.get(row.customer_id, [])) for row in rows], total)


def _my_risks(session: Session, scope: Scope, offset: int, limit: int) -> Rows[Any]:
    return _at_risk(session, scope, [scope.me], offset, limit)


def _team_risks(session: Session, scope: Scope, offset: int, limit: int) -> Rows[Any]:
    return _at_risk(session, scope, scope.reps, offset, limit)


def _complaints(
    session: Session, scope: Scope, assignees: Sequence[str | None], offset: int, limit: int
) -> Rows[Any]:
    if not assignees:
        return Rows((), 0)
    # `listing` has no offset: read up to the page's end (unresolved complaints are few) and keep the page.
    rows, total = complaint_store.listing(
        session=session,
        workspace_id=scope.workspace_id,
        assignees=assignees,
        unresolved_only=True,
        limit=offset + limit,
    )
    return Rows(rows[offset:], total)


def _my_complaints(session: Session, scope: Scope, offset: int, limit: int) -> Rows[Any]:
    unassigned: list[str | None] = [None] if scope.actor.is_admin else []  # pool customers' go to admins
    return _complaints(session, scope, [scope.me, *unassigned], offset, limit)


def _team_complaints(session: Session, scope: Scope, offset: int, limit: int) -> Rows[Any]:
    return _complaints(session, scope, [*scope.reps, *scope.gone], offset, limit)


def _rep_lines(session: Session, scope: Scope) -> list[RepLine]:
    """Every rep's visits this week and overdue follow-ups (the digest's grouped statements), the reps
    who most need a look first."""
    week_start = scope.today - timedelta(days=scope.today.weekday())
    ws, reps = scope.workspace_id, scope.reps
    visits = digest_store.visits_by_rep(
        session=session,
        workspace_id=ws,
        reps=reps,
        last_day=scope.today,
        week_start=week_start,
        today=scope.today,
    )
    overdue = digest_store.overdue_by_rep(session=session, workspace_id=ws, reps=reps, today=scope.today)
    lines = [RepLine(rep, visits.get(rep, RepVisits(0, 0)).this_week, overdue.get(rep, 0)) for rep in reps]
    return sorted(lines, key=lambda line: (-line.overdue, line.visits_this_week, line.user_id))


def _team(session: Session, scope: Scope, offset: int, limit: int) -> Rows[Any]:
    lines = _rep_lines(session, scope) if scope.reps else []
    return Rows(lines[offset : offset + limit], len(lines))


def _soon(session: Session, scope: Scope, offset: int, limit: int) -> Rows[Any]:
    """The team's customers going back to the pool within 3 days (the recycle's one selection), soonest
    first: a page of them."""
    if not scope.reps:
        return Rows((), 0)
    now, rules = scope.env.clock.now(), scope.settings.pool_rules()
    due = recycle_service.soon_in(session, scope.workspace_id, rules, now, SOON, scope.reps)
    return Rows(due[offset : offset + limit], len(due))


def _orphans(session: Session, scope: Scope, offset: int, limit: int) -> Rows[Any]:
    found, total = digest_store.owned_by(
        session=session, workspace_id=scope.workspace_id, owners=scope.gone, limit=offset + limit
    )
    return Rows(found[offset:], total)


def _refused(session: Session, scope: Scope, offset: int, limit: int) -> Rows[Any]:
    if not scope.actor.is_admin:
        return Rows((), 0)
    ws = scope.workspace_id
    found = outbox_store.undeliverable(session=session, workspace_id=ws, limit=offset + limit)
    return Rows(list(found[offset:]), home_store.count_undeliverable(session=session, workspace_id=ws))


LOADERS: dict[HomeList, Loader] = {
    HomeList.OVERDUE: _overdue,
    HomeList.TODAY: _due_today,
    HomeList.RISK: _my_risks,
    HomeList.COMPLAINTS: _my_complaints,
    HomeList.TEAM: _team,
    HomeList.TEAM_RISK: _team_risks,
    HomeList.TEAM_COMPLAINTS: _team_complaints,
    HomeList.SOON: _soon,
    HomeList.ORPHANS: _orphans,
    HomeList.REFUSED: _refused,
}


# -- the Home ------------------------------------------------------------------------------------------------
def _pool_figures(session: Session, scope: Scope) -> PoolFigures:
    rules, ws = scope.settings.pool_rules(), scope.workspace_id
    claims = home_store.claims_on(session=session, workspace_id=ws, user_id=scope.me, day=scope.today)
    held = pool_store.count_holding(
        session=session, workspace_id=ws, owner_id=scope.me, dealt_count=rules.dealt_count_in_cap
    )
    return PoolFigures(max(0, rules.daily_claim_limit - claims), held, rules.holding_cap)


def _week_start(scope: Scope) -> datetime:
    monday = scope.today - timedelta(days=scope.today.weekday())
    return datetime.combine(monday, time(0), tzinfo=zone(scope.actor.timezone))


def _team_home(session: Session, scope: Scope, rows: int) -> TeamHome:
    week = _week_start(scope)
    pool_in, pool_out = digest_store.pool_moves(
        session=session,
        workspace_id=scope.workspace_id,
        reps=scope.reps,
        start=week,
        end=week + timedelta(days=7),
    )
    return TeamHome(
        target=scope.settings.weekly_visit_target,
        reps=_team(session, scope, 0, TEAM_LINES),
        pool_in=pool_in,
        pool_out=pool_out,
        at_risk=_team_risks(session, scope, 0, rows),
        complaints=_team_complaints(session, scope, 0, rows),
        due_soon=_soon(session, scope, 0, rows),
        orphans=_orphans(session, scope, 0, rows),
        pipeline=_pipeline(session, scope, (scope.me, *scope.reps), with_funnel=True),
    )


def _pipeline(session: Session, scope: Scope, owners: Sequence[str], *, with_funnel: bool) -> Pipeline:
    return pipeline_in(
        session, workspace_id=scope.workspace_id, owners=owners, today=scope.today,
        timezone=scope.actor.timezone, with_funnel=with_funnel,
    )  # fmt: skip


def _admin_home(session: Session, scope: Scope, rows: int, now: datetime) -> AdminHome:
    teams = scope.teams or TeamListing([], [])
    return AdminHome(
        settings=scope.settings,
        admins=scope.admins,
        teams=TeamListing(teams.teams, list(scope.reps)),
        refused=_refused(session, scope, 0, rows),
        possible_duplicates=outbox_store.possible_duplicates(
            session=session, workspace_id=scope.workspace_id, since=now - DUPLICATES_WITHIN
        ),
    )


def home_data(env: Env, actor: Actor) -> HomeData:
    """Everything the person's Home shows: the first rows of each list, with the counts."""
    with env.db.session() as session:
        scope = _scope(env, session, actor)
        leads = scope.leads or actor.is_admin
        rows = ROWS_SHARED if leads else ROWS_ALONE
        ws = actor.workspace_id
        return HomeData(
            today=scope.today,
            due_today=_due_today(session, scope, 0, rows),
            overdue=_overdue(session, scope, 0, rows),
            at_risk=_my_risks(session, scope, 0, rows),
            complaints=_my_complaints(session, scope, 0, rows),
            pool=_pool_figures(session, scope),
            team=_team_home(session, scope, rows) if scope.leads else None,
            admin=_admin_home(session, scope, rows, env.clock.now()) if actor.is_admin else None,
            timezone=actor.timezone,
            standing=[]
            if actor.is_admin
            else my_standing(session, ws, actor.user_id, scope.today, scope.settings),
            charts=home_charts(session=session, workspace_id=ws, user_id=actor.user_id) if leads else [],
            currency=actor.currency,
            pipeline=_pipeline(session, scope, (actor.user_id,), with_funnel=False),
        )


def list_page(env: Env, actor: Actor, which: str, offset: int) -> ListPage:
    """One page of a Home list for "See all" (a list the person may not see is empty)."""
    chosen = _home_list(which)
    start = max(0, offset)
    with env.db.session() as session:
        scope = _scope(env, session, actor)
        rows = LOADERS[chosen](session, scope, start, PAGE_ROWS)
    return ListPage(chosen, start, rows, scope.settings.weekly_visit_target, actor.timezone)


def _home_list(which: str) -> HomeList:
    """The list named, or the overdue one for a name it does not know."""
    try:
        return HomeList(which)
    except ValueError:
        return HomeList.OVERDUE
