"""`digest`: each working morning, at the digest time in each manager's own zone, one message per
manager about their team (admins: the reps who have no manager). Two missed days give one digest,
today's: a catch-up only ever sends the current day's."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.env import Env
from bot.jobs.recycle import nearly_due_by_owner
from bot.messaging.mornings import Due, due_this_morning, queue_all
from bot.rules.calendar import is_working_day, zone
from bot.services import settings as settings_service
from bot.services.people import Actor, Directory, directory, workspace_ids
from bot.views import digest as views
from bot.views.recycle import Warned
from store import complaints as complaint_store
from store import digest as digest_store
from store.models import Customer

KIND = "digest"
SOON = timedelta(days=3)


def run(env: Env) -> str:
    sent = 0
    for workspace_id in workspace_ids(env):
        sent += send_digests(env, workspace_id)
    return f"{sent} digests"


def send_digests(env: Env, workspace_id: str) -> int:
    settings = settings_service.load(env, workspace_id)
    people = directory(env, workspace_id)
    leads = [
        p
        for p in people.active
        if (p.is_manager or p.is_admin) and (people.team_of(p) or people.deactivated_in_team_of(p))
    ]
    due = due_this_morning(
        env, leads, kind=KIND, at=settings.digest_at, country=settings.country, workspace_id=workspace_id
    )
    if not due:
        return 0
    soon = nearly_due_by_owner(env, workspace_id, settings.pool_rules(), None, within=SOON)
    by_morning: dict[tuple[date, str], list[Due]] = defaultdict(list)
    for one in due:
        by_morning[(one.day, one.person.timezone)].append(one)
    messages = []
    for (today, timezone), morning in by_morning.items():  # a few at most: the zones' days
        teams = {one.person.user_id: _Team.of(people, one.person) for one in morning}
        figures = _figures(env, workspace_id, settings, _Morning(today, timezone), teams)
        for one in morning:
            team = _team_digest(teams[one.person.user_id], figures, settings, soon)
            messages.append(one.outgoing(views.digest(one.person.lang, team, one.person.timezone)))
    queue_all(env, messages)
    return len(due)


def previous_working_day(today: date, country: str) -> date:
    day = today - timedelta(days=1)
    while not is_working_day(day, country) and (today - day).days < 30:
        day -= timedelta(days=1)
    return day


def _local_day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone(timezone))
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class _Team:
    lead: Actor
    reps: tuple[Actor, ...]
    gone: tuple[str, ...]  # deactivated members who still own customers

    @classmethod
    def of(cls, people: Directory, lead: Actor) -> _Team:
        return cls(lead, people.team_of(lead), tuple(p.user_id for p in people.deactivated_in_team_of(lead)))

    @property
    def rep_ids(self) -> list[str]:
        return [rep.user_id for rep in self.reps]


@dataclass(frozen=True)
class _Morning:
    """The digests' day and zone: the leads sharing both share the figures' days and windows."""

    today: date
    timezone: str


@dataclass(frozen=True)
class _Figures:
    """A morning's figures for every team due a digest at once, a handful of statements in all (not
    several per team): each team's digest picks its reps' rows from them."""

    today: date
    last_day: date
    visits: dict[str, digest_store.RepVisits]
    overdue: dict[str, int]
    moves: digest_store.PoolMoves
    churn: list[digest_store.BandChange]
    complaints: complaint_store.AssigneesComplaints
    orphans: dict[str, tuple[list[Customer], int]]  # per lead with deactivated members


def _figures(
    env: Env,
    workspace_id: str,
    settings: settings_service.WorkspaceSettings,
    morning: _Morning,
    teams: dict[str, _Team],
) -> _Figures:
    today = morning.today
    last_day = previous_working_day(today, settings.country)
    start, end = _local_day_bounds(last_day, morning.timezone)
    reps = sorted({rep for team in teams.values() for rep in team.rep_ids})
    assignees = sorted({*reps, *(gone for team in teams.values() for gone in team.gone)})
    rows, ws = views.ROWS_SHOWN, workspace_id
    week_start = today - timedelta(days=today.weekday())
    with env.db.session() as session:
        return _Figures(
            today=today,
            last_day=last_day,
            visits=digest_store.visits_by_rep(
                session=session,
                workspace_id=ws,
                reps=reps,
                last_day=last_day,
                week_start=week_start,
                today=today,
            ),
            overdue=digest_store.overdue_by_rep(session=session, workspace_id=ws, reps=reps, today=today),
            moves=digest_store.pool_moves_of_all(session=session, workspace_id=ws, start=start, end=end),
            churn=digest_store.latest_churn_changes(
                session=session, workspace_id=ws, owners=reps, start=start, end=end, limit=rows
            ),
            complaints=complaint_store.of_assignees(
                session=session, workspace_id=ws, assignees=assignees, limit=rows
            ),
            orphans={  # a query only for the few teams with deactivated members
                lead: digest_store.owned_by(session=session, workspace_id=ws, owners=team.gone, limit=rows)
                for lead, team in teams.items()
                if team.gone
            },
        )


def _team_digest(
    team: _Team,
    figures: _Figures,
    settings: settings_service.WorkspaceSettings,
    soon: dict[str, list[Warned]],
) -> views.TeamDigest:
    rep_ids = team.rep_ids
    pool_in, pool_out = figures.moves.of_team(rep_ids)
    orphans, orphan_count = figures.orphans.get(team.lead.user_id, ([], 0))
    complaints = figures.complaints.of_team([*rep_ids, *team.gone], views.ROWS_SHOWN)
    due_soon = sorted((w for rep in rep_ids for w in soon.get(rep, [])), key=lambda w: w.recycle.at)
    return views.TeamDigest(
        today=figures.today,
        last_day=figures.last_day,
        reps=[(rep.user_id, rep.name) for rep in team.reps],
        visits={rep: figures.visits[rep] for rep in rep_ids if rep in figures.visits},
        overdue={rep: figures.overdue[rep] for rep in rep_ids if rep in figures.overdue},
        target=settings.weekly_visit_target,
        due_soon=due_soon,
        pool_in=pool_in,
        pool_out=pool_out,
        churn=digest_store.team_churn_changes(figures.churn, rep_ids, views.ROWS_SHOWN),
        orphans=orphans,
        orphan_count=orphan_count,
        complaints_open=complaints.open_count,
        breached=complaints.breached,
    )
