"""The workspace's opportunity stages, edited by an admin (`/crm stages`): each stage's name,
probability, the days it may sit idle before its owner is reminded, and the order of the open ones; a
new open stage; open stages retired. Every opportunity's history keeps naming its stages: a stage is
renamed or retired in place, never deleted, and its id never changes. Each change is kept (who, when,
before → after) with the settings' changes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.env import Env
from bot.errors import Checks, InvalidInput
from bot.i18n import N_, SUPPORTED, lang
from bot.rules import opportunities as rules
from bot.services.opportunities import stages_in
from bot.services.people import Actor
from bot.services.settings import require_admin
from store import opportunities as store
from store.models import Opportunity, OpportunityStage, SettingChange

NAME_LIMIT = 80
MOST_STAGES = 12  # open ones: the card's menu and the funnel stay readable


@dataclass(frozen=True)
class StageEdit:
    """One stage's fields as the form holds them (text as typed)."""

    stage_id: int
    name: str
    probability: str
    idle_days: str = ""  # open stages only
    position: str = ""  # open stages only
    retire: bool = False


@dataclass(frozen=True)
class NewStage:
    name: str
    probability: str
    idle_days: str = ""


def default_names(key: str) -> set[str]:
    """A default stage's name in every language the bot speaks."""
    text = rules.STAGE_NAMES.get(key)
    return {lang(locale).gettext(text) for locale in SUPPORTED} if text else set()


def save_stages(
    env: Env,
    actor: Actor,
    edits: Sequence[StageEdit],
    new: NewStage | None,
) -> int:
    """Write the edits (and the new stage) if every field is right; how many stages changed. A default
    stage's name typed back in any language keeps it the default, named in each reader's language."""
    require_admin(actor)
    with env.db.session() as session:
        stages = {
            stage.id: stage for stage in stages_in(session, actor.workspace_id) if stage.retired_at is None
        }
        adding = new is not None and bool(new.name.strip())
        wanted = _in_order(_checked(edits, new, stages), stages, adding=adding)
        _require_none_open_in(session, actor.workspace_id, [edit.stage_id for edit in edits if edit.retire])
        changed = 0
        for stage_id, values in wanted.items():
            stage = stages[stage_id]
            if values.pop("retire", False):
                values["retired_at"] = env.clock.now()
            before = {name: getattr(stage, name) for name in values}
            if before != values:
                _record(session, env, actor, f"stage.{stage_id}", before, values)
                for name, value in values.items():
                    setattr(stage, name, value)
                changed += 1
        if new is not None and adding:
            changed += _add(session, env, actor, new, stages, position=_new_position(wanted, stages))
        return changed


def _in_order(
    wanted: dict[int, dict[str, object]], stages: dict[int, OpportunityStage], *, adding: bool
) -> dict[int, dict[str, object]]:
    """The open stages numbered 1, 2, … in the order asked (ties in their old order), a new one after
    them, then the won and the lost stages."""

    def asked(stage_id: int) -> tuple[int, int]:
        return int(str(wanted.get(stage_id, {}).get("position", stages[stage_id].position))), stages[
            stage_id
        ].position

    opened = [
        sid
        for sid, stage in stages.items()
        if stage.outcome == rules.OPEN and not wanted.get(sid, {}).get("retire")
    ]
    for place, stage_id in enumerate(sorted(opened, key=asked), start=1):
        wanted.setdefault(stage_id, {})["position"] = place
    closed = sorted((s for s in stages.values() if s.outcome != rules.OPEN), key=lambda s: s.position)
    for place, stage in enumerate(closed, start=len(opened) + (2 if adding else 1)):
        wanted.setdefault(stage.id, {})["position"] = place
    return wanted


def _new_position(wanted: dict[int, dict[str, object]], stages: dict[int, OpportunityStage]) -> int:
    opened = [
        sid
        for sid, stage in stages.items()
        if stage.outcome == rules.OPEN and not wanted[sid].get("retired_at")
    ]
    return len(opened) + 1


def _checked(
    edits: Sequence[StageEdit],
    new: NewStage | None,
    stages: dict[int, OpportunityStage],
) -> dict[int, dict[str, object]]:
    """Each stage's new values; every wrong field flagged at once."""
    checks = Checks()
    wanted: dict[int, dict[str, object]] = {}
    for edit in edits:
        stage = stages.get(edit.stage_id)
        if stage is None:
            continue  # retired meanwhile: nothing to edit
        with checks.field():
            wanted[edit.stage_id] = _values(edit, stage)
    with checks.field():
        _check_names(wanted, stages, new)
    with checks.field():
        _check_open_left(edits, stages)
    if new is not None and new.name.strip():
        with checks.field():
            _number(new.probability, "new_probability", 0, 100)
    checks.done()
    return wanted


def _values(edit: StageEdit, stage: OpportunityStage) -> dict[str, object]:
    name = " ".join(edit.name.split())
    if not name:
        raise InvalidInput(N_("Give the stage a name."), field=f"stage_name_{stage.id}")
    if len(name) > NAME_LIMIT:
        raise InvalidInput(N_("This is too long: at most %(limit)s characters."), field=f"stage_name_{stage.id}",
                           limit=NAME_LIMIT)  # fmt: skip
    values: dict[str, object] = {
        "name": "" if stage.key and name in default_names(stage.key) else name,
        "probability": _number(edit.probability, f"stage_probability_{stage.id}", 0, 100),
    }
    if stage.outcome == rules.OPEN:
        values["idle_days"] = _number(edit.idle_days or "0", f"stage_idle_{stage.id}", 0, 365)
        values["position"] = _number(edit.position, f"stage_position_{stage.id}", 1, MOST_STAGES)
        values["retire"] = edit.retire
    return values


def _number(text: str, field: str, low: int, high: int) -> int:
    cleaned = text.strip().rstrip("%").strip()
    if not cleaned.isdigit() or not low <= int(cleaned) <= high:
        raise InvalidInput(N_("A whole number from %(low)s to %(high)s."), field=field, low=low, high=high)
    return int(cleaned)


def _check_names(
    wanted: dict[int, dict[str, object]], stages: dict[int, OpportunityStage], new: NewStage | None
) -> None:
    names = [str(values["name"]) or stages[stage_id].key for stage_id, values in wanted.items()]
    if new is not None and new.name.strip():
        names.append(" ".join(new.name.split()))
    if len({name.casefold() for name in names}) != len(names):
        raise InvalidInput(N_("Two stages have the same name."))


def _check_open_left(edits: Sequence[StageEdit], stages: dict[int, OpportunityStage]) -> None:
    retired = {edit.stage_id for edit in edits if edit.retire}
    if not [stage for stage in stages.values() if stage.outcome == rules.OPEN and stage.id not in retired]:
        raise InvalidInput(N_("Keep at least one open stage."))


def _require_none_open_in(session: Session, workspace_id: str, stage_ids: list[int]) -> None:
    if not stage_ids:
        return
    still = session.scalar(
        sa.select(sa.func.count()).where(
            col(Opportunity.workspace_id) == workspace_id, col(Opportunity.stage_id).in_(stage_ids),
            col(Opportunity.closed_at).is_(None),
        )
    )  # fmt: skip
    if still:
        raise InvalidInput(
            N_("%(count)s open opportunities are in the stages you retire: move them first."), count=still
        )


def _record(
    session: Session, env: Env, actor: Actor, key: str, before: dict[str, object], after: dict[str, object]
) -> None:
    now = env.clock.now()
    session.add(
        SettingChange(
            workspace_id=actor.workspace_id, key=key, old_value=json.dumps(before, default=str, ensure_ascii=False),
            new_value=json.dumps(after, default=str, ensure_ascii=False), changed_by=actor.user_id, changed_at=now,
        )
    )  # fmt: skip


def _add(
    session: Session,
    env: Env,
    actor: Actor,
    new: NewStage,
    stages: dict[int, OpportunityStage],
    *,
    position: int,
) -> int:
    opened = [stage for stage in stages.values() if stage.outcome == rules.OPEN]
    if len(opened) >= MOST_STAGES:
        raise InvalidInput(N_("At most %(count)s open stages."), count=MOST_STAGES)
    number = store.next_number(session, workspace_id=actor.workspace_id, name=store.STAGE_NUMBERS)
    stage = OpportunityStage(
        workspace_id=actor.workspace_id, id=number, name=" ".join(new.name.split())[:NAME_LIMIT],
        position=position,
        probability=_number(new.probability, "new_probability", 0, 100),
        outcome=rules.OPEN, idle_days=_number(new.idle_days or "0", "new_idle", 0, 365),
    )  # fmt: skip
    session.add(stage)
    _record(
        session, env, actor, f"stage.{number}", {}, {"name": stage.name, "probability": stage.probability}
    )
    return 1
