"""Reports: the figures a manager looks at, for a period (the last full week, month or quarter, in
the workspace's time zone) and a scope (a rep's own, a manager's team, the whole company). Each chart's
figures come from one set-based statement (store.reports).

Who sees what: a rep their own figures; a manager their team's (a manager named by someone else: admins
only); an admin anyone's, or the company's.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from sqlmodel import Session

from bot.env import Env
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import N_
from bot.rules import champions as champion_rules
from bot.rules.calendar import zone
from bot.services import settings as settings_service
from bot.services.opportunities import stages_in
from bot.services.people import Actor, Directory, directory
from bot.services.pipeline import FUNNEL_DAYS
from store import people as people_store
from store import pipeline as pipeline_store
from store import reports as store
from store.models import OpportunityStage
from store.reports import ComplaintFigures

PERIODS = ("week", "month", "quarter")
FLOW_WEEKS = 8
REVENUE_WEEKS = 12
REP, TEAM, COMPANY = "rep", "team", "company"


@dataclass(frozen=True)
class Scope:
    kind: str  # REP, TEAM or COMPANY
    owner_id: str | None  # the rep or the manager; None for the company
    people: tuple[str, ...] | None  # whose figures (None: everyone's)


@dataclass(frozen=True)
class Period:
    name: str
    first_day: date
    last_day: date  # inclusive

    @property
    def weeks(self) -> float:
        return ((self.last_day - self.first_day).days + 1) / 7


@dataclass
class Report:
    scope: Scope
    period: Period
    timezone: str
    currency: str
    visits: list[tuple[str, int]] = field(default_factory=list)  # (rep, visits), most first
    visit_target: int = 0  # per rep, for the period
    flow_weeks: list[date] = field(default_factory=list)
    flow: list[dict[str, int]] = field(default_factory=list)
    revenue_weeks: list[date] = field(default_factory=list)
    revenue: list[dict[str, int]] = field(default_factory=list)
    stages: dict[str, int] = field(default_factory=dict)
    bands: dict[str, int] = field(default_factory=dict)
    bands_month_ago: dict[str, int] = field(default_factory=dict)
    complaints: ComplaintFigures = field(default_factory=lambda: ComplaintFigures({}, [], 0))
    names: dict[str, str] = field(default_factory=dict)  # user id → the name to show
    # The funnel of the opportunities opened in the FUNNEL_DAYS to the period's end: each stage in use
    # with how many reached it (empty: no opportunity opened in that time).
    funnel: list[tuple[OpportunityStage, int]] = field(default_factory=list)

    @property
    def median_resolve_hours(self) -> float | None:
        hours = self.complaints.resolve_hours
        return statistics.median(hours) if hours else None

    @property
    def all_quiet(self) -> bool:
        """Nothing happened in the period: no visit, no move, no order, no complaint."""
        in_period = (
            sum(n for _, n in self.visits)
            + sum(sum(week.values()) for week in self.flow[-1:])
            + sum(sum(week.values()) for week in self.revenue[-1:])
            + sum(self.complaints.filed.values())
        )
        return in_period == 0


def period_before(name: str, today: date) -> Period:
    """The last full week (Monday to Sunday), month or quarter before `today`."""
    if name == "week":
        monday = today - timedelta(days=today.weekday())
        return Period(name, monday - timedelta(days=7), monday - timedelta(days=1))
    if name == "month":
        first_of_this = today.replace(day=1)
        last = first_of_this - timedelta(days=1)
        return Period(name, last.replace(day=1), last)
    if name == "quarter":
        this_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        last = this_quarter - timedelta(days=1)
        return Period(name, date(last.year, 3 * ((last.month - 1) // 3) + 1, 1), last)
    raise InvalidInput(N_("Choose the period: week, month or quarter."))


def scope_for(people: Directory, actor: Actor, named: str | None) -> Scope:
    """What `actor` may see: named a manager (or a rep), or by default their own scope."""
    target = people.by_id(named) if named else actor
    if target is None:
        raise InvalidInput(N_("That person is not in this workspace's team."))
    theirs = actor.is_manager and target.manager_id == actor.user_id
    if named and target.user_id != actor.user_id and not actor.is_admin and not theirs:
        raise NotAllowed(N_("You can see your own team's report; admins see anyone's."))
    if target.is_admin and not named:
        return Scope(COMPANY, None, None)
    if target.is_manager or target.is_admin:
        team = tuple(rep.user_id for rep in people.team_of(target))
        return Scope(TEAM, target.user_id, (*team, target.user_id))
    return Scope(REP, target.user_id, (target.user_id,))


def readers(people: Directory) -> list[Actor]:
    """Who gets the weekly report: every manager with a team (theirs), every admin (the company's)."""
    return [p for p in people.active if p.is_admin or (p.is_manager and people.team_of(p))]


@dataclass(frozen=True)
class Workspace:
    """What every report of a workspace reads first: read once for a run of many reports."""

    people: Directory
    settings: settings_service.WorkspaceSettings
    timezone: str


def workspace_of(env: Env, workspace_id: str) -> Workspace:
    return Workspace(
        directory(env, workspace_id),
        settings_service.load(env, workspace_id),
        workspace_zone(env, workspace_id),
    )


def report(
    env: Env,
    actor: Actor,
    period_name: str = "week",
    named: str | None = None,
    within: Workspace | None = None,
) -> Report:
    """The report `actor` may see, for the last full period; `within` the workspace's people and
    settings when a run already read them (the weekly report's hundred managers)."""
    within = within or workspace_of(env, actor.workspace_id)
    settings, people, tz = within.settings, within.people, zone(within.timezone)
    today = env.clock.now().astimezone(tz).date()
    period = period_before(period_name, today)
    scope = scope_for(people, actor, named)
    found = Report(scope, period, str(tz), actor.currency)
    found.names = {person.user_id: person.name or person.user_id for person in people.active}
    found.visit_target = round(settings.weekly_visit_target * period.weeks)
    everyone = [p.user_id for p in people.active if not p.is_admin]  # a company report's people
    _fill(env, actor.workspace_id, found, tz, everyone)
    return found


def workspace_zone(env: Env, workspace_id: str) -> str:
    with env.db.session() as session:
        workspace = people_store.get_workspace(session=session, workspace_id=workspace_id)
    return workspace.timezone if workspace else "UTC"


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def _fill(env: Env, workspace_id: str, found: Report, tz: tzinfo, everyone: list[str]) -> None:
    period, people = found.period, found.scope.people
    end_week = period.last_day - timedelta(days=period.last_day.weekday())  # the period's last Monday
    found.flow_weeks = [end_week - timedelta(weeks=n) for n in reversed(range(FLOW_WEEKS))]
    found.revenue_weeks = [end_week - timedelta(weeks=n) for n in reversed(range(REVENUE_WEEKS))]
    start, end = _midnight(period.first_day, tz), _midnight(period.last_day + timedelta(days=1), tz)
    with env.db.session() as session:
        ws = workspace_id
        reps = list(people or everyone)
        counted = store.visits_per_rep(
            session=session, workspace_id=ws, reps=reps, first_day=period.first_day, last_day=period.last_day
        )
        found.visits = sorted(
            ((rep, counted.get(rep, 0)) for rep in reps), key=lambda pair: (-pair[1], pair[0])
        )
        starts = [_midnight(day, tz) for day in found.flow_weeks]
        found.flow = store.pool_flow(session=session, workspace_id=ws, people=people, starts=starts)
        found.revenue = store.revenue_per_week(
            session=session, workspace_id=ws, owners=people, starts=found.revenue_weeks
        )
        found.stages = store.stages_now(session=session, workspace_id=ws, owners=people)
        found.bands = store.bands_now(session=session, workspace_id=ws, owners=people)
        found.bands_month_ago = store.bands_at(
            session=session, workspace_id=ws, owners=people, at=end - timedelta(days=30)
        )
        found.complaints = store.complaints_between(
            session=session, workspace_id=ws, assignees=people, start=start, end=end
        )
        found.funnel = _funnel(session, ws, people, end - timedelta(days=FUNNEL_DAYS))


def _funnel(
    session: Session, workspace_id: str, people: tuple[str, ...] | None, since: datetime
) -> list[tuple[OpportunityStage, int]]:
    owners = list(people) if people is not None else None
    reached = pipeline_store.reached(session, workspace_id=workspace_id, owners=owners, opened_since=since)
    if not any(one.count for one in reached):
        return []
    stages = {stage.id: stage for stage in stages_in(session, workspace_id)}
    return [(stages[one.stage_id], one.count) for one in reached if one.stage_id in stages]


# -- the team's champions ---------------------------------------------------------------------------
SETTING_OF = {
    "visits": "champion_visits",
    "new_customers": "champion_new_customers",
    "revenue": "champion_revenue",
    "satisfaction": "champion_satisfaction",
    "complaints": "champion_complaints",
}


@dataclass(frozen=True)
class Champions:
    period: Period
    channel: str
    currency: str
    measures: dict[str, list[champion_rules.Place]]  # the measures switched on, each its top
    names: dict[str, str]


def week_figures(
    session: Session, workspace_id: str, tz: tzinfo, period: Period
) -> dict[str, dict[str, float]]:
    """Each champions' measure of the week, per rep (store.reports.champion_figures)."""
    return store.champion_figures(
        session=session, workspace_id=workspace_id, start=_midnight(period.first_day, tz),
        end=_midnight(period.last_day + timedelta(days=1), tz), first_day=period.first_day, last_day=period.last_day,
    )  # fmt: skip


def champions(env: Env, workspace_id: str, today: date) -> Champions | None:
    """The week before `today`'s champions, per measure switched on; None when no channel is set."""
    settings = settings_service.load(env, workspace_id)
    if settings.champions_channel is None:
        return None
    period = period_before("week", today)
    people = directory(env, workspace_id)
    with env.db.session() as session:
        workspace = people_store.get_workspace(session=session, workspace_id=workspace_id)
        figures = week_figures(
            session, workspace_id, zone(workspace.timezone if workspace else "UTC"), period
        )
    reps = {p.user_id for p in people.active if not p.is_admin}
    measures = {
        measure: champion_rules.top({rep: v for rep, v in figures[measure].items() if rep in reps}, settings.champions_shown)
        for measure in champion_rules.MEASURES
        if getattr(settings, SETTING_OF[measure])
    }  # fmt: skip
    names = {p.user_id: p.name or p.user_id for p in people.active}
    currency = workspace.currency if workspace else "CNY"
    return Champions(period, settings.champions_channel, currency, measures, names)
