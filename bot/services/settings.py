"""The settings store: a workspace's rules, their validation, and every change with who and when.

Each setting is described once (`SPECS`, in bot/services/settings_specs.py) and the `/crm settings`
answers are validated against them here. Stored values are JSON; a key never set takes the default
of `WorkspaceSettings`. Changing a rule changes what happens from then on: history (ownership moves,
past recycles) is never rewritten.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from bot.env import Env
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import N_
from bot.services import freshness
from bot.services.people import Actor
from bot.services.settings_specs import COUNTRIES as COUNTRIES
from bot.services.settings_specs import SPEC_BY_KEY as SPEC_BY_KEY
from bot.services.settings_specs import SPECS as SPECS
from bot.services.settings_specs import Group as Group
from bot.services.settings_specs import Kind as Kind
from bot.services.settings_specs import Spec as Spec
from bot.services.settings_specs import WorkspaceSettings as WorkspaceSettings
from bot.services.settings_specs import defaults as defaults
from store import settings as settings_store
from store.models import SettingChange as ChangeRow

RECENT_CHANGES = 5


def _decoded(stored: Mapping[str, str]) -> dict[str, Any]:
    known = {f.name for f in dataclasses.fields(WorkspaceSettings)}
    return {key: json.loads(raw) for key, raw in stored.items() if key in known and _readable(raw)}


def _readable(raw: str) -> bool:
    """A damaged value falls back to its default rather than breaking every request."""
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True


def load(env: Env, workspace_id: str) -> WorkspaceSettings:
    """The workspace's settings, kept in the process while its version holds (bot/services/freshness.py)."""
    kept = _KEPT.get_or_read(env, workspace_id, workspace_id, lambda: _read(env, workspace_id))
    assert kept is not None  # `_read` always finds settings (the defaults at least)
    return kept


_KEPT = freshness.Kept("settings")


def _read(env: Env, workspace_id: str) -> WorkspaceSettings:
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
    checked = _CHECKED.get(spec.kind)
    if checked is not None:
        return checked(spec, value)
    if spec.kind is Kind.SWITCH:
        return bool(value)
    return str(value) if value else None


_CHECKED: dict[Kind, Callable[[Spec, Any], Any]] = {
    Kind.NUMBER: _number,
    Kind.TIME: _time_of_day,
    Kind.COUNTRY: _country,
}


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
    return [_logged(row) for row in rows]


def _logged(row: ChangeRow) -> LoggedChange:
    return LoggedChange(
        row.key, json.loads(row.old_value), json.loads(row.new_value), row.changed_by, row.changed_at
    )
