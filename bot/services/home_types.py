"""What the App Home shows, as data: one person's Home (`HomeData`), a page of one of its lists
(`ListPage`), and the rows of each list. `bot.services.home` produces them and `bot.views.home`
renders them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Generic, TypeVar

from bot.rules.churn import Reason
from bot.rules.pool import Recycle
from bot.services.people import TeamListing
from bot.services.pipeline import Pipeline
from bot.services.settings import WorkspaceSettings
from bot.services.standings import Standing
from store.complaints import Listed
from store.home import RiskRow
from store.models import Customer, HomeChart, OutboxMessage
from store.recycle import NearlyDue

PAGE_ROWS = 20  # rows of a "See all" page

T = TypeVar("T")


@dataclass(frozen=True)
class Rows(Generic[T]):
    """Some rows of a list (the first ones, or one page) and how many the list has in all."""

    rows: Sequence[T]
    total: int


def _no_rows() -> Rows[Any]:
    return Rows((), 0)


DueList = Rows[Customer]  # the first version's name for a list of follow-ups


@dataclass(frozen=True)
class Risk:
    row: RiskRow
    reasons: Sequence[Reason]


@dataclass(frozen=True)
class RepLine:
    user_id: str
    visits_this_week: int
    overdue: int


@dataclass(frozen=True)
class PoolFigures:
    claims_left: int
    held: int
    cap: int


@dataclass(frozen=True)
class TeamHome:
    target: int  # visits per rep per week
    reps: Rows[RepLine]  # most in need first
    pool_in: int  # this week: let go to the pool (released, recycled)
    pool_out: int  # and taken from it (claimed, assigned)
    at_risk: Rows[Risk]
    complaints: Rows[Listed]
    due_soon: Rows[Warned]  # back in the pool within 3 days
    orphans: Rows[Customer]  # deactivated members' customers, to reassign
    pipeline: Pipeline | None = None  # the team's opportunities, with the funnel


@dataclass(frozen=True)
class AdminHome:
    settings: WorkspaceSettings
    admins: Sequence[str]
    teams: TeamListing
    refused: Rows[OutboxMessage]
    possible_duplicates: int = 0  # posts sent again unchecked, in the last DUPLICATES_WITHIN


@dataclass(frozen=True)
class HomeData:
    today: date
    due_today: Rows[Customer]
    overdue: Rows[Customer]
    at_risk: Rows[Risk] = field(default_factory=_no_rows)
    complaints: Rows[Listed] = field(default_factory=_no_rows)
    pool: PoolFigures | None = None
    team: TeamHome | None = None
    admin: AdminHome | None = None
    timezone: str = "UTC"
    standing: Sequence[Standing] = ()  # the person's place last week in the champions' measures
    charts: Sequence[HomeChart] = ()  # a lead's charts of the morning
    currency: str = "CNY"
    pipeline: Pipeline | None = None  # the person's own opportunities


class HomeList(StrEnum):
    """The Home's lists; a "See all" button names one."""

    OVERDUE = "overdue"
    TODAY = "today"
    RISK = "risk"
    COMPLAINTS = "complaints"
    TEAM = "team"
    TEAM_RISK = "team_risk"
    TEAM_COMPLAINTS = "team_complaints"
    SOON = "soon"
    ORPHANS = "orphans"
    REFUSED = "refused"


@dataclass(frozen=True)
class ListPage:
    which: HomeList
    offset: int
    rows: Rows[Any]
    target: int = 0
    timezone: str = "UTC"


@dataclass(frozen=True)
class Warned:
    """A customer going back to the pool soon, at its exact time (the pure rule)."""

    customer: Customer | NearlyDue  # the nightly jobs' are plain rows
    recycle: Recycle
    asked: bool  # a request for more days is waiting
