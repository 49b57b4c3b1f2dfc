"""Every view renders in Chinese with no English template text left, and within Slack's rules."""

import re
from datetime import date

import pytest

from bot.i18n import lang
from bot.playground.validation import message_problems, view_problems
from bot.services.customers import CustomerCard, CustomerDraft, DuplicateMatch
from bot.services.home import DueList, HomeData
from bot.services.home_types import Warned
from bot.services.opportunities_card import OpportunityCard
from bot.services.opportunities_reminders import NeedsAttention
from bot.services.orders import OrderLogged
from bot.services.people import RoleChange, TeamChange, TeamListing
from bot.services.pool import Claimed, Released
from bot.services.pool_assign import Assigned
from bot.services.pool_list import PoolPage, PoolQuery
from bot.services.recycle_locks import LockChanged
from bot.services.settings import LoggedChange, SettingChange, WorkspaceSettings
from bot.services.visits import VisitLogged
from bot.views import (
    admin,
    common,
    customers,
    home,
    opportunity_stages,
    orders,
    pool,
    settings,
    visits,
)
from bot.views import opportunities as opportunity_views
from bot.views.pool import Announced
from store.models import (
    AnnouncementRow,
    Customer,
    Opportunity,
    OpportunityChange,
    OpportunityStage,
    Order,
    OwnershipEvent,
    Person,
    Visit,
)
from tests.conftest import NOW

STAGES = [
    OpportunityStage(workspace_id="T", id=n, key=key, position=n, probability=p, outcome=o, idle_days=14)
    for n, (key, p, o) in enumerate(
        [("qualify", 10, "open"), ("needs_analysis", 20, "open"), ("proposal", 40, "open"),
         ("negotiation", 70, "open"), ("won", 100, "won"), ("lost", 0, "lost")], start=1,
    )
]  # fmt: skip
DEAL = Opportunity(
    workspace_id="T", id=12, customer_id=7, owner_id="U1", title="冷链年度合同", amount_minor=50_000_000,
    currency="CNY", rate="1", amount_base_minor=50_000_000, stage_id=3, probability=40,
    expected_close_on=date(2026, 11, 20), products="冷链运输", next_step="周五报价", created_by="U1",
    created_at=NOW, updated_at=NOW, stage_since=NOW, version=2,
)  # fmt: skip
HISTORY = [
    OpportunityChange(workspace_id="T", opportunity_id=12, version=1, change="created", owner_id="U1",
                      actor_id="U1", at=NOW, to_stage_id=1, amount_base_minor=50_000_000,
                      expected_close_on=date(2026, 11, 20)),
    OpportunityChange(workspace_id="T", opportunity_id=12, version=2, change="moved", owner_id="U1",
                      actor_id="U1", at=NOW, from_stage_id=1, to_stage_id=3, amount_base_minor=50_000_000,
                      expected_close_on=date(2026, 11, 20)),
]  # fmt: skip
DEAL_CARD = OpportunityCard(DEAL, "华东贸易", STAGES, HISTORY, True, 4)

ZH = lang("zh_CN")
# Words that stay in Latin letters in Chinese: the product, commands and their keywords, codes.
ALLOWED = re.compile(
    r"Tidewater|Slack|/deal|/crm(?: (?:lang|team|role|settings|stages|report))?|week\|month\|quarter|/customer|/visit|/order|/pool|/claim|/release|/assign|/complaint(?: list(?: all)?)?|/invite|not_in_channel|en\|zh\|auto|manager\|rep\|admin|add\|remove|CNY|USD|EUR|HKD|JPY|GBP|SGD|TWD|KRW|AUD|emoji|plain_text|mrkdwn"
)


def english_words(payload):
    """Runs of 3+ Latin letters in the visible text of a payload."""
    texts = []

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and key in ("text", "initial_value"):
            texts.append(value)

    walk(payload)
    visible = ALLOWED.sub("", " ".join(texts))
    visible = re.sub(r"<@U[0-9A-Z]+>|:[a-z_]+:", "", visible)
    return re.findall(r"[A-Za-z]{3,}", visible)


CUSTOMER = Customer(
    id=7,
    workspace_id="T",
    name="华东贸易",
    name_key="华东贸易",
    level="A",
    stage="prospect",
    owner_id="U1",
    created_by="U1",
    created_at=NOW,
    updated_at=NOW,
    region="华东",
    last_visit_on=date(2026, 11, 1),
    next_follow_up=date(2026, 11, 20),
    phone="13812345678",
    contact_person="王经理",
)
VISIT = Visit(
    id=1,
    workspace_id="T",
    customer_id=7,
    author_id="U1",
    kind="on_site",
    visited_on=date(2026, 11, 1),
    note="电话沟通",
    satisfaction=4,
    created_at=NOW,
)
ORDER = Order(
    id=1,
    workspace_id="T",
    customer_id=7,
    author_id="U1",
    amount_minor=120050,
    currency="CNY",
    rate="1",
    amount_base_minor=120050,
    ordered_on=date(2026, 11, 2),
    product="阀门",
    created_at=NOW,
)
CARD = CustomerCard(
    customer=CUSTOMER,
    show_contact=True,
    can_work_on=True,
    visits=[VISIT],
    orders=[ORDER],
    order_count=1,
    revenue_minor=120050,
)
PERSON = Person(workspace_id="T", user_id="U2", name="李", created_at=NOW)
POOL_CUSTOMER = Customer.model_validate({**CUSTOMER.model_dump(), "owner_id": None, "pool_since": NOW})
MOVES = [
    OwnershipEvent(
        workspace_id="T",
        customer_id=7,
        kind=kind,
        actor_id="U1",
        from_owner_id=source,
        to_owner_id=target,
        reason=reason,
        note="换人",
        at=NOW,
    )
    for kind, source, target, reason in [
        ("claim", None, "U1", ""),
        ("release", "U1", None, "other"),
        ("recycle", "U1", None, "no_visit"),
        ("assign", None, "U2", ""),
        ("assign", "U1", "U2", ""),
        ("lock", "U1", "U1", ""),
        ("unlock", "U1", "U1", ""),
    ]
]
ROW = AnnouncementRow(
    announcement_id=1,
    customer_id=7,
    position=0,
    move="release",
    reason="not_interested",
    note="不需要 <>",
    previous_owner_id="U1",
    released_at=NOW,
)
RECYCLED = AnnouncementRow(
    announcement_id=1,
    customer_id=8,
    position=1,
    move="recycle",
    reason="no_visit",
    previous_owner_id="U1",
    released_at=NOW,
)
PAGE = PoolPage(query=PoolQuery(level="A", region="华东", text="贸易"), rows=[POOL_CUSTOMER] * 10)

MESSAGES = {
    "opportunity card": lambda: opportunity_views.card(
        ZH, DEAL_CARD, base_currency="CNY", today=date(2026, 11, 23)
    ),
    "opportunity list": lambda: opportunity_views.listing(
        ZH, "进行中的商机", [DEAL_CARD], base_currency="CNY"
    ),
    "opportunity reminder": lambda: opportunity_views.reminder(
        ZH, [NeedsAttention(DEAL, "华东贸易", STAGES[2], 1)], date(2026, 11, 23)
    ),
    "opportunity won post": lambda: opportunity_views.channel_post(
        ZH, DEAL, "华东贸易", STAGES, "CNY", won=True
    ),
    "opportunity new post": lambda: opportunity_views.channel_post(
        ZH, DEAL, "华东贸易", STAGES, "CNY", won=False
    ),
    "opportunity snoozed": lambda: opportunity_views.snoozed(ZH, 12, date(2026, 11, 30)),
    "help": lambda: common.help_message(ZH, is_admin=True, unknown="某某"),
    "problem": lambda: common.problem(common.failure_text(ZH, "ab12")),
    "card": lambda: customers.customer_card(ZH, CARD),
    "card with history": lambda: customers.customer_card(
        ZH,
        CustomerCard(
            customer=CUSTOMER.model_copy(update={"locked_by": "U2"}),
            show_contact=False,
            can_work_on=True,
            can_lock=True,
            moves=MOVES,
        ),
    ),
    "pool card": lambda: customers.customer_card(
        ZH, CustomerCard(customer=POOL_CUSTOMER, show_contact=False, can_work_on=False)
    ),
    "announcement": lambda: pool.announcement(ZH, [(ROW, POOL_CUSTOMER), (RECYCLED, CUSTOMER)]),
    "pool page": lambda: pool.pool_page(ZH, PAGE, state={}),
    "empty pool": lambda: pool.pool_page(ZH, PoolPage(query=PoolQuery()), state={}),
    "no match in pool": lambda: pool.pool_page(ZH, PoolPage(query=PoolQuery(level="B")), state={}),
    "claimed": lambda: pool.claimed(ZH, Claimed(7, "华东贸易", 9, 12, 200)),
    "released": lambda: pool.released(ZH, Released(7, "华东贸易", "U1"), Announced("C1", 1)),
    "released, no channel": lambda: pool.released(ZH, Released(7, "华东贸易", "U1"), Announced(None, 0)),
    "released, refused": lambda: pool.released(
        ZH, Released(7, "华东贸易", "U1"), Announced("C1", 0, "not_in_channel")
    ),
    "assigned": lambda: pool.assigned(ZH, Assigned(7, "华东贸易", None, "U2")),
    "assigned to you": lambda: pool.assigned_to_you(ZH, "U1", 7, CUSTOMER.name),
    "taken from you": lambda: pool.taken_from_you(ZH, "U1", "U2", CUSTOMER.name),
    "locked": lambda: pool.lock_changed(ZH, LockChanged(7, "华东贸易", True, "U1", 3, 20)),
    "unlocked": lambda: pool.lock_changed(ZH, LockChanged(7, "华东贸易", False, "U1", 2, 20)),
    "settings saved": lambda: settings.settings_saved(
        ZH,
        [
            SettingChange("daily_claim_limit", 10, 5),
            SettingChange("dealt_exempt", True, False),
            SettingChange("pool_channel", None, "C1"),
        ],
    ),
    "settings unchanged": lambda: settings.settings_saved(ZH, []),
    "search": lambda: customers.search_results(ZH, "华东", [CUSTOMER, CUSTOMER]),
    "visit logged": lambda: visits.visit_logged(ZH, VisitLogged(customer=CUSTOMER, visit=VISIT)),
    "visit candidates": lambda: visits.visit_candidates(ZH, "华东", [CUSTOMER], "备注"),
    "order logged": lambda: orders.order_logged(
        ZH, OrderLogged(customer=CUSTOMER, order=ORDER, first_order=True), "CNY"
    ),
    "role": lambda: admin.role_set(ZH, RoleChange(user_id="U1", role="manager", left_team_of="U2")),
    "team": lambda: admin.team_changed(
        ZH, TeamChange(manager_id="U1", changed=["U2"], unchanged=[]), added=True
    ),
    "teams": lambda: admin.team_listing(ZH, TeamListing(teams=[("U1", ["U2"])], without_manager=["U3"])),
    "language": lambda: admin.language_set(ZH),
}
VIEWS = {
    "new opportunity": lambda: opportunity_views.new_modal(
        ZH, stages=STAGES, today=date(2026, 11, 23), base_currency="CNY", metadata={}, customer=CUSTOMER
    ),
    "edit opportunity": lambda: opportunity_views.edit_modal(ZH, DEAL, base_currency="CNY", metadata={}),
    "lost opportunity": lambda: opportunity_views.lost_modal(ZH, number=12, version=2, metadata={}),
    "opportunity stages": lambda: opportunity_stages.stages_modal(ZH, STAGES, {}),
    "new customer": lambda: customers.new_customer_modal(
        ZH, owners=[PERSON], metadata={}, draft=CustomerDraft(name="华东")
    ),
    "duplicates": lambda: customers.duplicates_modal(
        ZH, [DuplicateMatch(1, "华东贸易", None, True), DuplicateMatch(2, "华东", "U1", False)], {}
    ),
    "visit": lambda: visits.visit_modal(
        ZH, today=date(2026, 11, 23), metadata={}, customer=CUSTOMER, note="电话"
    ),
    "order": lambda: orders.order_modal(
        ZH, today=date(2026, 11, 23), base_currency="CNY", metadata={}, customer=CUSTOMER
    ),
    "home": lambda: home.home_view(
        ZH,
        HomeData(
            today=date(2026, 11, 23), due_today=DueList([CUSTOMER], 1), overdue=DueList([CUSTOMER] * 20, 45)
        ),
    ),
    "release": lambda: pool.release_modal(ZH, CUSTOMER, {}),
    "pool filter": lambda: pool.filter_modal(ZH, PoolQuery(level="A"), {}),
    "settings": lambda: settings.settings_modal(
        ZH,
        WorkspaceSettings(pool_channel="C1"),
        [LoggedChange("lock_cap", 20, 30, "U1", NOW)],
        "Asia/Shanghai",
    ),
    "empty home": lambda: home.home_view(
        ZH, HomeData(today=date(2026, 11, 23), due_today=DueList([], 0), overdue=DueList([], 0))
    ),
}


@pytest.mark.parametrize("name", MESSAGES)
def test_messages_render_in_chinese_within_slack_rules(name):
    payload = MESSAGES[name]()
    assert message_problems(payload) == []
    assert english_words(payload) == []


@pytest.mark.parametrize("name", VIEWS)
def test_views_render_in_chinese_within_slack_rules(name):
    payload = VIEWS[name]()
    assert view_problems(payload) == []
    assert english_words(payload) == []


@pytest.mark.parametrize(
    ("reader", "count", "expected"),
    [
        ("en", 1, "1 follow-up overdue"),
        ("en", 3, "3 follow-ups overdue"),
        ("zh_CN", 1, "1 个跟进已逾期"),
        ("zh_CN", 3, "3 个跟进已逾期"),
    ],
)
def test_counted_sentences_take_the_readers_plural_form(reader, count, expected):
    from bot.views.text import say_n

    said = say_n(lang(reader), "%(count)s follow-up overdue", "%(count)s follow-ups overdue", count)
    assert said == expected


@pytest.mark.parametrize(("reader", "expected"), [("en", "never visited"), ("zh_CN", "从未拜访")])
def test_a_recycle_warning_says_a_customer_was_never_visited(reader, expected):
    from datetime import UTC, datetime

    from bot.rules.pool import Recycle, RecycleReason
    from bot.views import recycle

    never = CUSTOMER.model_copy(update={"last_visit_on": None})
    due = Recycle(datetime(2026, 11, 24, 16, 30, tzinfo=UTC), RecycleReason.NO_VISIT)
    message = recycle.warning(lang(reader), [Warned(never, due, asked=False)], "Asia/Shanghai")
    assert expected in str(message["blocks"])
    assert "—" not in str(message["blocks"])
