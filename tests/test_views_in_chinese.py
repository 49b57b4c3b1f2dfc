"""Every view renders in Chinese with no English template text left, and within Slack's rules."""

import re
from datetime import date

import pytest

from bot.i18n import lang
from bot.playground.validation import message_problems, view_problems
from bot.services.customers import CustomerCard, CustomerDraft, DuplicateMatch
from bot.services.home import DueList, HomeData
from bot.services.orders import OrderLogged
from bot.services.people import RoleChange, TeamChange, TeamListing
from bot.services.visits import VisitLogged
from bot.views import admin, common, customers, home, orders, visits
from store.models import Customer, Order, Person, Visit
from tests.conftest import NOW

ZH = lang("zh_CN")
# Words that stay in Latin letters in Chinese: the product, commands and their keywords, codes.
ALLOWED = re.compile(
    r"Tidewater|Slack|/crm(?: (?:lang|team|role))?|/customer|/visit|/order|en\|zh\|auto|manager\|rep\|admin|add\|remove|CNY|USD|EUR|HKD|JPY|GBP|SGD|TWD|KRW|AUD|emoji|plain_text|mrkdwn"
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

MESSAGES = {
    "help": lambda: common.help_message(ZH, is_admin=True, unknown="某某"),
    "problem": lambda: common.problem(common.failure_text(ZH, "ab12")),
    "card": lambda: customers.customer_card(ZH, CARD),
    "search": lambda: customers.search_results(ZH, "华东", [CUSTOMER, CUSTOMER]),
    "visit logged": lambda: visits.visit_logged(ZH, VisitLogged(customer=CUSTOMER, visit=VISIT)),
    "visit candidates": lambda: visits.visit_candidates(ZH, "华东", [CUSTOMER], "备注"),
    "order logged": lambda: orders.order_logged(
        ZH, OrderLogged(customer=CUSTOMER, order=ORDER, first_order=True)
    ),
    "role": lambda: admin.role_set(ZH, RoleChange(user_id="U1", role="manager", left_team_of="U2")),
    "team": lambda: admin.team_changed(
        ZH, TeamChange(manager_id="U1", changed=["U2"], unchanged=[]), added=True
    ),
    "teams": lambda: admin.team_listing(ZH, TeamListing(teams=[("U1", ["U2"])], without_manager=["U3"])),
    "language": lambda: admin.language_set(ZH),
}
VIEWS = {
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
