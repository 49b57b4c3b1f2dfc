"""`digest`: each working morning, at the digest time in each manager's own zone, one message per
manager about their team (admins: the reps who have no manager). Two missed days give one digest,
today's: a catch-up only ever sends the current day's."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.jobs.common import Due, due_this_morning, queue_all
from bot.jobs.recycle import nearly_due_by_owner
from bot.rules.calendar import is_working_day, zone
from bot.services import settings as settings_service
from bot.services.env import Env
from bot.services.people import Actor, Directory, directory, workspace_ids
from bot.views import digest as views
from bot.views.recycle import Warned
from store import complaints as complaint_store
from store import digest as digest_store

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
    messages = [
        one.outgoing(
            views.digest(
                one.person.lang,
                _team_digest(env, workspace_id, people, one, settings, soon),
                one.person.timezone,
            )
        )
        for one in due
    ]
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


def _team_digest(
    env: Env,
    workspace_id: str,
    people: Directory,
    due: Due,
    settings: settings_service.WorkspaceSettings,
    soon: dict[str, list[Warned]],
) -> views.TeamDigest:
    lead: Actor = due.person
    reps = people.team_of(lead)
    rep_ids = [rep.user_id for rep in reps]
    gone = [p.user_id for p in people.deactivated_in_team_of(lead)]
    last_day = previous_working_day(due.day, settings.country)
    start, end = _local_day_bounds(last_day, lead.timezone)
    week_start = due.day - timedelta(days=due.day.weekday())
    with env.db.session() as session:
        visits = digest_store.visits_by_rep(
            session=session,
            workspace_id=workspace_id,
            reps=rep_ids,
            last_day=last_day,
            week_start=week_start,
            today=due.day,
        )
        overdue = digest_store.overdue_by_rep(
            session=session, workspace_id=workspace_id, reps=rep_ids, today=due.day
        )
        pool_in, pool_out = digest_store.pool_moves(
            session=session, workspace_id=workspace_id, reps=rep_ids, start=start, end=end
        )
        churn = digest_store.churn_changes(
            session=session,
            workspace_id=workspace_id,
            reps=rep_ids,
            start=start,
            end=end,
            limit=views.ROWS_SHOWN,
        )
        orphans, orphan_count = digest_store.owned_by(
            session=session, workspace_id=workspace_id, owners=gone, limit=views.ROWS_SHOWN
        )
        complaints = complaint_store.of_team(
            session=session, workspace_id=workspace_id, assignees=[*rep_ids, *gone], limit=views.ROWS_SHOWN
        )
    due_soon = sorted((w for rep in rep_ids for w in soon.get(rep, [])), key=lambda w: w.recycle.at)
    return views.TeamDigest(
        today=due.day,
        last_day=last_day,
        reps=[(rep.user_id, rep.name) for rep in reps],
        visits=visits,
        overdue=overdue,
        target=settings.weekly_visit_target,
        due_soon=due_soon,
        pool_in=pool_in,
        pool_out=pool_out,
        churn=churn,
        orphans=orphans,
        orphan_count=orphan_count,
        complaints_open=complaints.open_count,
        breached=complaints.breached,
    )
