"""Who may act on a customer, and who may see its contact details (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Standing:
    """Where a person stands relative to one customer."""

    actor_id: str
    actor_is_admin: bool
    actor_is_manager: bool
    owner_id: str | None
    owner_manager_id: str | None

    @property
    def is_owner(self) -> bool:
        return self.owner_id is not None and self.owner_id == self.actor_id

    @property
    def manages_owner(self) -> bool:
        return self.actor_is_manager and self.owner_id is not None and self.owner_manager_id == self.actor_id


def may_work_on(standing: Standing) -> bool:
    """Log visits and orders: the owner, the owner's manager, or an admin (pool customers: admins)."""
    return standing.actor_is_admin or standing.is_owner or standing.manages_owner


def may_edit(standing: Standing) -> bool:
    """Correct a customer's details: as for logging visits (pool customers: admins)."""
    return may_work_on(standing)


def may_see_contact(standing: Standing) -> bool:
    """Phone and email: the owner, the owner's manager and admins only."""
    return may_work_on(standing)


def may_lock(standing: Standing) -> bool:
    """Lock against the recycle: the owner's manager (or a manager who owns it) and admins."""
    if standing.owner_id is None:
        return False
    return (
        standing.actor_is_admin or standing.manages_owner or (standing.actor_is_manager and standing.is_owner)
    )


CORRECTION_DAYS = 7  # how long the author of a visit or an order may correct or delete it


def may_correct(standing: Standing, *, author_id: str, logged_at: datetime, now: datetime) -> bool:
    """Correct or delete a visit or an order: its author within 7 days of logging it; the owner's
    manager and admins at any time."""
    if standing.actor_is_admin or standing.manages_owner:
        return True
    return author_id == standing.actor_id and now - logged_at <= timedelta(days=CORRECTION_DAYS)


def may_merge(standing: Standing) -> bool:
    """Merge duplicates: admins; a manager for customers of their team or their own (pool: admins)."""
    if standing.actor_is_admin:
        return True
    return standing.actor_is_manager and (standing.manages_owner or standing.is_owner)
