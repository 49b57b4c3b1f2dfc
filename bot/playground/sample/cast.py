"""The sample's people, channels and workspace: the cast and its constants, the Sample and SeedReport
types, and the cast's registration in the Slack stand-in."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot.i18n import N_, Lang
from bot.playground.standin import SlackStandIn
from store.models import ROLE_ADMIN, ROLE_MANAGER, ROLE_REP

TEAM_ID = "T0TIDE"  # the stand-in's own default
TIMEZONE = "Asia/Shanghai"
SALES, POOL, COMPLAINTS = "C0SALES", "C0POOL", "C0COMPLAINTS"


@dataclass(frozen=True)
class SamplePerson:
    user_id: str
    handle: str  # what the user types after "as @"
    name: str  # the display name
    role: str  # "admin" | "manager" | "rep"
    manager_id: str | None
    locale: str  # Slack's locale: "en-US" or "zh-CN"


@dataclass(frozen=True)
class SampleChannel:
    channel_id: str
    name: str


@dataclass(frozen=True)
class Sample:
    team_id: str
    people: tuple[SamplePerson, ...]
    channels: tuple[SampleChannel, ...]  # sales (where people type), the pool channel, complaints
    admin_ids: frozenset[str]  # for Settings.admin_user_ids

    def person(self, handle: str) -> SamplePerson:
        return next(person for person in self.people if person.handle == handle)

    @property
    def lang(self) -> str:
        return "zh" if self.people[0].locale == "zh-CN" else "en"


@dataclass(frozen=True)
class SeedReport:
    customers: int
    in_pool: int
    visits: int
    orders: int
    complaints: int
    kept: bool  # the workspace had customers already (a kept database): nothing was written

    def describe(self, words: Lang) -> str:
        """One line for the playground's welcome: what the workspace holds, and whether it is new."""
        return words.gettext(KEPT_LINE if self.kept else SEEDED_LINE) % dataclasses.asdict(self)


SEEDED_LINE = N_(
    "Sample workspace: %(customers)s customers (%(in_pool)s in the pool), %(visits)s visits, "
    "%(orders)s orders, %(complaints)s complaints."
)
KEPT_LINE = N_(
    "Kept from the last run: %(customers)s customers (%(in_pool)s in the pool), %(visits)s visits, "
    "%(orders)s orders, %(complaints)s complaints."
)


class SampleError(RuntimeError):
    """The sample data did not go in as planned (a bug here, not the user's doing)."""


# -- The cast -------------------------------------------------------------------------------------------

_CAST = (  # handle, user id, role, English name, Chinese name
    ("ada", "U0ADA", ROLE_ADMIN, "Ada", "艾达"),
    ("max", "U0MAX", ROLE_MANAGER, "Max", "马克"),
    ("mei", "U0MEI", ROLE_REP, "Mei", "陈美"),
    ("li", "U0LI", ROLE_REP, "Li", "李明"),
    ("wang", "U0WANG", ROLE_REP, "Wang", "王强"),
)
IDS = {handle: user_id for handle, user_id, *_ in _CAST}
_MANAGER_ID = IDS["max"]
_CHANNELS = ((SALES, "sales"), (POOL, "customer-pool"), (COMPLAINTS, "complaints"))


def sample_workspace(lang: str) -> Sample:
    """The fixed cast: Ada (admin), Max (manager) and his reps Mei, Li and Wang; "en" or "zh"."""
    if lang not in ("en", "zh"):
        raise ValueError(f"the sample speaks en or zh, not {lang!r}")
    locale = "zh-CN" if lang == "zh" else "en-US"
    people = tuple(
        SamplePerson(
            user_id=user_id,
            handle=handle,
            name=chinese if lang == "zh" else english,
            role=role,
            manager_id=_MANAGER_ID if role == ROLE_REP else None,
            locale=locale,
        )
        for handle, user_id, role, english, chinese in _CAST
    )
    admins = frozenset(person.user_id for person in people if person.role == ROLE_ADMIN)
    channels = tuple(SampleChannel(channel_id, name) for channel_id, name in _CHANNELS)
    return Sample(team_id=TEAM_ID, people=people, channels=channels, admin_ids=admins)


def register(standin: SlackStandIn, sample: Sample) -> None:
    """The cast and the channels in the stand-in, as users.info and conversations.info tell them."""
    standin.team_id = sample.team_id  # auth.test and every user answer for the sample's workspace
    for person in sample.people:
        standin.add_user(
            person.user_id,
            person.name,
            tz=TIMEZONE,
            locale=person.locale,
            is_admin=person.role == ROLE_ADMIN,
        )
        standin.users[person.user_id]["name"] = person.handle  # Slack's `name` is the @handle
    for channel in sample.channels:
        standin.add_channel(channel.channel_id, channel.name)
