"""The complaint rules speak the stored statuses."""

from __future__ import annotations

from bot.rules import complaints as rules
from store import models


def test_the_rules_statuses_are_the_stored_ones():
    assert (rules.OPEN, rules.ACKNOWLEDGED, rules.RESOLVED, rules.CLOSED, rules.REOPENED) == (
        models.COMPLAINT_OPEN,
        models.COMPLAINT_ACKNOWLEDGED,
        models.COMPLAINT_RESOLVED,
        models.COMPLAINT_CLOSED,
        models.COMPLAINT_REOPENED,
    )
    assert rules.UNRESOLVED == models.COMPLAINT_UNRESOLVED
