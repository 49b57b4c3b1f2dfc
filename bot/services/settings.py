"""The settings store: a workspace's rules, their validation, and every change with who and when.

Each setting is described once (`SPECS`): its key, label, kind and bounds. The `/crm settings` modal
is built from the specs and its answers are validated against them, so a later feature adds a
setting by adding a field to `WorkspaceSettings` and a spec here. Stored values are JSON; a key never
set takes the default of `WorkspaceSettings`. Changing a rule changes what happens from then on:
history (ownership moves, past recycles) is never rewritten.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from bot.env import Env
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import N_
from bot.rules.pool import DEFAULT_RECYCLE_DAYS, PoolRules
from bot.services.people import Actor
from store import settings as settings_store

RECENT_CHANGES = 5


_POOL = PoolRules()  # PRODUCT.md's defaults live with the rules


@dataclass(frozen=True)
class WorkspaceSettings:
    """Every setting of a workspace, with PRODUCT.md's defaults."""

    recycle_days_a: int = DEFAULT_RECYCLE_DAYS["A"]
    recycle_days_b: int = DEFAULT_RECYCLE_DAYS["B"]
    recycle_days_c: int = DEFAULT_RECYCLE_DAYS["C"]
    days_to_first_order: int = _POOL.days_to_first_order
    dealt_exempt: bool = _POOL.dealt_exempt
    warning_days: int = _POOL.warning_days
    holding_cap: int = _POOL.holding_cap
    dealt_count_in_cap: bool = _POOL.dealt_count_in_cap
    daily_claim_limit: int = _POOL.daily_claim_limit
    cooldown_days: int = _POOL.cooldown_days
    lock_cap: int = _POOL.lock_cap
    pool_channel: str | None = None
    reminder_time: str = "09:00"  # in each person's own time zone
    digest_time: str = "08:30"
    country: str = "CN"  # whose public holidays and make-up working days count
    extension_days: int = 7
    weekly_visit_target: int = 20
    complaints_channel: str | None = None
    # SLA hours per severity (respond / resolve), counted in calendar hours or in working hours.
    sla_urgent_respond: int = 1
    sla_urgent_resolve: int = 4
    sla_high_respond: int = 4
    sla_high_resolve: int = 24
    sla_medium_respond: int = 8
    sla_medium_resolve: int = 72
    sla_low_respond: int = 24
    sla_low_resolve: int = 120
    sla_working_hours: bool = False
    work_start: str = "09:00"  # the workspace's working hours, in its own time zone
    work_end: str = "18:00"
    # Levels from revenue of the last 12 months among customers who ordered: top A %, next B %, rest C.
    tier_a_percent: int = 20
    tier_b_percent: int = 30

    @property
    def work_start_at(self) -> time:
        return time.fromisoformat(self.work_start)

    @property
    def work_end_at(self) -> time:
        return time.fromisoformat(self.work_end)

    def sla_hours(self, severity: str) -> tuple[int, int]:
        """(respond, resolve) hours of a severity."""
        return getattr(self, f"sla_{severity}_respond"), getattr(self, f"sla_{severity}_resolve")

    @property
    def reminder_at(self) -> time:
        return time.fromisoformat(self.reminder_time)

    @property
    def digest_at(self) -> time:
        return time.fromisoformat(self.digest_time)

    def pool_rules(self) -> PoolRules:
        return PoolRules(
            recycle_days_without_visit={
                "A": self.recycle_days_a,
                "B": self.recycle_days_b,
                "C": self.recycle_days_c,
            },
            days_to_first_order=self.days_to_first_order,
            dealt_exempt=self.dealt_exempt,
            warning_days=self.warning_days,
            holding_cap=self.holding_cap,
            dealt_count_in_cap=self.dealt_count_in_cap,
            daily_claim_limit=self.daily_claim_limit,
            cooldown_days=self.cooldown_days,
            lock_cap=self.lock_cap,
        )


class Kind(StrEnum):
    NUMBER = "number"  # a whole number within bounds
    SWITCH = "switch"  # yes or no
    CHANNEL = "channel"  # a Slack conversation, or none
    TIME = "time"  # a time of day, HH:MM
    COUNTRY = "country"  # one of COUNTRIES


class Group(StrEnum):
    RECYCLING = "recycling"
    CLAIMS = "claims"
    SCHEDULE = "schedule"
    COMPLAINTS = "complaints"
    LEVELS = "levels"
    CHANNELS = "channels"


# Countries offered for working days (the holidays package knows each, China's make-up days included).
COUNTRIES = ("CN", "HK", "TW", "SG", "MY", "JP", "KR", "IN", "AU", "GB", "DE", "FR", "US", "CA")


@dataclass(frozen=True)
class Spec:
    key: str
    group: Group
    label: str
    kind: Kind
    low: int = 0
    high: int = 0
    hint: str | None = None


SPECS: tuple[Spec, ...] = (
    Spec("recycle_days_a", Group.RECYCLING, N_("Level A: days without a visit"), Kind.NUMBER, 1, 3650),
    Spec("recycle_days_b", Group.RECYCLING, N_("Level B: days without a visit"), Kind.NUMBER, 1, 3650),
    Spec("recycle_days_c", Group.RECYCLING, N_("Level C: days without a visit"), Kind.NUMBER, 1, 3650),
    Spec(
        "days_to_first_order",
        Group.RECYCLING,
        N_("Days to a first order after a claim"),
        Kind.NUMBER,
        1,
        3650,
        N_("A customer who has not ordered this long after being claimed goes back to the pool."),
    ),
    Spec(
        "dealt_exempt",
        Group.RECYCLING,
        N_("Customers who ordered are never recycled"),
        Kind.SWITCH,
        hint=N_("Churn warnings watch them instead."),
    ),
    Spec(
        "warning_days",
        Group.RECYCLING,
        N_("Warn the owner this many days before"),
        Kind.NUMBER,
        0,
        60,
        N_("0: no warning."),
    ),
    Spec("holding_cap", Group.CLAIMS, N_("Customers one rep may hold"), Kind.NUMBER, 1, 100000),
    Spec("dealt_count_in_cap", Group.CLAIMS, N_("Customers who ordered count towards it"), Kind.SWITCH),
    Spec("daily_claim_limit", Group.CLAIMS, N_("Claims per rep per day"), Kind.NUMBER, 1, 10000),
    Spec(
        "cooldown_days",
        Group.CLAIMS,
        N_("Days before a previous owner may claim back"),
        Kind.NUMBER,
        0,
        365,
        N_("Counted from the release, recycle or reassignment."),
    ),
    Spec(
        "lock_cap",
        Group.CLAIMS,
        N_("Locked customers per rep"),
        Kind.NUMBER,
        0,
        10000,
        N_("Managers lock customers to keep them from the recycle; customers who ordered need no lock."),
    ),
    Spec(
        "reminder_time",
        Group.SCHEDULE,
        N_("Follow-up reminders at"),
        Kind.TIME,
        hint=N_("Each rep's own time zone, on working days."),
    ),
    Spec(
        "digest_time",
        Group.SCHEDULE,
        N_("Manager digest at"),
        Kind.TIME,
        hint=N_("Each manager's own time zone, on working days."),
    ),
    Spec(
        "country",
        Group.SCHEDULE,
        N_("Working days of"),
        Kind.COUNTRY,
        hint=N_("Public holidays and make-up working days of this country."),
    ),
    Spec(
        "extension_days",
        Group.SCHEDULE,
        N_("Days an extension adds"),
        Kind.NUMBER,
        1,
        90,
        N_("Granted by a manager when an owner asks for more days before a recycle."),
    ),
    Spec("weekly_visit_target", Group.SCHEDULE, N_("Visits per rep per week (target)"), Kind.NUMBER, 0, 1000),
    Spec(
        "pool_channel",
        Group.CHANNELS,
        N_("Pool channel"),
        Kind.CHANNEL,
        hint=N_("Releases and recycles are announced here. In a private channel, invite Tidewater first."),
    ),
    Spec(
        "complaints_channel",
        Group.CHANNELS,
        N_("Complaints channel"),
        Kind.CHANNEL,
        hint=N_(
            "Each complaint is posted here and handled in its thread. None: the card goes to the assignee by DM."
        ),
    ),
    *(
        Spec(f"sla_{severity}_{step}", Group.COMPLAINTS, label, Kind.NUMBER, 1, 1440)
        for severity, step, label in (
            ("urgent", "respond", N_("Urgent: hours to respond")),
            ("urgent", "resolve", N_("Urgent: hours to resolve")),
            ("high", "respond", N_("High: hours to respond")),
            ("high", "resolve", N_("High: hours to resolve")),
            ("medium", "respond", N_("Medium: hours to respond")),
            ("medium", "resolve", N_("Medium: hours to resolve")),
            ("low", "respond", N_("Low: hours to respond")),
            ("low", "resolve", N_("Low: hours to resolve")),
        )
    ),
    Spec(
        "sla_working_hours",
        Group.COMPLAINTS,
        N_("Count working hours only"),
        Kind.SWITCH,
        hint=N_("Off: every hour counts. On: only the working hours below, on working days."),
    ),
    Spec("work_start", Group.COMPLAINTS, N_("Working hours from"), Kind.TIME),
    Spec("work_end", Group.COMPLAINTS, N_("Working hours until"), Kind.TIME),
    Spec(
        "tier_a_percent",
        Group.LEVELS,
        N_("Level A: top % of customers by revenue"),
        Kind.NUMBER,
        0,
        100,
        N_("Of the customers who ordered, by revenue of the last 12 months. A level set by hand is kept."),
    ),
    Spec(
        "tier_b_percent", Group.LEVELS, N_("Level B: the next %"), Kind.NUMBER, 0, 100, N_("The rest are C.")
    ),
)
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}


def defaults() -> WorkspaceSettings:
    return WorkspaceSettings()


def _decoded(stored: Mapping[str, str]) -> dict[str, Any]:
    known = {f.name for f in dataclasses.fields(WorkspaceSettings)}
    values: dict[str, Any] = {}
    for key, raw in stored.items():
        if key in known:
            try:
                values[key] = json.loads(raw)
            except ValueError:
                continue  # a damaged value falls back to its default rather than breaking every request
    return values


def load(env: Env, workspace_id: str) -> WorkspaceSettings:
    with env.db.connection() as connection:
        return load_in(connection, workspace_id)


def load_in(connection: Session | sa.Connection, workspace_id: str) -> WorkspaceSettings:
    """The settings, read inside a transaction the caller already has open."""
    return from_stored(settings_store.load_settings(session=connection, workspace_id=workspace_id))


def from_stored(stored: Mapping[str, str]) -> WorkspaceSettings:
    """The settings from their stored JSON texts (keys never set take their defaults)."""
    return dataclasses.replace(WorkspaceSettings(), **_decoded(stored))


def _number(spec: Spec, value: Any) -> int:
    text = str(value if value is not None else "").strip().replace(",", "")
    if not text.isdigit() or not spec.low <= int(text) <= spec.high:
        raise InvalidInput(
            N_("Enter a whole number from %(low)s to %(high)s."), field=spec.key, low=spec.low, high=spec.high
        )
    return int(text)


def _time_of_day(spec: Spec, value: Any) -> str:
    try:
        return time.fromisoformat(str(value or "")).strftime("%H:%M")
    except ValueError:
        raise InvalidInput(N_("Choose a time of day, such as 09:00."), field=spec.key) from None


def _country(spec: Spec, value: Any) -> str:
    if str(value or "") not in COUNTRIES:
        raise InvalidInput(N_("Choose a country from the list."), field=spec.key)
    return str(value)


def _typed(spec: Spec, value: Any) -> Any:
    if spec.kind is Kind.NUMBER:
        return _number(spec, value)
    if spec.kind is Kind.SWITCH:
        return bool(value)
    if spec.kind is Kind.TIME:
        return _time_of_day(spec, value)
    if spec.kind is Kind.COUNTRY:
        return _country(spec, value)
    return str(value) if value else None


def validate(answers: Mapping[str, Any], current: WorkspaceSettings) -> WorkspaceSettings:
    """The settings as answered; InvalidInput names the first field that is wrong."""
    typed = {key: _typed(SPEC_BY_KEY[key], value) for key, value in answers.items() if key in SPEC_BY_KEY}
    proposed = dataclasses.replace(current, **typed)
    shortest = min(proposed.recycle_days_a, proposed.recycle_days_b, proposed.recycle_days_c)
    if proposed.warning_days >= shortest:
        raise InvalidInput(
            N_("The warning must come before the recycle: fewer days than the shortest period (%(days)s)."),
            field="warning_days",
            days=shortest,
        )
    _check_complaint_hours(proposed)
    if proposed.tier_a_percent + proposed.tier_b_percent > 100:
        raise InvalidInput(N_("Levels A and B together cannot be more than 100 %."), field="tier_b_percent")
    return proposed


def _check_complaint_hours(proposed: WorkspaceSettings) -> None:
    for severity in ("urgent", "high", "medium", "low"):
        respond, resolve = proposed.sla_hours(severity)
        if respond > resolve:
            raise InvalidInput(
                N_("The time to respond cannot be longer than the time to resolve (%(hours)s h)."),
                field=f"sla_{severity}_respond",
                hours=resolve,
            )
    if time.fromisoformat(proposed.work_end) <= time.fromisoformat(proposed.work_start):
        raise InvalidInput(N_("Working hours must end after they start."), field="work_end")


@dataclass(frozen=True)
class SettingChange:
    key: str
    old: Any
    new: Any


def changes_between(old: WorkspaceSettings, new: WorkspaceSettings) -> list[SettingChange]:
    return [
        SettingChange(spec.key, getattr(old, spec.key), getattr(new, spec.key))
        for spec in SPECS
        if getattr(old, spec.key) != getattr(new, spec.key)
    ]


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise NotAllowed(N_("Only admins can change the settings."))


def save(env: Env, actor: Actor, answers: Mapping[str, Any]) -> list[SettingChange]:
    """Validate and store what changed, each change logged; all or nothing."""
    require_admin(actor)
    ws = actor.workspace_id
    now = env.clock.now()
    with env.db.session() as session:
        stored = settings_store.load_settings(session=session, workspace_id=ws)
        current = dataclasses.replace(WorkspaceSettings(), **_decoded(stored))
        changes = changes_between(current, validate(answers, current))
        for change in changes:
            saved = settings_store.save_setting(
                session=session,
                workspace_id=ws,
                key=change.key,
                stored_value=stored.get(change.key),
                old_value=json.dumps(change.old),
                new_value=json.dumps(change.new),
                changed_by=actor.user_id,
                at=now,
            )
            if not saved:
                raise InvalidInput(
                    N_("Someone else changed this setting a moment ago. Close the form and open it again."),
                    field=change.key,
                )
    return changes


@dataclass(frozen=True)
class LoggedChange:
    key: str
    old: Any
    new: Any
    changed_by: str
    changed_at: datetime


def recent_changes(env: Env, actor: Actor, limit: int = RECENT_CHANGES) -> Sequence[LoggedChange]:
    with env.db.session() as session:
        rows = settings_store.recent_changes(session=session, workspace_id=actor.workspace_id, limit=limit)
    return [
        LoggedChange(
            row.key, json.loads(row.old_value), json.loads(row.new_value), row.changed_by, row.changed_at
        )
        for row in rows
    ]
