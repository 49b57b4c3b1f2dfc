"""Every table of the CRM, one module per feature. Each row carries the Slack workspace id; no query
crosses workspaces. Importing this package registers every table (alembic's env relies on it)."""

from __future__ import annotations

from store.models.churn import ChurnChange, ChurnState
from store.models.complaints import (
    COMPLAINT_ACKNOWLEDGED,
    COMPLAINT_CATEGORIES,
    COMPLAINT_CHANNELS,
    COMPLAINT_CLOSED,
    COMPLAINT_OPEN,
    COMPLAINT_REOPENED,
    COMPLAINT_RESOLVED,
    COMPLAINT_SEVERITIES,
    COMPLAINT_UNRESOLVED,
    Complaint,
    ComplaintEvent,
)
from store.models.contacts import Contact
from store.models.customers import (
    LEVELS,
    LOSING_MOVES,
    MOVE_ASSIGN,
    MOVE_CLAIM,
    MOVE_EXTEND,
    MOVE_LEVEL,
    MOVE_LOCK,
    MOVE_LOST,
    MOVE_RECYCLE,
    MOVE_RELEASE,
    MOVE_SNOOZE,
    MOVE_UNDO,
    MOVE_UNLOCK,
    MOVE_UNLOST,
    MOVES,
    STAGES,
    Customer,
    CustomerChange,
    CustomerTerm,
    OwnershipEvent,
)
from store.models.installations import BOTS, INSTALLATIONS, STATES
from store.models.marks import JobMark, RequestMark
from store.models.orders import Order
from store.models.outbox import OutboxFile, OutboxImage, OutboxMessage
from store.models.people import ROLE_ADMIN, ROLE_MANAGER, ROLE_REP, ROLES, Person
from store.models.pool import Announcement, AnnouncementRow
from store.models.recycle import (
    APPROVAL_KINDS,
    APPROVAL_LEVEL,
    APPROVAL_LOST,
    APPROVAL_RELEASE,
    EXTENSION_APPROVED,
    EXTENSION_DECLINED,
    EXTENSION_PENDING,
    ApprovalRequest,
    ExtensionRequest,
)
from store.models.reports import HomeChart, WeeklyStanding
from store.models.settings import SettingChange, WorkspaceSetting
from store.models.visits import VISIT_KINDS, Visit
from store.models.workers import JobRun, JobRunCount, WorkerLease
from store.models.workspaces import Workspace

__all__ = [
    "APPROVAL_KINDS",
    "APPROVAL_LEVEL",
    "APPROVAL_LOST",
    "APPROVAL_RELEASE",
    "Announcement",
    "ApprovalRequest",
    "Contact",
    "AnnouncementRow",
    "COMPLAINT_ACKNOWLEDGED",
    "COMPLAINT_CATEGORIES",
    "COMPLAINT_CHANNELS",
    "COMPLAINT_CLOSED",
    "COMPLAINT_OPEN",
    "COMPLAINT_REOPENED",
    "COMPLAINT_RESOLVED",
    "COMPLAINT_SEVERITIES",
    "COMPLAINT_UNRESOLVED",
    "ChurnChange",
    "ChurnState",
    "Complaint",
    "ComplaintEvent",
    "Customer",
    "CustomerChange",
    "CustomerTerm",
    "EXTENSION_APPROVED",
    "EXTENSION_DECLINED",
    "EXTENSION_PENDING",
    "ExtensionRequest",
    "JobMark",
    "JobRun",
    "JobRunCount",
    "LEVELS",
    "LOSING_MOVES",
    "MOVES",
    "MOVE_ASSIGN",
    "MOVE_CLAIM",
    "MOVE_EXTEND",
    "MOVE_LEVEL",
    "MOVE_LOCK",
    "MOVE_LOST",
    "MOVE_RECYCLE",
    "MOVE_RELEASE",
    "MOVE_SNOOZE",
    "MOVE_UNLOCK",
    "MOVE_UNDO",
    "MOVE_UNLOST",
    "BOTS",
    "HomeChart",
    "INSTALLATIONS",
    "Order",
    "OutboxFile",
    "OutboxImage",
    "OutboxMessage",
    "OwnershipEvent",
    "Person",
    "ROLES",
    "ROLE_ADMIN",
    "ROLE_MANAGER",
    "ROLE_REP",
    "RequestMark",
    "STAGES",
    "STATES",
    "SettingChange",
    "VISIT_KINDS",
    "Visit",
    "WeeklyStanding",
    "WorkerLease",
    "Workspace",
    "WorkspaceSetting",
]
