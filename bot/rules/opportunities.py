"""Opportunities' rules (pure): the default stages, the way forward through them, the weighted amount,
and the checks of what a person types for one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.i18n import N_

OPEN, WON, LOST = "open", "won", "lost"


@dataclass(frozen=True)
class DefaultStage:
    key: str
    probability: int
    outcome: str
    idle_days: int = 0  # longer in the stage and its owner is reminded; 0: never


# The stages a workspace starts with (Chinese CRMs' words: 验证客户、需求确定、方案报价、谈判审核、赢单、输单).
DEFAULT_STAGES = (
    DefaultStage("qualify", 10, OPEN, idle_days=30),
    DefaultStage("needs_analysis", 20, OPEN, idle_days=21),
    DefaultStage("proposal", 40, OPEN, idle_days=14),
    DefaultStage("negotiation", 70, OPEN, idle_days=10),
    DefaultStage("won", 100, WON),
    DefaultStage("lost", 0, LOST),
)

# The default stages' names until a workspace renames them (Chinese CRMs' words in the catalog).
STAGE_NAMES = {
    "qualify": N_("Qualify"),
    "needs_analysis": N_("Needs analysis"),
    "proposal": N_("Proposal"),
    "negotiation": N_("Negotiation"),
    "won": N_("Won"),
    "lost": N_("Lost"),
}

LOST_REASON_KEYS = ("price", "competitor", "no_budget", "no_decision", "timing", "other")

TITLE_LIMIT = 200
WORDS_LIMIT = 500  # products, next step, the words with a lost reason
CLOSE_HORIZON = timedelta(days=3 * 366)  # a close date further out is a typo
SNOOZE_DAYS = (3, 7)  # the reminder's snooze buttons


@dataclass(frozen=True)
class Stage:
    """A stage as the rules need it: its id, place in the order, default probability and outcome."""

    id: int
    position: int
    probability: int
    outcome: str


def next_open_stage(stages: Sequence[Stage], current_id: int) -> Stage | None:
    """The open stage after `current_id` in the workspace's order; None from the last open one (its
    next step is *Won*) or from a closed stage."""
    ordered = sorted((stage for stage in stages if stage.outcome == OPEN), key=lambda stage: stage.position)
    ids = [stage.id for stage in ordered]
    if current_id not in ids:
        return None
    place = ids.index(current_id)
    return ordered[place + 1] if place + 1 < len(ordered) else None


def first_open_stage(stages: Sequence[Stage]) -> Stage | None:
    opened = [stage for stage in stages if stage.outcome == OPEN]
    return min(opened, key=lambda stage: stage.position, default=None)


def stage_of_outcome(stages: Sequence[Stage], outcome: str) -> Stage | None:
    return next(
        (stage for stage in sorted(stages, key=lambda s: s.position) if stage.outcome == outcome), None
    )


def weighted_minor(amount_minor: int, probability: int) -> int:
    """The amount times the probability, rounded half up to the minor unit."""
    return (amount_minor * probability + 50) // 100


def probability_problem(text: str) -> str | None:
    """Why the typed probability is not a whole percent from 0 to 100 ("not_a_number", "out_of_range"),
    or None when it is."""
    cleaned = text.strip().rstrip("%").strip()
    if not cleaned.isdigit():
        return "not_a_number"
    return None if 0 <= int(cleaned) <= 100 else "out_of_range"


def close_date_problem(close_on: date, today: date, *, new: bool) -> str | None:
    """A new opportunity's close date is today or later ("in_the_past"); any is within the horizon
    ("too_far"). An existing one may be past its date: it slipped, and says so."""
    if new and close_on < today:
        return "in_the_past"
    if close_on > today + CLOSE_HORIZON:
        return "too_far"
    return None
