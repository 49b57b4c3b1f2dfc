"""Every table of the CRM. Each row carries the Slack workspace id; no query crosses workspaces."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.types import SearchTerm, UTCDateTime

ROLE_REP = "rep"
ROLE_MANAGER = "manager"
ROLE_ADMIN = "admin"
ROLES = (ROLE_REP, ROLE_MANAGER, ROLE_ADMIN)

LEVELS = ("A", "B", "C")
STAGES = ("prospect", "new", "active", "at_risk", "dormant", "won_back", "lost")
VISIT_KINDS = ("call", "on_site", "email", "message", "meeting")

# Moves written to the ownership history. Claim, release, recycle and assign change the owner;
# lock and unlock only protect the customer from the nightly recycle.
MOVE_CLAIM = "claim"
MOVE_RELEASE = "release"
MOVE_RECYCLE = "recycle"
MOVE_ASSIGN = "assign"
MOVE_LOCK = "lock"
MOVE_UNLOCK = "unlock"
# Not moves of the owner but kept in the same history, shown on the card: an extension of the recycle
# clock (granted by a manager or admin) and a snoozed follow-up.
MOVE_EXTEND = "extend"
MOVE_SNOOZE = "snooze"
# Value and lifecycle, in the same history: a level set by hand, cleared, or computed by the `tiers`
# job (reason: from → to, e.g. "B>A"), and a customer marked lost (or back from lost by an order).
MOVE_LEVEL = "level"
MOVE_LOST = "lost"
MOVE_UNLOST = "unlost"
MOVES = (
    MOVE_CLAIM,
    MOVE_RELEASE,
    MOVE_RECYCLE,
    MOVE_ASSIGN,
    MOVE_LOCK,
    MOVE_UNLOCK,
    MOVE_EXTEND,
    MOVE_SNOOZE,
    MOVE_LEVEL,
    MOVE_LOST,
    MOVE_UNLOST,
)
# Moves that take a customer away from its owner: the previous-owner cooldown runs from these.
LOSING_MOVES = (MOVE_RELEASE, MOVE_RECYCLE, MOVE_ASSIGN)


_IN_POOL = sa.text("owner_id IS NULL")
_OWNED = sa.text("owner_id IS NOT NULL")
_OWNED_UNDEALT = sa.text("owner_id IS NOT NULL AND dealt_at IS NULL")
_EXTENDED = sa.text("recycle_extended_until IS NOT NULL")


def _utc_column(*, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(UTCDateTime(), nullable=nullable)


class Workspace(SQLModel, table=True):
    """A Slack workspace (team) and its own choices."""

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(default="", max_length=200)
    locale: str | None = Field(default=None, max_length=16)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    country: str = Field(default="CN", max_length=2)
    currency: str = Field(default="CNY", max_length=3)
    # Of the customers who ordered in the 12 months before last, the share who ordered again in the
    # last 12 (the `tiers` job, nightly), and how many that share is of: the lifetime value's horizon.
    retention_percent: int | None = None
    retention_base: int = 0
    # False once Slack says the app was uninstalled or its bot token revoked: the workspace's jobs are
    # skipped and its queued messages wait; its next request (after a reinstall) makes it active again.
    active: bool = Field(
        default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    )
    inactive_since: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    created_at: datetime = Field(sa_column=_utc_column())


class Person(SQLModel, table=True):
    """Someone the bot has met in a workspace: a rep, a manager (with a team) or an admin."""

    __table_args__ = (
        sa.Index("ix_person_manager", "workspace_id", "manager_id"),
        sa.Index("ix_person_email", "workspace_id", "email"),  # imports name owners by e-mail
    )

    workspace_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    name: str = Field(default="", max_length=200)
    role: str = Field(default=ROLE_REP, max_length=16)
    manager_id: str | None = Field(default=None, max_length=32)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    email: str | None = Field(default=None, max_length=254)  # from users.info (users:read.email)
    slack_locale: str | None = Field(default=None, max_length=16)
    chosen_locale: str | None = Field(default=None, max_length=16)
    is_slack_admin: bool = False
    is_guest: bool = False
    is_deleted: bool = False
    # When Slack's profile was last asked for, and whether it answered (else workspace defaults apply).
    profile_checked_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    profile_synced: bool = False
    # The daily claim counter: claims made on `claims_day` (the person's own day). Claims update it
    # with a conditional UPDATE, which also serializes one person's concurrent claims in the database.
    claims_day: date | None = None
    claims_on_day: int = 0
    created_at: datetime = Field(sa_column=_utc_column())


class Customer(SQLModel, table=True):
    """A company or person we sell to. No owner means the customer is in the pool."""

    __table_args__ = (
        sa.Index("ix_customer_name_key", "workspace_id", "name_key"),
        sa.Index("ix_customer_phone_key", "workspace_id", "phone_key"),
        # Owned customers only (WHERE owner_id IS NOT NULL): otherwise SQLite would take "owner_id IS
        # NULL" for one more owner and pick these to read the pool, then sort half the table.
        sa.Index(
            "ix_customer_owner_follow_up",
            "workspace_id",
            "owner_id",
            "next_follow_up",
            sqlite_where=_OWNED,
            postgresql_where=_OWNED,
        ),
        # The pool, newest arrivals first, and its level filter. Partial indexes (WHERE owner_id IS NULL):
        # PostgreSQL does not treat `owner_id IS NULL` as an equality, so an index led by owner_id
        # would not give it the pool_since order and it would sort the whole pool instead.
        sa.Index(
            "ix_customer_pool",
            "workspace_id",
            "pool_since",
            "id",
            sqlite_where=_IN_POOL,
            postgresql_where=_IN_POOL,
        ),
        sa.Index(
            "ix_customer_pool_level",
            "workspace_id",
            "level",
            "pool_since",
            "id",
            sqlite_where=_IN_POOL,
            postgresql_where=_IN_POOL,
        ),
        # A rep's holding (customers who ordered may not count) without reading the rows.
        sa.Index(
            "ix_customer_owner_dealt",
            "workspace_id",
            "owner_id",
            "dealt_at",
            sqlite_where=_OWNED,
            postgresql_where=_OWNED,
        ),
        # The nightly recycle, one level at a time (SQLite ignores an index when the levels' conditions
        # are OR-ed in one statement): customers who never ordered, the default; and every owned
        # customer, for workspaces where customers who ordered are recycled too.
        sa.Index(
            "ix_customer_recycle_undealt",
            "workspace_id",
            "level",
            "recycle_clock_from",
            sqlite_where=_OWNED_UNDEALT,
            postgresql_where=_OWNED_UNDEALT,
        ),
        sa.Index(
            "ix_customer_recycle_owned",
            "workspace_id",
            "level",
            "recycle_clock_from",
            sqlite_where=_OWNED,
            postgresql_where=_OWNED,
        ),
        # No first order within N days of the claim.
        sa.Index(
            "ix_customer_first_order_due",
            "workspace_id",
            "owned_since",
            sqlite_where=_OWNED_UNDEALT,
            postgresql_where=_OWNED_UNDEALT,
        ),
        # Extensions ending in the warning window (few rows: only customers a manager extended).
        sa.Index(
            "ix_customer_extended",
            "workspace_id",
            "recycle_extended_until",
            sqlite_where=_EXTENDED,
            postgresql_where=_EXTENDED,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    name: str = Field(max_length=150)
    name_key: str = Field(sa_column=sa.Column(SearchTerm, nullable=False))
    contact_person: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=40)
    phone_key: str | None = Field(default=None, max_length=32)
    email: str = Field(default="", max_length=254)
    region: str = Field(default="", max_length=60)
    industry: str = Field(default="", max_length=60)
    products: str = Field(default="", max_length=300)
    tags: str = Field(default="", max_length=300)
    source: str = Field(default="", max_length=60)
    level: str = Field(default="C", max_length=1)
    level_by_hand: bool = False  # kept until cleared; the `tiers` job computes the others
    stage: str = Field(default="prospect", max_length=16)
    stage_since: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    # Marked lost by the owner or a manager (with a reason); a new order undoes it.
    lost_reason: str = Field(default="", max_length=300)
    lost_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    owner_id: str | None = Field(default=None, max_length=32)
    owned_since: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    # When the customer last entered the pool (None while owned).
    pool_since: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    # A lock (set by a manager or admin) keeps the customer from the nightly recycle.
    locked_by: str | None = Field(default=None, max_length=32)
    locked_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    # The no-visit recycle clock runs from here: the later of owned-since and the start of the last
    # visit's day in the visitor's zone. Kept on the row so the nightly recycle is one index range.
    recycle_clock_from: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    # An extension granted by a manager: no recycle before this instant.
    recycle_extended_until: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    # Who owned the customer before it last went back to the pool (set in the same UPDATE).
    previous_owner_id: str | None = Field(default=None, max_length=32)
    last_visit_on: date | None = None
    next_follow_up: date | None = None
    dealt_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    # Order facts kept on the row for the churn signals (usual gap = span / (orders - 1)).
    first_order_on: date | None = None
    last_order_on: date | None = None
    order_count: int = 0
    # The satisfaction of the latest visit that recorded one (a churn signal when low).
    last_satisfaction: int | None = None
    last_satisfaction_on: date | None = None
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=_utc_column())
    updated_at: datetime = Field(sa_column=_utc_column())


class CustomerTerm(SQLModel, table=True):
    """Search terms of a customer's name: each Latin word, and every suffix of each Chinese run.

    A type-ahead query is then a prefix range over one index, never a scan of the customer table.
    """

    __tablename__ = "customer_term"
    __table_args__ = (sa.Index("ix_customer_term_lookup", "workspace_id", "term", "customer_id"),)

    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    )
    term: str = Field(sa_column=sa.Column(SearchTerm, primary_key=True))
    workspace_id: str = Field(max_length=32)


class Visit(SQLModel, table=True):
    """Any logged contact with a customer: call, on-site visit, email, message, meeting."""

    __table_args__ = (
        sa.Index("ix_visit_customer", "workspace_id", "customer_id", "visited_on"),
        sa.Index("ix_visit_author", "workspace_id", "author_id", "visited_on"),  # the digest's visits per rep
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(foreign_key="customer.id")
    author_id: str = Field(max_length=32)
    kind: str = Field(max_length=16)
    visited_on: date
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    satisfaction: int | None = None
    next_follow_up: date | None = None
    created_at: datetime = Field(sa_column=_utc_column())


class Order(SQLModel, table=True):
    """A purchase. Amounts are integers in the currency's minor unit (cents), exact on every engine."""

    __tablename__ = "customer_order"
    __table_args__ = (
        sa.Index("ix_order_customer", "workspace_id", "customer_id", "ordered_on"),
        # Spend of the last 180 days per customer (the churn signal) without touching older orders.
        sa.Index("ix_order_day", "workspace_id", "ordered_on", "customer_id", "amount_base_minor"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(foreign_key="customer.id")
    author_id: str = Field(max_length=32)
    amount_minor: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    currency: str = Field(max_length=3)
    # Units of the workspace currency per unit of `currency`, as typed (a decimal string).
    rate: str = Field(default="1", max_length=32)
    amount_base_minor: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    ordered_on: date
    product: str = Field(default="", max_length=200)
    created_at: datetime = Field(sa_column=_utc_column())


class OwnershipEvent(SQLModel, table=True):
    """One move in a customer's ownership history: who did what, when, from whom to whom, and why."""

    __tablename__ = "ownership_event"
    __table_args__ = (
        sa.Index("ix_ownership_event_customer", "workspace_id", "customer_id", "at"),
        sa.Index("ix_ownership_event_at", "workspace_id", "at"),  # the digest's pool in and out
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(max_length=16)
    actor_id: str | None = Field(default=None, max_length=32)  # None: the nightly recycle
    from_owner_id: str | None = Field(default=None, max_length=32)
    to_owner_id: str | None = Field(default=None, max_length=32)
    reason: str = Field(default="", max_length=32)
    note: str = Field(default="", max_length=500)
    # Snooze: the new follow-up day; extend: the last day before the recycle, and the days added.
    to_day: date | None = None
    days: int | None = None
    at: datetime = Field(sa_column=_utc_column())


class WorkspaceSetting(SQLModel, table=True):
    """One setting of a workspace, its value as JSON. Missing keys take the product's defaults."""

    __tablename__ = "workspace_setting"

    workspace_id: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    updated_by: str = Field(max_length=32)
    updated_at: datetime = Field(sa_column=_utc_column())


class SettingChange(SQLModel, table=True):
    """Every change of a setting: who, when, the value in force before -> the new value (JSON)."""

    __tablename__ = "setting_change"
    __table_args__ = (sa.Index("ix_setting_change_workspace", "workspace_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    key: str = Field(max_length=64)
    old_value: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    new_value: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    changed_by: str = Field(max_length=32)
    changed_at: datetime = Field(sa_column=_utc_column())


class Announcement(SQLModel, table=True):
    """A pool-channel message announcing a batch of customers back in the pool."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    ts: str | None = Field(default=None, max_length=32)  # set once Slack accepted the post
    locale: str = Field(default="en", max_length=16)
    created_at: datetime = Field(sa_column=_utc_column())


class AnnouncementRow(SQLModel, table=True):
    """One customer of an announcement, with what was true when it was released."""

    __tablename__ = "announcement_row"
    __table_args__ = (sa.Index("ix_announcement_row_customer", "customer_id", "announcement_id"),)

    announcement_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("announcement.id", ondelete="CASCADE"), primary_key=True)
    )
    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    )
    position: int
    move: str = Field(max_length=16)  # release or recycle
    reason: str = Field(default="", max_length=32)
    note: str = Field(default="", max_length=500)
    previous_owner_id: str | None = Field(default=None, max_length=32)
    released_at: datetime = Field(sa_column=_utc_column())


class OutboxMessage(SQLModel, table=True):
    """A message the bot sends on its own, kept until Slack has it (or refused it for good).

    The dedupe key (kind, recipient, subject, period) is unique per workspace: a job that runs twice,
    or a second worker, enqueues the same message once.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "dedupe_key", name="uq_outbox_dedupe"),
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    dedupe_key: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    channel: str = Field(max_length=32)  # a user id (a DM) or a channel id
    payload: str = Field(sa_column=sa.Column(sa.Text, nullable=False))  # the chat.postMessage arguments, JSON
    status: str = Field(default="pending", max_length=16)  # pending, sent, failed
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=_utc_column())
    last_error: str = Field(default="", max_length=200)
    ts: str | None = Field(default=None, max_length=32)
    # The conversation Slack posted it in (a DM's D… id for a user): what a later update or reply needs.
    posted_channel: str | None = Field(default=None, max_length=32)
    # One sender at a time: who took the message and until when (the clock at the taking + the lease).
    lease_owner: str | None = Field(default=None, max_length=32)
    leased_until: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    # Set when a sender is about to post, cleared when Slack's answer is recorded: found set by the next
    # sender, the post is in doubt (it may be in Slack) and is looked for before it is sent again.
    posting_since: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    # Sent again without being able to look for an earlier copy (the history could not be read).
    possible_duplicate: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    created_at: datetime = Field(sa_column=_utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class RequestMark(SQLModel, table=True):
    """A request Slack sent, by what identifies a repeat of it (a command's or button's trigger id, a
    form's view id and hash, an event's id), with the answer it got: a replay writes nothing twice and
    gets the first answer. Kept for an hour (Slack replays within five minutes)."""

    __tablename__ = "request_mark"
    __table_args__ = (sa.Index("ix_request_mark_seen", "seen_at"),)

    workspace_id: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=200)
    seen_at: datetime = Field(sa_column=_utc_column())
    answer: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))  # the ack, JSON


EXTENSION_PENDING = "pending"
EXTENSION_APPROVED = "approved"
EXTENSION_DECLINED = "declined"


class ExtensionRequest(SQLModel, table=True):
    """An owner asking for more days before a recycle; the manager's (or an admin's) decision."""

    __tablename__ = "extension_request"
    __table_args__ = (sa.Index("ix_extension_request_customer", "workspace_id", "customer_id", "asked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    asked_by: str = Field(max_length=32)
    recycle_at: datetime = Field(sa_column=_utc_column())  # the recycle it was about
    status: str = Field(default=EXTENSION_PENDING, max_length=16)
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    days: int | None = None
    asked_at: datetime = Field(sa_column=_utc_column())


class ChurnState(SQLModel, table=True):
    """A dealt customer's churn score now: its band, the signals behind it, and the last warning."""

    __tablename__ = "churn_state"
    __table_args__ = (
        sa.Index("ix_churn_state_warning", "workspace_id", "warn_pending"),
        sa.Index("ix_churn_state_band", "workspace_id", "band", "customer_id"),  # Home's at-risk lists
    )

    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    )
    workspace_id: str = Field(max_length=32)
    score: int
    band: str = Field(max_length=16)
    signals: int  # one bit per signal (bot.rules.churn)
    since: datetime = Field(sa_column=_utc_column())  # in this band since
    warn_pending: bool = False  # the band rose: the owner is told on their next morning
    warned_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    updated_at: datetime = Field(sa_column=_utc_column())


class ChurnChange(SQLModel, table=True):
    """The history of churn bands: every change, with the score and signals at the time."""

    __tablename__ = "churn_change"
    __table_args__ = (
        sa.Index("ix_churn_change_at", "workspace_id", "at"),
        sa.Index("ix_churn_change_customer", "customer_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    from_band: str = Field(max_length=16)
    to_band: str = Field(max_length=16)
    score: int
    signals: int
    at: datetime = Field(sa_column=_utc_column())


class JobMark(SQLModel, table=True):
    """A once-per-period piece of a job done (e.g. the churn scores of a day): catch up once, never twice."""

    __tablename__ = "job_mark"

    workspace_id: str = Field(primary_key=True, max_length=32)
    job: str = Field(primary_key=True, max_length=32)
    period: str = Field(primary_key=True, max_length=32)
    done_at: datetime = Field(sa_column=_utc_column())


COMPLAINT_CATEGORIES = ("quality", "delivery", "service", "billing", "other")
COMPLAINT_SEVERITIES = ("urgent", "high", "medium", "low")
COMPLAINT_CHANNELS = ("phone", "email", "message", "in_person", "other")  # how the customer complained
COMPLAINT_OPEN = "open"
COMPLAINT_ACKNOWLEDGED = "acknowledged"
COMPLAINT_RESOLVED = "resolved"
COMPLAINT_CLOSED = "closed"
COMPLAINT_REOPENED = "reopened"
COMPLAINT_UNRESOLVED = (COMPLAINT_OPEN, COMPLAINT_ACKNOWLEDGED, COMPLAINT_REOPENED)
_SLA_PENDING = sa.text("sla_check_at IS NOT NULL")


class Complaint(SQLModel, table=True):
    """A customer's complaint (投诉): its handling status, assignee, SLA deadlines and where its card is."""

    __table_args__ = (
        sa.Index("ix_complaint_customer", "workspace_id", "customer_id", "filed_at"),
        sa.Index("ix_complaint_assignee", "workspace_id", "assignee_id", "status"),
        sa.Index("ix_complaint_filed", "workspace_id", "filed_at"),
        # The `sla` job: the complaints whose next nudge or breach has come, one index range.
        sa.Index(
            "ix_complaint_sla_check",
            "sla_check_at",
            sqlite_where=_SLA_PENDING,
            postgresql_where=_SLA_PENDING,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    customer_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    )
    category: str = Field(max_length=16)
    severity: str = Field(max_length=16)
    description: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    contact_channel: str = Field(default="", max_length=16)
    status: str = Field(default=COMPLAINT_OPEN, max_length=16)
    assignee_id: str | None = Field(default=None, max_length=32)  # None: the admins, until assigned
    filed_by: str = Field(max_length=32)
    filed_at: datetime = Field(sa_column=_utc_column())
    acknowledged_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    resolved_by: str | None = Field(default=None, max_length=32)
    resolution: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    closed_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    satisfaction: int | None = None
    # SLA: deadlines from the filing (the resolve ones again from a reopening), the 50 % nudges, and
    # when each was breached; `sla_check_at` is the next of these still to come (None: nothing left).
    respond_nudge_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    respond_due_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    resolve_nudge_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    resolve_due_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    respond_breached_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    resolve_breached_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    sla_done: int = 0  # bits: 1 respond nudged, 2 respond breached, 4 resolve nudged, 8 resolve breached
    sla_check_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    # The card: in the complaints channel (its thread holds the handling), or a DM. `card_to` is where
    # it was queued (its outbox key); channel and ts are Slack's once it is posted.
    card_to: str | None = Field(default=None, max_length=32)
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    updated_at: datetime = Field(sa_column=_utc_column())


class ComplaintEvent(SQLModel, table=True):
    """A step in a complaint's handling: filed, acknowledged, a note, resolved, reopened, closed,
    reassigned, nudged, escalated, taken over. The card's thread shows the same steps."""

    __tablename__ = "complaint_event"
    __table_args__ = (sa.Index("ix_complaint_event_complaint", "complaint_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(max_length=32)
    complaint_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("complaint.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(max_length=16)
    actor_id: str | None = Field(default=None, max_length=32)  # None: the SLA clock
    text: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, default=""))
    to_user_id: str | None = Field(default=None, max_length=32)  # reassigned or taken over: to whom
    at: datetime = Field(sa_column=_utc_column())
