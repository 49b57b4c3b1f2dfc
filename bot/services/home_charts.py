"""The charts on a lead's Home, as data: a manager's team last week (visits per person, the pool's
flow), an admin's company (the pool's flow, complaints open now per team, each team's visits and revenue
last week). Drawn and uploaded each morning by the Home's publishing (`messaging.home`), kept by their
file ids (`store.reports.replace_home_charts`), shown until the next morning's replace them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.env import Env
from bot.services import reports
from bot.services.people import Actor
from store import reports as store
from store.models import HomeChart


@dataclass(frozen=True)
class TeamTotals:
    """A team's (a manager's reps and the manager; or the reps without one) figures for the Home."""

    manager_id: str | None  # None: the reps without a manager
    visits: int = 0  # last week
    revenue_minor: int = 0  # last week, in the workspace's currency
    open_complaints: int = 0  # now
    breached: int = 0  # of those open, past a time


@dataclass(frozen=True)
class LeadFigures:
    report: reports.Report  # the manager's team, or the company, last week
    teams: Sequence[TeamTotals] = field(default_factory=tuple)  # an admin's: each team


def leads(within: reports.Workspace, person: Actor) -> bool:
    """Who has charts on their Home: admins, and managers with a team."""
    return person.is_admin or (person.is_manager and bool(within.people.team_of(person)))


def lead_figures(env: Env, person: Actor, within: reports.Workspace) -> LeadFigures:
    found = reports.report(env, person, "week", within=within)
    if not person.is_admin:
        return LeadFigures(found)
    return LeadFigures(found, _teams(env, person.workspace_id, within, found.period.first_day))


def _teams(env: Env, workspace_id: str, within: reports.Workspace, week: date) -> list[TeamTotals]:
    people = within.people
    managers = [p for p in people.active if p.is_manager and people.team_of(p)]
    team_of = {rep.user_id: m.user_id for m in managers for rep in people.team_of(m)}
    team_of.update({m.user_id: m.user_id for m in managers})
    with env.db.session() as session:
        standings = store.standings_of_week(session=session, workspace_id=workspace_id, week=week)
        complaints = store.open_complaints(session=session, workspace_id=workspace_id)
    admins = {person.user_id for person in people.active if person.is_admin}
    totals: dict[str | None, dict[str, int]] = {m.user_id: {} for m in managers}
    for row in standings:
        if row.measure in ("visits", "revenue") and row.user_id not in admins:
            sums = totals.setdefault(team_of.get(row.user_id), {})
            sums[row.measure] = sums.get(row.measure, 0) + int(row.value)
    for assignee, (count, late) in complaints.items():
        sums = totals.setdefault(team_of.get(assignee or ""), {})
        sums["open"], sums["late"] = sums.get("open", 0) + count, sums.get("late", 0) + late
    return [
        TeamTotals(m, t.get("visits", 0), t.get("revenue", 0), t.get("open", 0), t.get("late", 0))
        for m, t in totals.items()
    ]


def charts_of_today(env: Env, person: Actor, today: date) -> bool:
    """Whether the person's Home charts were drawn this morning already."""
    return any(chart.day == today for chart in shown_charts(env, person))


def shown_charts(env: Env, person: Actor) -> list[HomeChart]:
    with env.db.session() as session:
        found = store.home_charts(session=session, workspace_id=person.workspace_id, user_id=person.user_id)
        for chart in found:
            session.expunge(chart)
    return found


def keep_charts(env: Env, person: Actor, today: date, uploaded: Sequence[tuple[str, str, str]]) -> None:
    """The morning's charts (file id, title, alt), in place of yesterday's."""
    now = env.clock.now()
    rows = [
        {
            "position": n,
            "day": today,
            "file_id": file_id,
            "title": title[:200],
            "alt": alt[:2000],
            "created_at": now,
        }
        for n, (file_id, title, alt) in enumerate(uploaded)
    ]
    with env.db.session() as session:
        store.replace_home_charts(
            session=session, workspace_id=person.workspace_id, user_id=person.user_id, charts=rows
        )
