"""Each rep's own standing among the workspace's reps, week by week, in the champions' measures: for
their own Home only (the champions channel names the top, never anyone's place below it).

Computed once per week for everyone (set-based: one statement per measure over the week's rows) by
the first morning's Home publishing that needs it, and kept a few weeks so the Home can show the trend.
A week's standings are those of its figures at that first morning: a visit logged later for that week
does not move them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from bot.env import Env
from bot.rules import champions as champion_rules
from bot.rules.calendar import zone
from bot.services.people import directory
from bot.services.reports import SETTING_OF, Period, period_before, week_figures, workspace_zone
from bot.services.settings import WorkspaceSettings
from store import reports as store


@dataclass(frozen=True)
class Standing:
    """The person's place in one measure last week, and the week before's (None: not ranked then)."""

    measure: str
    rank: int
    ranked: int  # of how many with something
    value: float
    rank_before: int | None


def ensure_standings(env: Env, workspace_id: str) -> int:
    """Last week's standings and the week before's, each computed if not yet; how many weeks were."""
    tz_name = workspace_zone(env, workspace_id)
    today = env.clock.now().astimezone(zone(tz_name)).date()
    last = period_before("week", today)
    before = period_before("week", last.first_day)
    computed = 0
    for period in (before, last):
        with env.db.session() as session:
            if store.has_standings(session=session, workspace_id=workspace_id, week=period.first_day):
                continue
            _compute(env, session, workspace_id, tz_name, period)
            computed += 1
    return computed


def _compute(env: Env, session: Session, workspace_id: str, tz_name: str, period: Period) -> None:
    reps = {person.user_id for person in directory(env, workspace_id).active if not person.is_admin}
    figures = week_figures(session, workspace_id, zone(tz_name), period)
    rows = []
    for measure in champion_rules.MEASURES:
        places = champion_rules.ranked({rep: v for rep, v in figures[measure].items() if rep in reps})
        rows += [
            {"user_id": p.rep, "measure": measure, "rank": p.rank, "value": p.value, "ranked": len(places)}
            for p in places
        ]
    store.replace_standings(session=session, workspace_id=workspace_id, week=period.first_day, rows=rows)


def my_standing(
    session: Session, workspace_id: str, user_id: str, today: date, settings: WorkspaceSettings
) -> list[Standing]:
    """The person's standing last week in each measure switched on where they were ranked."""
    last = period_before("week", today).first_day
    before = last - timedelta(weeks=1)
    rows = store.standings_of(
        session=session, workspace_id=workspace_id, user_id=user_id, weeks=[last, before]
    )
    earlier = {row.measure: row.rank for row in rows if row.week == before}
    return [
        Standing(row.measure, row.rank, row.ranked, row.value, earlier.get(row.measure))
        for measure in champion_rules.MEASURES
        for row in rows
        if row.measure == measure and row.week == last and getattr(settings, SETTING_OF[measure])
    ]
