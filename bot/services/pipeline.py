"""The pipeline (销售漏斗) as the Home shows it: open opportunities by stage with their amounts and
weighted amounts, the forecast of this month and this quarter (won, committed, weighted), and for a
lead the funnel of the last 90 days (how many of the opportunities opened then reached each stage)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from bot.rules import opportunities as rules
from bot.rules.calendar import zone
from bot.services.opportunities import stages_in
from store import pipeline as store
from store.models import OpportunityStage
from store.pipeline import Forecast, Period, Reached, StageTotal

FUNNEL_DAYS = 90


@dataclass(frozen=True)
class Pipeline:
    stages: list[OpportunityStage]  # every stage, to name them, in order
    totals: list[StageTotal]  # open ones by stage
    month: Forecast
    quarter: Forecast
    funnel: list[Reached]  # empty unless asked for (a lead's Home)

    @property
    def is_empty(self) -> bool:
        return not self.totals and not self.month.won and not self.quarter.won


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def pipeline_in(
    session: Session,
    *,
    workspace_id: str,
    owners: Sequence[str] | None,
    today: date,
    timezone: str,
    with_funnel: bool,
) -> Pipeline:
    """The figures of these owners' opportunities (None: everyone's), periods in `timezone`."""
    stages = stages_in(session, workspace_id)
    won_stages = [stage.id for stage in stages if stage.outcome == rules.WON]
    month, quarter = today.replace(day=1), _quarter_start(today)
    periods = [
        _period(month, _months_later(month, 1), timezone),
        _period(quarter, _months_later(quarter, 3), timezone),
    ]
    found = store.figures(
        session, workspace_id=workspace_id, owners=owners, periods=periods, won_stages=won_stages
    )
    since = datetime.combine(today - timedelta(days=FUNNEL_DAYS), time(0), tzinfo=zone(timezone))
    funnel = (
        store.reached(session, workspace_id=workspace_id, owners=owners, opened_since=since)
        if with_funnel
        else []
    )
    return Pipeline(stages, found.totals, found.forecasts[0], found.forecasts[1], funnel)


def _period(first_day: date, after_last_day: date, timezone: str) -> Period:
    here = zone(timezone)
    return Period(
        first_day, after_last_day, datetime.combine(first_day, time(0), tzinfo=here),
        datetime.combine(after_last_day, time(0), tzinfo=here),
    )  # fmt: skip
