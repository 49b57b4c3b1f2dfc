"""The manager's morning digest: who leads a team, and a morning's figures for every team due a digest
at once (a handful of statements, not several per team). And a manager's nudge from the digest: one DM
to the rep about one customer, at most once a day (an event, `RepNudged`, that `bot.messaging.digest`
queues)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from bot import events
from bot.env import Env
from bot.errors import NotAllowed, NotFound
from bot.i18n import N_
from bot.rules.calendar import is_working_day, zone
from bot.services.customers import get_customer
from bot.services.opportunities import stages_in
from bot.services.people import Actor, Directory, directory
from store import complaints as complaint_store
from store import digest as digest_store
from store import pipeline as pipeline_store
from store.models import Customer, OpportunityStage
from store.pipeline import DealLine

SOON = timedelta(days=3)  # "back in the pool soon": within three days


@dataclass(frozen=True)
class Nudged:
    rep_id: str
    name: str
    key: str


@dataclass(frozen=True)
class RepNudged(events.Event):
    """A manager asked a rep to look at a customer today (the rep's today)."""

    workspace_id: str
    manager_id: str
    rep_id: str
    rep_locale: str
    customer_id: int
    name: str
    day: date


def nudge(env: Env, actor: Actor, rep_id: str, customer_id: int) -> Nudged:
    people = directory(env, actor.workspace_id)
    rep = people.by_id(rep_id)
    if rep is None:
        raise NotFound(N_("That rep is no longer in the workspace."))
    if not (actor.is_admin or (actor.is_manager and rep.manager_id == actor.user_id)):
        raise NotAllowed(N_("Only the rep's manager or an admin can nudge them."))
    customer = get_customer(env, actor, customer_id)
    customer_id = customer.id or 0
    asked = RepNudged(
        actor.workspace_id, actor.user_id, rep_id, rep.locale, customer_id, customer.name, rep.today(env)
    )
    with env.db.session() as session:
        (key,) = events.publish(env, session, asked)
    return Nudged(rep_id, customer.name, key)


def previous_working_day(today: date, country: str) -> date:
    day = today - timedelta(days=1)
    while not is_working_day(day, country) and (today - day).days < 30:
        day -= timedelta(days=1)
    return day


def leads(people: Directory) -> list[Actor]:
    """The active managers and admins who have a team (or deactivated members in it): each is due a digest."""
    return [
        p
        for p in people.active
        if (p.is_manager or p.is_admin) and (people.team_of(p) or people.deactivated_in_team_of(p))
    ]


@dataclass(frozen=True)
class Team:
    lead: Actor
    reps: tuple[Actor, ...]
    gone: tuple[str, ...]  # deactivated members who still own customers

    @classmethod
    def of(cls, people: Directory, lead: Actor) -> Team:
        return cls(lead, people.team_of(lead), tuple(p.user_id for p in people.deactivated_in_team_of(lead)))

    @property
    def rep_ids(self) -> list[str]:
        return [rep.user_id for rep in self.reps]


@dataclass(frozen=True)
class Morning:
    """The digests' day and zone (the leads sharing both share the figures' days and windows), and
    how many rows of each list a digest shows."""

    today: date
    timezone: str
    country: str
    rows: int

    @property
    def last_day(self) -> date:
        return previous_working_day(self.today, self.country)

    def last_day_bounds(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.last_day, time(0), tzinfo=zone(self.timezone))
        return start, start + timedelta(days=1)


@dataclass(frozen=True)
class Figures:
    """A morning's figures for every team due a digest: each team's digest picks its reps' rows."""

    today: date
    last_day: date
    visits: dict[str, digest_store.RepVisits]
    overdue: dict[str, int]
    moves: digest_store.PoolMoves
    churn: list[digest_store.BandChange]
    complaints: complaint_store.AssigneesComplaints
    orphans: dict[str, tuple[list[Customer], int]]  # per lead with deactivated members
    deals: dict[str, TeamDeals] = field(default_factory=dict)  # per lead
    stages: list[OpportunityStage] = field(default_factory=list)  # to name the opportunities' stages


@dataclass(frozen=True)
class TeamDeals:
    """A team's opportunities that moved, were won or lost on the last working day, and those whose
    expected close date passed since."""

    changes: list[DealLine]
    slipped: list[DealLine]


def figures(env: Env, workspace_id: str, morning: Morning, teams: dict[str, Team]) -> Figures:
    today, last_day, rows, ws = morning.today, morning.last_day, morning.rows, workspace_id
    start, end = morning.last_day_bounds()
    reps = sorted({rep for team in teams.values() for rep in team.rep_ids})
    assignees = sorted({*reps, *(gone for team in teams.values() for gone in team.gone)})
    week_start = today - timedelta(days=today.weekday())
    with env.db.session() as session:
        return Figures(
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
            deals={
                lead: _team_deals(session, ws, team, morning) for lead, team in teams.items() if team.reps
            },
            stages=stages_in(session, ws),
        )


def _team_deals(session: Session, workspace_id: str, team: Team, morning: Morning) -> TeamDeals:
    """Per team: one team's busy day never crowds another's out of its digest."""
    start, end = morning.last_day_bounds()
    owners, rows = team.rep_ids, morning.rows
    return TeamDeals(
        pipeline_store.changes_between(
            session, workspace_id=workspace_id, owners=owners, start=start, end=end, limit=rows
        ),
        pipeline_store.slipped_between(
            session, workspace_id=workspace_id, owners=owners, first_day=morning.last_day,
            after_last_day=morning.today, limit=rows,
        ),
    )  # fmt: skip
