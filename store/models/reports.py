"""What the Home shows of the reports: a lead's charts of the morning, and each rep's weekly standing."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from store.models.columns import utc_column


class HomeChart(SQLModel, table=True):
    """A chart on a lead's Home (a manager's team, an admin's company): drawn and uploaded by the
    morning's Home publishing, shown by its file id until the next morning's replaces it."""

    __tablename__ = "home_chart"

    workspace_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    position: int = Field(primary_key=True)  # the order on the Home
    day: date  # the morning it was drawn, in the person's zone
    file_id: str = Field(max_length=32)
    title: str = Field(max_length=200)
    alt: str = Field(max_length=2000)
    created_at: datetime = Field(sa_column=utc_column())


class WeeklyStanding(SQLModel, table=True):
    """A rep's place among the workspace's reps in one of the champions' measures for one week (ties
    share their rank; only those with something are ranked), for their own Home: computed once per
    week for everyone, kept a few weeks."""

    __tablename__ = "weekly_standing"

    workspace_id: str = Field(primary_key=True, max_length=32)
    week: date = Field(primary_key=True)  # its Monday
    user_id: str = Field(primary_key=True, max_length=32)
    measure: str = Field(primary_key=True, max_length=20)
    rank: int
    value: float
    ranked: int  # how many reps had something in this measure that week
