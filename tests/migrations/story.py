"""The rows every migration test starts from: one workspace's life, written at the newest schema.

A database at revision R is filled with these rows cut to the shape R had (the tables and columns
that existed then), so each revision has its fixture. What a column added after R holds once the
database is upgraded is, per column: the migration's backfill (`BACKFILLS`, the same rule written in
Python), the column's server default (`DEFAULTS`), or NULL.

A new migration: give its new tables rows and its new columns a value in every row here, add its
backfills and server defaults, then set `REVISION` to it (a test fails until you do).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

REVISION = "0027"  # the newest revision whose tables and columns these rows fill

Row = dict[str, Any]
Story = dict[str, list[Row]]

TEAM = "T0TIDE"
GONE = "T0GONE"  # a workspace that uninstalled the app
ADA, MAX, MEI, LI = "U0ADA", "U0MAX", "U0MEI", "U0LI"
HAICHAO, ACME, HARBOR, LANTERN = 1, 2, 3, 4  # customers: owned and dealt, owned, pool, released


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, 0, 250_000, tzinfo=UTC)


def _workspaces() -> list[Row]:
    return [
        {
            "id": TEAM, "name": "Tidewater Trading 潮汐贸易", "locale": "zh_CN", "timezone": "Asia/Shanghai",
            "country": "CN", "currency": "CNY", "created_at": utc(9, 1, 2),
            "retention_percent": 20, "retention_base": 3, "active": True, "inactive_since": None,
            "enterprise_id": "E0ORG", "version": 41,
        },
        {
            "id": GONE, "name": "Gone Ltd", "locale": None, "timezone": "Europe/Berlin", "country": "DE",
            "currency": "EUR", "created_at": utc(9, 3), "retention_percent": None, "retention_base": 0,
            "active": False, "inactive_since": utc(11, 20, 9), "enterprise_id": None, "version": 2,
        },
    ]  # fmt: skip


def _person(user_id: str, name: str, role: str, manager_id: str | None, **values: Any) -> Row:
    return {
        "workspace_id": TEAM, "user_id": user_id, "name": name, "role": role, "manager_id": manager_id,
        "timezone": "Asia/Shanghai", "slack_locale": "en-US", "chosen_locale": None,
        "is_slack_admin": False, "is_guest": False, "is_deleted": False,
        "profile_checked_at": utc(11, 22, 1), "profile_synced": True, "created_at": utc(9, 1, 2),
        "claims_day": None, "claims_on_day": 0, "email": f"{name.lower()}@tidewater.example",
        **values,
    }  # fmt: skip


def _people() -> list[Row]:
    return [
        _person(ADA, "Ada", "admin", None, is_slack_admin=True),
        _person(MAX, "Max", "manager", None),
        _person(MEI, "Mei", "rep", MAX, slack_locale="zh-CN", chosen_locale="zh_CN", claims_day=date(2026, 11, 22), claims_on_day=2),
        _person(LI, "Li", "rep", MAX, is_deleted=True, profile_synced=False, email=None),
    ]  # fmt: skip


def _customer(id: int, name: str, name_key: str, **values: Any) -> Row:
    return {
        "id": id, "workspace_id": TEAM, "name": name, "name_key": name_key, "contact_person": "",
        "phone": "", "phone_key": None, "email": "", "region": "", "industry": "", "products": "",
        "tags": "", "source": "", "level": "C", "stage": "prospect", "owner_id": None,
        "owned_since": None, "last_visit_on": None, "next_follow_up": None, "dealt_at": None,
        "last_order_on": None, "created_by": MEI, "created_at": utc(9, 10, 3), "updated_at": utc(11, 22, 3),
        "pool_since": None, "locked_by": None, "locked_at": None, "recycle_clock_from": None,
        "recycle_extended_until": None, "previous_owner_id": None, "first_order_on": None,
        "order_count": 0, "last_satisfaction": None, "last_satisfaction_on": None,
        "level_by_hand": False, "stage_since": None, "lost_reason": "", "lost_at": None,
        "merged_into": None, **values,
    }  # fmt: skip


def _customers() -> list[Row]:
    return [
        _customer(
            HAICHAO, "上海海潮贸易有限公司", "上海海潮贸易有限公司", contact_person="王经理",
            phone="+86 21 5555 0101", phone_key="862155550101", email="wang@haichao.example",
            region="上海", industry="物流", products="冷链", tags="vip", source="referral", level="A",
            stage="active", owner_id=MEI, owned_since=utc(9, 12, 2), last_visit_on=date(2026, 11, 18),
            next_follow_up=date(2026, 11, 25), dealt_at=utc(10, 2, 6), last_order_on=date(2026, 11, 3),
            recycle_clock_from=utc(11, 18), first_order_on=date(2026, 10, 2), order_count=2,
            last_satisfaction=5, last_satisfaction_on=date(2026, 11, 18), level_by_hand=True,
            stage_since=utc(11, 2, 6),
        ),
        _customer(
            ACME, "Acme Trading", "acme trading", contact_person="Jo", phone="021-5555-0202",
            phone_key="862155550202", region="Suzhou", level="B", stage="prospect", owner_id=LI,
            owned_since=utc(11, 10, 8), last_visit_on=date(2026, 11, 10), locked_by=MAX,
            locked_at=utc(11, 15, 4), recycle_clock_from=utc(11, 10, 8),
            recycle_extended_until=utc(12, 24, 8), stage_since=utc(9, 10, 3),
        ),
        _customer(
            HARBOR, "Blue Harbor Logistics", "blue harbor logistics", created_by=ADA, pool_since=utc(9, 10, 3),
        ),
        _customer(
            LANTERN, "Lantern & Co. <script>", "lantern co script", stage="lost", dealt_at=utc(9, 20, 1),
            last_order_on=date(2026, 9, 20), pool_since=utc(11, 1, 16), previous_owner_id=LI,
            first_order_on=date(2026, 9, 20), order_count=1, last_satisfaction=2,
            last_satisfaction_on=date(2026, 10, 30), stage_since=utc(11, 1, 16),
            lost_reason="went to a competitor", lost_at=utc(11, 1, 16),
        ),
    ]  # fmt: skip


def _terms() -> list[Row]:
    terms = [
        (HAICHAO, "上海海潮贸易有限公司"),
        (HAICHAO, "海潮贸易有限公司"),
        (ACME, "acme"),
        (ACME, "trading"),
    ]
    terms += [(HARBOR, "blue"), (HARBOR, "harbor"), (LANTERN, "lantern")]
    return [{"customer_id": customer, "term": term, "workspace_id": TEAM} for customer, term in terms]


def _visits() -> list[Row]:
    def visit(id: int, customer: int, author: str, day: date, **values: Any) -> Row:
        base = {
            "kind": "call",
            "note": "",
            "satisfaction": None,
            "next_follow_up": None,
            "opportunity_id": None,
        }
        return {
            "id": id, "workspace_id": TEAM, "customer_id": customer, "author_id": author,
            "visited_on": day, "created_at": datetime.combine(day, datetime.min.time(), UTC).replace(hour=9),
            **base, **values,
        }  # fmt: skip

    return [
        visit(1, HAICHAO, MEI, date(2026, 10, 20), kind="on_site", note="看了仓库", satisfaction=4),
        visit(2, HAICHAO, MEI, date(2026, 11, 18), note="续约", satisfaction=5, next_follow_up=date(2026, 11, 25)),
        visit(3, HAICHAO, MEI, date(2026, 11, 18), kind="message", note="sent the quote", opportunity_id=1),
        visit(4, ACME, LI, date(2026, 11, 10), kind="meeting", note="first meeting"),
        visit(5, LANTERN, LI, date(2026, 10, 30), note="unhappy with delays", satisfaction=2),
    ]  # fmt: skip


def _orders() -> list[Row]:
    def order(id: int, customer: int, day: date, amount: int, **values: Any) -> Row:
        return {
            "id": id, "workspace_id": TEAM, "customer_id": customer, "author_id": MEI,
            "amount_minor": amount, "currency": "CNY", "rate": "1", "amount_base_minor": amount,
            "ordered_on": day, "product": "冷链运输", "created_at": utc(day.month, day.day, 7), **values,
        }  # fmt: skip

    return [
        order(1, HAICHAO, date(2026, 10, 2), 12_000_000),
        order(2, HAICHAO, date(2026, 11, 3), 9_950_000_000, currency="USD", rate="7.1", amount_minor=1_401_408_451),
        order(3, LANTERN, date(2026, 9, 20), 80_000, author_id=LI, product="samples"),
    ]  # fmt: skip


def _pool_history() -> Story:
    def event(id: int, customer: int, kind: str, at: datetime, **values: Any) -> Row:
        base = {"actor_id": None, "from_owner_id": None, "to_owner_id": None, "reason": "", "note": ""}
        return {
            "id": id, "workspace_id": TEAM, "customer_id": customer, "kind": kind, "at": at,
            "to_day": None, "days": None, "undo": None, **base, **values,
        }  # fmt: skip

    return {
        "ownership_event": [
            event(1, HAICHAO, "claim", utc(9, 12, 2), actor_id=MEI, to_owner_id=MEI),
            event(2, LANTERN, "assign", utc(9, 15, 2), actor_id=MAX, to_owner_id=LI, reason="assigned"),
            event(3, LANTERN, "release", utc(11, 1, 16), actor_id=LI, from_owner_id=LI, reason="lost", note="价格",
                  undo='{"owned_since": "2026-09-15T02:00:00+00:00", "next_follow_up": "2026-11-20"}'),
            event(4, ACME, "lock", utc(11, 15, 4), actor_id=MAX),
            event(5, ACME, "extend", utc(11, 16, 4), actor_id=MAX, to_day=date(2026, 12, 24), days=30),
        ],
        "announcement": [
            {"id": 1, "workspace_id": TEAM, "channel_id": "C0POOL", "ts": "1761999999.000100", "locale": "zh_CN", "created_at": utc(11, 1, 16)},
            {"id": 2, "workspace_id": TEAM, "channel_id": "C0POOL", "ts": None, "locale": "en", "created_at": utc(11, 22, 18)},
        ],
        "announcement_row": [
            {"announcement_id": 1, "customer_id": LANTERN, "position": 0, "move": "release", "reason": "lost", "note": "价格", "previous_owner_id": LI, "released_at": utc(11, 1, 16)},
            {"announcement_id": 2, "customer_id": HARBOR, "position": 0, "move": "recycle", "reason": "no_visit", "note": "", "previous_owner_id": None, "released_at": utc(11, 22, 18)},
        ],
    }  # fmt: skip


def _settings() -> Story:
    return {
        "workspace_setting": [
            {"workspace_id": TEAM, "key": "pool.claims_per_day", "value": "5", "updated_by": ADA, "updated_at": utc(10, 1)},
            {"workspace_id": TEAM, "key": "complaints.channel", "value": '"C0CARE"', "updated_by": ADA, "updated_at": utc(10, 1)},
        ],
        "setting_change": [
            {"id": 1, "workspace_id": TEAM, "key": "pool.claims_per_day", "old_value": "3", "new_value": "5", "changed_by": ADA, "changed_at": utc(10, 1)},
        ],
        "job_mark": [
            {"workspace_id": TEAM, "job": "recycle", "period": "2026-11-22", "done_at": utc(11, 21, 16)},
            {"workspace_id": TEAM, "job": "digest", "period": "2026-W47", "done_at": utc(11, 16, 1)},
        ],
        "request_mark": [
            {"workspace_id": TEAM, "key": "trigger:1234.5678.abcd", "seen_at": utc(11, 22, 2), "answer": '{"text": "ok"}'},
            {"workspace_id": TEAM, "key": "event:Ev0123", "seen_at": utc(11, 22, 2, 5), "answer": None},
        ],
        "worker_lease": [
            {"name": "worker", "holder": "web-1:4242:ab12cd", "taken_at": utc(11, 20), "renewed_at": utc(11, 22, 2), "expires_at": utc(11, 22, 2, 1)},
        ],
        "customer_change": [
            {"id": 1, "workspace_id": TEAM, "customer_id": ACME, "record": "", "field": "phone", "old_value": "021 5555 0100", "new_value": "021 5555 0199", "reason": "", "actor_id": MEI, "at": utc(11, 21, 3)},
            {"id": 2, "workspace_id": TEAM, "customer_id": HAICHAO, "record": "visit:1", "field": "note", "old_value": "看仓库", "new_value": "看了仓库", "reason": "", "actor_id": ADA, "at": utc(11, 22, 1)},
        ],
        "job_run": [
            {"job": "recycle", "started_at": utc(11, 22, 2), "seconds": 0.25, "succeeded": True, "summary": "recycled 1 customers in 1 announcements", "error": None, "succeeded_at": utc(11, 22, 2)},
            {"job": "outbox", "started_at": utc(11, 22, 2, 1), "seconds": 30.5, "succeeded": False, "summary": "", "error": "OperationalError: the database went away", "succeeded_at": utc(11, 22, 1)},
        ],
        "job_run_count": [
            {"job": "recycle", "workspace_id": TEAM, "name": "moved", "value": 1},
            {"job": "outbox", "workspace_id": "", "name": "sent", "value": 12},
        ],
    }  # fmt: skip


def _outbox() -> list[Row]:
    def message(id: int, key: str, status: str, **values: Any) -> Row:
        return {
            "id": id, "workspace_id": TEAM, "dedupe_key": key, "kind": key.split(":")[0], "channel": MEI,
            "payload": '{"text": "早上好", "blocks": []}', "status": status, "attempts": 0,
            "next_attempt_at": utc(11, 23, 1), "last_error": "", "ts": None, "created_at": utc(11, 23, 1),
            "sent_at": None, "posted_channel": None, "lease_owner": None, "leased_until": None,
            "posting_since": None, "possible_duplicate": False, **values,
        }  # fmt: skip

    return [
        message(1, "reminders:U0MEI:2026-11-22", "sent", attempts=1, ts="1763773200.000200", sent_at=utc(11, 22, 1, 1), posted_channel="D0MEI", possible_duplicate=True),
        message(2, "reminders:U0MEI:2026-11-23", "pending", attempts=1, lease_owner="worker-1", leased_until=utc(11, 23, 1, 2), posting_since=utc(11, 23, 1, 1)),
        message(3, "digest:C0GONE:2026-W47", "failed", channel="C0GONE", attempts=3, last_error="channel_not_found"),
    ]  # fmt: skip


def _churn() -> Story:
    return {
        "churn_state": [
            {"customer_id": HAICHAO, "workspace_id": TEAM, "score": 12, "band": "healthy", "signals": 0, "since": utc(10, 2), "warn_pending": False, "warned_at": None, "updated_at": utc(11, 22, 17)},
            {"customer_id": LANTERN, "workspace_id": TEAM, "score": 81, "band": "critical", "signals": 5, "since": utc(10, 31), "warn_pending": True, "warned_at": utc(10, 31, 1), "updated_at": utc(11, 22, 17)},
        ],
        "churn_change": [
            {"id": 1, "workspace_id": TEAM, "customer_id": LANTERN, "from_band": "watch", "to_band": "critical", "score": 81, "signals": 5, "at": utc(10, 31)},
        ],
        "extension_request": [
            {"id": 1, "workspace_id": TEAM, "customer_id": ACME, "asked_by": LI, "recycle_at": utc(11, 24, 8), "status": "approved", "decided_by": MAX, "decided_at": utc(11, 16, 4), "days": 30, "asked_at": utc(11, 16, 2), "reason": "signing next week"},
            {"id": 2, "workspace_id": TEAM, "customer_id": HAICHAO, "asked_by": MEI, "recycle_at": utc(12, 18), "status": "pending", "decided_by": None, "decided_at": None, "days": None, "asked_at": utc(11, 22, 3), "reason": ""},
        ],
        "approval_request": [
            {"id": 1, "workspace_id": TEAM, "customer_id": HAICHAO, "kind": "release", "detail": "not_interested", "note": "预算冻结", "asked_by": MEI, "asked_at": utc(11, 22, 4), "status": "pending", "decided_by": None, "decided_at": None, "opportunities": "keep"},
            {"id": 2, "workspace_id": TEAM, "customer_id": ACME, "kind": "level", "detail": "C", "note": "", "asked_by": LI, "asked_at": utc(11, 20, 4), "status": "declined", "decided_by": MAX, "decided_at": utc(11, 20, 6), "opportunities": "lose"},
        ],
    }  # fmt: skip


def _complaints() -> Story:
    resolved = {
        "id": 1, "workspace_id": TEAM, "customer_id": HAICHAO, "category": "delivery", "severity": "high",
        "description": "货物晚到三天\nboxes damaged", "contact_channel": "phone", "status": "closed",
        "assignee_id": MEI, "filed_by": MEI, "filed_at": utc(11, 5, 2), "acknowledged_at": utc(11, 5, 3),
        "resolved_at": utc(11, 6, 8), "resolved_by": MEI, "resolution": "refunded the freight",
        "closed_at": utc(11, 8, 2), "satisfaction": 4, "respond_nudge_at": utc(11, 5, 4),
        "respond_due_at": utc(11, 5, 6), "resolve_nudge_at": utc(11, 5, 14), "resolve_due_at": utc(11, 6, 2),
        "respond_breached_at": None, "resolve_breached_at": utc(11, 6, 2), "sla_done": 12,
        "sla_check_at": None, "card_to": "C0CARE", "channel_id": "C0CARE", "message_ts": "1762300000.000300",
        "updated_at": utc(11, 8, 2),
    }  # fmt: skip
    open_in_pool = {
        **resolved, "id": 2, "customer_id": HARBOR, "category": "billing", "severity": "urgent",
        "description": "invoice twice", "contact_channel": "email", "status": "open", "assignee_id": None,
        "filed_by": ADA, "filed_at": utc(11, 22, 9), "acknowledged_at": None, "resolved_at": None,
        "resolved_by": None, "resolution": "", "closed_at": None, "satisfaction": None,
        "respond_nudge_at": utc(11, 22, 9, 30), "respond_due_at": utc(11, 22, 10),
        "resolve_nudge_at": utc(11, 22, 11), "resolve_due_at": utc(11, 22, 13), "resolve_breached_at": None,
        "sla_done": 0, "sla_check_at": utc(11, 22, 9, 30), "card_to": ADA, "channel_id": None,
        "message_ts": None, "updated_at": utc(11, 22, 9),
    }  # fmt: skip

    def event(id: int, kind: str, at: datetime, **values: Any) -> Row:
        base = {"actor_id": MEI, "text": "", "to_user_id": None}
        return {"id": id, "workspace_id": TEAM, "complaint_id": 1, "kind": kind, "at": at, **base, **values}

    events = [
        event(1, "filed", utc(11, 5, 2)),
        event(2, "nudged", utc(11, 5, 14), actor_id=None, to_user_id=MEI),
        event(3, "resolved", utc(11, 6, 8), text="refunded the freight"),
        event(4, "closed", utc(11, 8, 2), text="满意"),
    ]
    return {"complaint": [resolved, open_in_pool], "complaint_event": events}


def _contacts(customers: list[Row]) -> list[Row]:
    """0016: each customer's contact fields became its primary contact, in the customers' order."""
    return [
        {
            "id": n, "workspace_id": c["workspace_id"], "customer_id": c["id"], "name": c["contact_person"],
            "title": "", "phone": c["phone"], "phone_key": c["phone_key"], "email": c["email"],
            "is_primary": True, "note": "", "created_at": c["created_at"], "updated_at": c["updated_at"],
        }
        for n, c in enumerate((c for c in customers if c["contact_person"] or c["phone"] or c["email"]), 1)
    ]  # fmt: skip


def _naive(month: int, day: int, hour: int = 0) -> datetime:  # slack_sdk's stores keep naive UTC
    return datetime(2026, month, day, hour, 0, 0, 250_000)  # noqa: DTZ001


def _installations() -> Story:
    """ "Add to Slack" twice: a workspace, and an organisation-wide install (no team, its enterprise)."""
    bot = {
        "client_id": "1234.5678", "app_id": "A0TIDE", "enterprise_name": None, "team_name": "Tidewater Trading",
        "bot_token": "xoxb-tide", "bot_id": "B0TIDE", "bot_user_id": "U0BOT", "bot_scopes": "commands,chat:write",
        "bot_refresh_token": None, "bot_token_expires_at": None, "installed_at": _naive(9, 1, 2),
    }  # fmt: skip
    org = {"enterprise_id": "E0ORG", "enterprise_name": "Org", "team_id": None, "team_name": None,
           "bot_token": "xoxb-org", "is_enterprise_install": True, "installed_at": _naive(11, 2)}  # fmt: skip
    installer = {
        "enterprise_url": None, "user_id": ADA, "user_token": None, "user_scopes": None, "user_refresh_token": None,
        "user_token_expires_at": None, "incoming_webhook_url": None, "incoming_webhook_channel": None,
        "incoming_webhook_channel_id": None, "incoming_webhook_configuration_url": None, "token_type": "bot",
    }  # fmt: skip
    team = {"enterprise_id": None, "team_id": TEAM, "is_enterprise_install": False}
    return {
        "slack_bots": [{"id": 1, **bot, **team}, {"id": 2, **bot, **org}],
        "slack_installations": [{"id": 1, **bot, **team, **installer}, {"id": 2, **bot, **org, **installer}],
        "slack_oauth_states": [{"id": 1, "state": "a-state-of-the-flow", "expire_at": _naive(11, 23, 1)}],
    }


def _opportunities() -> Story:
    """Mei's proposal to Haichao (moved once, still open) and Li's lost one to Acme, in the default
    stages, one of them renamed and one retired."""

    def stage(
        id: int, key: str, position: int, probability: int, outcome: str = "open", **values: Any
    ) -> Row:
        return {
            "workspace_id": TEAM, "id": id, "key": key, "name": "", "position": position,
            "probability": probability, "outcome": outcome, "idle_days": 0, "retired_at": None, **values,
        }  # fmt: skip

    def opportunity(id: int, customer: int, owner: str, stage_id: int, **values: Any) -> Row:
        return {
            "workspace_id": TEAM, "id": id, "customer_id": customer, "owner_id": owner,
            "title": "冷链年度合同 <!channel>", "amount_minor": 50_000_000, "currency": "CNY", "rate": "1",
            "amount_base_minor": 50_000_000, "stage_id": stage_id, "probability": 40,
            "expected_close_on": date(2026, 12, 20), "products": "冷链运输", "next_step": "周五报价",
            "lost_reason_key": "", "lost_reason": "", "order_id": None, "created_by": owner,
            "created_at": utc(11, 2, 3), "updated_at": utc(11, 20, 3), "stage_since": utc(11, 20, 3),
            "closed_at": None, "version": 2, "reminder_snoozed_until": date(2026, 11, 27), **values,
        }  # fmt: skip

    def change(opportunity_id: int, version: int, change: str, to: int, **values: Any) -> Row:
        return {
            "workspace_id": TEAM, "opportunity_id": opportunity_id, "version": version, "change": change,
            "owner_id": MEI, "actor_id": MEI, "at": utc(11, 2, 3), "from_stage_id": None, "to_stage_id": to,
            "amount_base_minor": 50_000_000, "expected_close_on": date(2026, 12, 20), "note": "", **values,
        }  # fmt: skip

    return {
        "workspace_counter": [
            {"workspace_id": TEAM, "name": "opportunity", "value": 2},
            {"workspace_id": TEAM, "name": "opportunity_stage", "value": 7},
        ],
        "opportunity_stage": [
            stage(1, "qualify", 1, 10, name="初步接洽"),
            stage(2, "needs_analysis", 2, 20),
            stage(3, "proposal", 3, 40, idle_days=14),
            stage(4, "negotiation", 4, 70),
            stage(5, "won", 5, 100, "won"),
            stage(6, "lost", 6, 0, "lost"),
            stage(7, "", 7, 50, name="样品试用", retired_at=utc(11, 10, 2)),
        ],
        "opportunity": [
            opportunity(1, HAICHAO, MEI, 3),
            opportunity(
                2,
                ACME,
                LI,
                6,
                title="Pilot",
                amount_minor=100_000,
                currency="USD",
                rate="7.1",
                amount_base_minor=710_000,
                probability=0,
                lost_reason_key="price",
                lost_reason="went with a cheaper carrier",
                closed_at=utc(11, 21, 4),
                version=3,
                created_by=LI,
            ),
        ],  # fmt: skip
        "opportunity_change": [
            change(1, 1, "created", 1),
            change(1, 2, "moved", 3, from_stage_id=1, at=utc(11, 20, 3)),
            change(2, 1, "created", 7, actor_id=LI, amount_base_minor=710_000),
            change(2, 2, "edited", 7, actor_id=LI, amount_base_minor=710_000, note="amount"),
            change(
                2,
                3,
                "lost",
                6,
                actor_id=LI,
                from_stage_id=7,
                amount_base_minor=710_000,
                at=utc(11, 21, 4),
                note="went with a cheaper carrier",
            ),
        ],  # fmt: skip
    }


def story() -> Story:
    """Every table at the newest revision, each row with a value in every column."""
    customers = _customers()
    buyer = {
        "id": 3, "workspace_id": TEAM, "customer_id": HAICHAO, "name": "李采购", "title": "采购经理",
        "phone": "139 1234 5678", "phone_key": "8613912345678", "email": "", "is_primary": False,
        "note": "负责冷链订单", "created_at": utc(11, 20, 2), "updated_at": utc(11, 20, 2),
    }  # fmt: skip
    return {
        "contact": [*_contacts(customers), buyer],
        "workspace": _workspaces(),
        "person": _people(),
        "customer": customers,
        "customer_term": _terms(),
        "visit": _visits(),
        "customer_order": _orders(),
        "outbox_message": _outbox(),
        "outbox_image": [
            {
                "id": 1,
                "workspace_id": TEAM,
                "png": b"\x89PNG\r\n\x1a\n\x00chart",
                "filename": "visits.png",
                "title": "上周拜访",
                "file_id": "F0CHART1",
                "created_at": utc(11, 23, 1),
                "uploaded_at": utc(11, 23, 1, 1),
            },
        ],
        "outbox_file": [
            {
                "id": 1,
                "workspace_id": TEAM,
                "content": "项目,对象,指标,数值\r\n拜访,Mei,拜访,12\r\n".encode("utf-8-sig"),
                "filename": "report-2026-11-16.csv",
                "title": "报告数据",
                "file_id": "F0CSV1",
                "permalink": "https://tidewater.slack.com/files/U0BOT/F0CSV1/report-2026-11-16.csv",
                "created_at": utc(11, 23, 1),
                "uploaded_at": utc(11, 23, 1, 1),
            },
        ],
        "home_chart": [
            {
                "workspace_id": TEAM,
                "user_id": MAX,
                "position": 0,
                "day": date(2026, 11, 23),
                "file_id": "F0HOME1",
                "title": "Visits per person",
                "alt": "Visits per person last week",
                "created_at": utc(11, 23, 0, 30),
            },
        ],
        "weekly_standing": [
            {
                "workspace_id": TEAM,
                "week": date(2026, 11, 16),
                "user_id": MEI,
                "measure": "visits",
                "rank": 1,
                "value": 12.0,
                "ranked": 2,
            },
        ],
        **_installations(),
        **_pool_history(),
        **_settings(),
        **_churn(),
        **_complaints(),
        **_opportunities(),
    }


# -- what a column added after the rows were written holds once the database is upgraded -----------


def _pool_since(row: Row, _story: Story) -> Any:  # 0002: customers in the pool entered it when created
    return row["created_at"] if row["owner_id"] is None else None


def _recycle_clock_from(row: Row, _story: Story) -> Any:  # 0004: owned since, or the last visit's day
    if row["owner_id"] is None:
        return None
    visit_day = row["last_visit_on"] and datetime.combine(row["last_visit_on"], datetime.min.time(), UTC)
    return max(row["owned_since"], visit_day) if visit_day else row["owned_since"]


def _orders_of(row: Row, story: Story) -> list[Row]:
    return [order for order in story["customer_order"] if order["customer_id"] == row["id"]]


def _first_order_on(row: Row, story: Story) -> Any:  # 0004, for dealt customers only
    days = [order["ordered_on"] for order in _orders_of(row, story)]
    return min(days) if row["dealt_at"] and days else None


def _order_count(row: Row, story: Story) -> Any:  # 0004, for dealt customers only
    return len(_orders_of(row, story)) if row["dealt_at"] else 0


def _latest_rated_visit(row: Row, story: Story) -> Row | None:  # 0005: the later day, then the later id
    rated = [v for v in story["visit"] if v["customer_id"] == row["id"] and v["satisfaction"] is not None]
    return max(rated, key=lambda visit: (visit["visited_on"], visit["id"]), default=None)


def _last_satisfaction(row: Row, story: Story) -> Any:
    visit = _latest_rated_visit(row, story)
    return visit and visit["satisfaction"]


def _last_satisfaction_on(row: Row, story: Story) -> Any:
    visit = _latest_rated_visit(row, story)
    return visit and visit["visited_on"]


BACKFILLS: dict[tuple[str, str], Callable[[Row, Story], Any]] = {
    ("customer", "pool_since"): _pool_since,
    ("customer", "recycle_clock_from"): _recycle_clock_from,
    ("customer", "first_order_on"): _first_order_on,
    ("customer", "order_count"): _order_count,
    ("customer", "last_satisfaction"): _last_satisfaction,
    ("customer", "last_satisfaction_on"): _last_satisfaction_on,
}

# Every column with a server default, and that default as read back.
DEFAULTS: dict[tuple[str, str], Any] = {
    ("workspace", "version"): 0,
    ("person", "profile_synced"): False,
    ("person", "claims_on_day"): 0,
    ("customer", "order_count"): 0,
    ("customer", "level_by_hand"): False,
    ("customer", "lost_reason"): "",
    ("customer_change", "record"): "",
    ("customer_change", "reason"): "",
    ("extension_request", "reason"): "",
    ("workspace", "retention_base"): 0,
    ("workspace", "active"): True,
    ("outbox_message", "possible_duplicate"): False,
    ("approval_request", "opportunities"): "lose",
}


# Tables a migration fills from the rows already there: their rows once a database written before
# that migration is upgraded.
TABLE_BACKFILLS: dict[str, Callable[[Story], list[Row]]] = {
    "contact": lambda story: _contacts(story["customer"]),
}


def later_value(table: str, column: str, row: Row, story: Story) -> Any:
    """What `column`, added to `table` after `row` was written, holds after the upgrade."""
    backfill = BACKFILLS.get((table, column))
    return backfill(row, story) if backfill else DEFAULTS.get((table, column))
