"""Requests for a manager's approval: the one waiting for a customer, and the decision, taken once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import EXTENSION_PENDING, ApprovalRequest


def pending(*, session: Session, workspace_id: str, customer_id: int) -> ApprovalRequest | None:
    return session.exec(
        select(ApprovalRequest).where(
            col(ApprovalRequest.workspace_id) == workspace_id,
            col(ApprovalRequest.customer_id) == customer_id,
            col(ApprovalRequest.status) == EXTENSION_PENDING,
        )
    ).first()


def get(*, session: Session, workspace_id: str, request_id: int) -> ApprovalRequest | None:
    request = session.get(ApprovalRequest, request_id)
    return request if request is not None and request.workspace_id == workspace_id else None


def decide(*, session: Session, request_id: int, status: str, decided_by: str, now: datetime) -> bool:
    """Record the decision unless someone decided first (a conditional UPDATE): of two managers
    pressing at once, one decides."""
    result = session.execute(
        sa.update(ApprovalRequest)
        .where(col(ApprovalRequest.id) == request_id, col(ApprovalRequest.status) == EXTENSION_PENDING)
        .values(status=status, decided_by=decided_by, decided_at=now)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
