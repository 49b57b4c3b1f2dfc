"""What a workspace's settings are: their values (`WorkspaceSettings`, with PRODUCT.md's defaults) and
how each is described once (`SPECS`): its key, label, kind and bounds. The `/crm settings` modal is
built from the specs and its answers are validated against them, so a later feature adds a setting by
adding a field to `WorkspaceSettings` and a spec here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from enum import StrEnum

from bot.i18n import N_
from bot.rules.pool import DEFAULT_RECYCLE_DAYS, PoolRules

_POOL = PoolRules()  # PRODUCT.md's defaults live with the rules


@dataclass(frozen=True)
class WorkspaceSettings:
    """Every setting of a workspace, with PRODUCT.md's defaults."""

    recycle_days_a: int = DEFAULT_RECYCLE_DAYS["A"]
    recycle_days_b: int = DEFAULT_RECYCLE_DAYS["B"]
    recycle_days_c: int = DEFAULT_RECYCLE_DAYS["C"]
    days_to_first_order: int = _POOL.days_to_first_order
    opportunity_spares_days: int = _POOL.opportunity_spares_days
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
    # Won opportunities are celebrated here, and new ones from this amount (whole units of the workspace
    # currency) announced; each post is drawn again when its opportunity changes. None: not posted.
    deals_channel: str | None = None
    deal_alert_amount: int = 100_000
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
    # Messages that are not urgent wait for the person's working hours (the hours above, in their zone);
    # an urgent complaint's escalation is sent at once unless switched off.
    quiet_hours: bool = True
    urgent_breaks_quiet_hours: bool = True
    # The team's champions of the week, posted in a channel (none: not posted): the top few per measure.
    champions_channel: str | None = None
    champions_shown: int = 3
    champion_visits: bool = True
    champion_new_customers: bool = True
    champion_revenue: bool = True
    champion_satisfaction: bool = True
    champion_complaints: bool = True
    # Levels from revenue of the last 12 months among customers who ordered: top A %, next B %, rest C.
    tier_a_percent: int = 20
    tier_b_percent: int = 30
    # A rep's release or mark lost waits for their manager's approval: of a customer who ordered, of level A.
    approve_ordered: bool = True
    approve_level_a: bool = True

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
            opportunity_spares_days=self.opportunity_spares_days,
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
    APPROVALS = "approvals"
    CHAMPIONS = "champions"
    CHANNELS = "channels"


# Countries offered for working days (the holidays package knows each, China's make-up days included).
# Their public holidays and weekends (the holidays package's): Israel and Saudi Arabia work Sunday to
# Thursday, the United Arab Emirates Monday to Friday.
COUNTRIES = (
    "CN",
    "HK",
    "TW",
    "SG",
    "MY",
    "JP",
    "KR",
    "IN",
    "AU",
    "GB",
    "DE",
    "FR",
    "US",
    "CA",
    "AE",
    "IL",
    "SA",
)


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
        "opportunity_spares_days",
        Group.RECYCLING,
        N_("Days an opportunity's move holds off that recycle"),
        Kind.NUMBER,
        0,
        3650,
        N_(
            "A customer whose open opportunity moved stage this recently is not recycled for want of a first order. 0: never."
        ),
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
    Spec(
        "deals_channel",
        Group.CHANNELS,
        N_("Deals channel"),
        Kind.CHANNEL,
        hint=N_("Won opportunities are celebrated here, and big new ones announced. None: not posted."),
    ),
    Spec(
        "deal_alert_amount",
        Group.CHANNELS,
        N_("New opportunities announced from this amount"),
        Kind.NUMBER,
        0,
        1_000_000_000,
        N_("In the workspace currency. 0: every new opportunity."),
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
        "quiet_hours",
        Group.SCHEDULE,
        N_("Quiet hours: hold messages outside working hours"),
        Kind.SWITCH,
        hint=N_("Each person's own time zone, on working days. Scheduled messages keep their times."),
    ),
    Spec(
        "urgent_breaks_quiet_hours",
        Group.COMPLAINTS,
        N_("An urgent complaint's escalation breaks quiet hours"),
        Kind.SWITCH,
    ),
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
    Spec(
        "champions_channel",
        Group.CHAMPIONS,
        N_("Champions channel"),
        Kind.CHANNEL,
        hint=N_("The week's top reps are named and thanked here each Monday morning. None: not posted."),
    ),
    Spec(
        "champions_shown",
        Group.CHAMPIONS,
        N_("Reps shown per measure"),
        Kind.NUMBER,
        1,
        10,
        N_("Only the top is shown, never a bottom list."),
    ),
    Spec("champion_visits", Group.CHAMPIONS, N_("Most visits"), Kind.SWITCH),
    Spec("champion_new_customers", Group.CHAMPIONS, N_("Most new customers won (first orders)"), Kind.SWITCH),
    Spec("champion_revenue", Group.CHAMPIONS, N_("Most revenue"), Kind.SWITCH),
    Spec("champion_satisfaction", Group.CHAMPIONS, N_("Best customer satisfaction"), Kind.SWITCH),
    Spec(
        "champion_complaints", Group.CHAMPIONS, N_("Most complaints resolved within their time"), Kind.SWITCH
    ),
    Spec(
        "approve_ordered",
        Group.APPROVALS,
        N_("Releasing or marking lost a customer who ordered"),
        Kind.SWITCH,
        hint=N_("On: a rep's manager (the admins, for a rep with none) approves or declines it first."),
    ),
    Spec(
        "approve_level_a",
        Group.APPROVALS,
        N_("Releasing or marking lost a level A customer"),
        Kind.SWITCH,
        hint=N_("A level set by hand always needs a manager or an admin; a rep asks for it."),
    ),
)
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}


def defaults() -> WorkspaceSettings:
    return WorkspaceSettings()
