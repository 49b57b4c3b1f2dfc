"""The playground's sample workspace: a cast, three channels, a few hundred customers, and a history
the scheduler acts on in the first simulated days.

Everything is written through the product's services: first contact, roles and the team
(bot.services.people), the settings store, the bulk import (customers, visits and orders, one
transaction per file, keeping each customer's facts as the app does), claims and a release
(bot.services.pool) and complaints (bot.services.complaints, their cards queued by
bot.services.complaint_posts). History is made by running a service with a FixedClock set to the
earlier instant. The same seed gives the same workspace; a workspace that has customers is left alone.

The story is told from day 1's morning: the reminder time (09:00 in Asia/Shanghai) of the first
working day (China's holidays and make-up days count) at or after `now`, or `now` itself when later.
The jobs' first run from that morning sends everything said of "day 1". Recycles come 15 hours to 2
days 15 hours after it: "night N" is the night after day N when the playground starts in the
morning. Fixed customers to script a tour against (English sample / Chinese sample):

- Acme Trading / 明辉贸易: Mei's, level A, ordered about monthly for one to two years, nothing for
  ~75 days; a complaint closed 10 days ago with a satisfaction of 2. Critical: in Mei's churn warning
  of day 1 (order gap, spend down, low satisfaction).
- Blue River Foods / 蓝河食品: in the pool, level B, never ordered: there to be claimed.
- Northwind Supplies / 北风商贸: Mei's prospect, follow-up due on day 1; Mei's reminder of day 1 lists
  it with three overdue follow-ups of hers (1, 3 and 5 days; Li has one, 2 days).
- Harbor Logistics / 港湾物流: Mei's since 45 days before night 1, never visited (level C). In Mei's
  recycle warning of day 1, recycled in night 1 and announced in #customer-pool by that run.
- Summit Hardware / 峰顶五金: Li's, visited but no first order since he claimed it 90 days before
  night 2. Warned on days 1 and 2, recycled in night 2 ("no first order in time").
- Evergreen Packaging / 长青包装: Mei's, two complaints within 30 days, one still open (acknowledged,
  its resolve deadline 42 hours after `now`). At risk: in Mei's churn warning of day 1.
- Jade Garden Catering / 翠园餐饮: Li's, an urgent delivery complaint filed 20 minutes before `now`,
  still open (the SLA job nudges Li 10 minutes after `now` and tells Max at the breach, 40 minutes
  after). At risk: in Li's churn warning of day 1.

Besides: three more of Mei's and Li's prospects go back in nights 2 and 3 (all five are in day 1's
warnings and Max's digest), Wang has two customers at risk (orders stopped; spend down and no visit)
and a low complaint open, and Max's digest of day 1 has the team's visits of the working day before,
the overdue follow-ups, Li's release and Wang's two claims of that day, and the open complaints. The
workspace's language (pool channel, complaint cards) follows DEFAULT_LOCALE: set zh-CN for the
Chinese sample.
"""

from __future__ import annotations

import csv
import dataclasses
import random
import tempfile
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import col

from bot.clock import FixedClock
from bot.i18n import N_, Lang
from bot.jobs.digest import previous_working_day
from bot.playground.standin import SlackStandIn
from bot.rules import churn as churn_rules
from bot.rules.calendar import is_working_day, zone
from bot.rules.follow_up import CADENCE_DAYS
from bot.rules.names import name_key
from bot.rules.pool import PoolRules, days_without_visit
from bot.services import bulk, complaint_posts, complaints, pool
from bot.services import settings as settings_service
from bot.services.env import Env
from bot.services.people import Actor, ProfileLookup, change_team, resolve_actor, set_role
from store.bulk import COMPLAINT, CUSTOMER, ORDER, VISIT
from store.models import ROLE_ADMIN, ROLE_MANAGER, ROLE_REP, Customer
from store.models import Workspace as WorkspaceRow

TEAM_ID = "T0TIDE"  # the stand-in's own default
TIMEZONE = "Asia/Shanghai"
SALES, POOL, COMPLAINTS = "C0SALES", "C0POOL", "C0COMPLAINTS"


@dataclass(frozen=True)
class SamplePerson:
    user_id: str
    handle: str  # what the user types after "as @"
    name: str  # the display name
    role: str  # "admin" | "manager" | "rep"
    manager_id: str | None
    locale: str  # Slack's locale: "en-US" or "zh-CN"


@dataclass(frozen=True)
class SampleChannel:
    channel_id: str
    name: str


@dataclass(frozen=True)
class Sample:
    team_id: str
    people: tuple[SamplePerson, ...]
    channels: tuple[SampleChannel, ...]  # sales (where people type), the pool channel, complaints
    admin_ids: frozenset[str]  # for Settings.admin_user_ids

    def person(self, handle: str) -> SamplePerson:
        return next(person for person in self.people if person.handle == handle)

    @property
    def lang(self) -> str:
        return "zh" if self.people[0].locale == "zh-CN" else "en"


@dataclass(frozen=True)
class SeedReport:
    customers: int
    in_pool: int
    visits: int
    orders: int
    complaints: int
    kept: bool  # the workspace had customers already (a kept database): nothing was written

    def describe(self, words: Lang) -> str:
        """One line for the playground's welcome: what the workspace holds, and whether it is new."""
        return words.gettext(KEPT_LINE if self.kept else SEEDED_LINE) % dataclasses.asdict(self)


SEEDED_LINE = N_(
    "Sample workspace: %(customers)s customers (%(in_pool)s in the pool), %(visits)s visits, "
    "%(orders)s orders, %(complaints)s complaints."
)
KEPT_LINE = N_(
    "Kept from the last run: %(customers)s customers (%(in_pool)s in the pool), %(visits)s visits, "
    "%(orders)s orders, %(complaints)s complaints."
)


class SampleError(RuntimeError):
    """The sample data did not go in as planned (a bug here, not the user's doing)."""


# -- The cast -------------------------------------------------------------------------------------------

_CAST = (  # handle, user id, role, English name, Chinese name
    ("ada", "U0ADA", ROLE_ADMIN, "Ada", "艾达"),
    ("max", "U0MAX", ROLE_MANAGER, "Max", "马克"),
    ("mei", "U0MEI", ROLE_REP, "Mei", "陈美"),
    ("li", "U0LI", ROLE_REP, "Li", "李明"),
    ("wang", "U0WANG", ROLE_REP, "Wang", "王强"),
)
_IDS = {handle: user_id for handle, user_id, *_ in _CAST}
_MANAGER_ID = _IDS["max"]
_CHANNELS = ((SALES, "sales"), (POOL, "customer-pool"), (COMPLAINTS, "complaints"))


def sample_workspace(lang: str) -> Sample:
    """The fixed cast: Ada (admin), Max (manager) and his reps Mei, Li and Wang; "en" or "zh"."""
    if lang not in ("en", "zh"):
        raise ValueError(f"the sample speaks en or zh, not {lang!r}")
    locale = "zh-CN" if lang == "zh" else "en-US"
    people = tuple(
        SamplePerson(
            user_id=user_id,
            handle=handle,
            name=chinese if lang == "zh" else english,
            role=role,
            manager_id=_MANAGER_ID if role == ROLE_REP else None,
            locale=locale,
        )
        for handle, user_id, role, english, chinese in _CAST
    )
    admins = frozenset(person.user_id for person in people if person.role == ROLE_ADMIN)
    channels = tuple(SampleChannel(channel_id, name) for channel_id, name in _CHANNELS)
    return Sample(team_id=TEAM_ID, people=people, channels=channels, admin_ids=admins)


def register(standin: SlackStandIn, sample: Sample) -> None:
    """The cast and the channels in the stand-in, as users.info and conversations.info tell them."""
    standin.team_id = sample.team_id  # auth.test and every user answer for the sample's workspace
    for person in sample.people:
        standin.add_user(
            person.user_id,
            person.name,
            tz=TIMEZONE,
            locale=person.locale,
            is_admin=person.role == ROLE_ADMIN,
        )
        standin.users[person.user_id]["name"] = person.handle  # Slack's `name` is the @handle
    for channel in sample.channels:
        standin.add_channel(channel.channel_id, channel.name)


# -- Words ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    """The sample's data in one language (data, not interface: nothing here is translated)."""

    fixed: dict[str, str]  # story key -> customer name
    heads: tuple[str, ...]  # a company name is head + trade + tail
    trades: tuple[str, ...]
    tails: tuple[str, ...]
    joiner: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    regions: tuple[str, ...]
    industries: tuple[str, ...]
    products: tuple[str, ...]
    sources: tuple[str, ...]
    tags: tuple[str, ...]
    notes: tuple[str, ...]
    complaint_texts: dict[str, str]  # story key -> description, resolution or comment
    release_note: str
    mail: Callable[[random.Random, str, str], str]  # rng, contact's first name, name key -> e-mail

    def company(self, rng: random.Random) -> str:
        head, trade, tail = rng.choice(self.heads), rng.choice(self.trades), rng.choice(self.tails)
        return f"{head}{self.joiner}{trade}{tail}"

    def contact(self, rng: random.Random) -> tuple[str, str]:
        first, last = rng.choice(self.first_names), rng.choice(self.last_names)
        return first, (f"{first} {last}" if self.joiner else f"{last}{first}")


def _english_mail(rng: random.Random, first: str, key: str) -> str:
    return f"{first.lower()}@{key[:18]}.com" if rng.random() < 0.6 else ""


def _chinese_mail(rng: random.Random, _first: str, _key: str) -> str:
    return f"{rng.randint(10_000_000, 999_999_999)}@qq.com" if rng.random() < 0.4 else ""


def _split(text: str) -> tuple[str, ...]:
    """A word list written as one string, "a|b|c": long lists stay a few lines."""
    return tuple(text.split("|"))


_ENGLISH = _Words(
    fixed={
        "acme": "Acme Trading",
        "blue_river": "Blue River Foods",
        "northwind": "Northwind Supplies",
        "harbor": "Harbor Logistics",
        "summit": "Summit Hardware",
        "evergreen": "Evergreen Packaging",
        "jade": "Jade Garden Catering",
    },
    # No head shares a word with a fixed name: typing a fixed name finds that customer alone.
    heads=_split(
        "Pacific|Silverline|Golden Gate|Redwood|Lakeside|Orient|Sunrise|Greenfield|Eastern Star|"
        "Grand Canal|Yangtze|Pearl Delta|Bright Path|Crystal|Oakwood|Maple Leaf|Ironbridge|Westlake|"
        "Skyline|Kingfisher|Lotus|Phoenix|Dragon Gate|Silk Road|Cedar|Horizon|Meridian|Starlight|"
        "Coastal|Highland|Granite|Willow|Amber|Falcon|Copper Hill|Bamboo|Sapphire|Twin Peaks|"
        "Morning Dew|Tianfu"
    ),
    trades=_split(
        "Trading|Foods|Logistics|Electronics|Textiles|Machinery|Packaging|Chemicals|Hardware|"
        "Furniture|Pharma|Auto Parts|Plastics|Paper|Beverages|Ceramics|Optics|Garments|"
        "Building Materials|Tools"
    ),
    tails=_split("|| Co.| Ltd.| Inc.| Co., Ltd."),
    joiner=" ",
    first_names=_split(
        "Anna|Ben|Chloe|David|Emma|Frank|Grace|Henry|Ivy|Jack|Kevin|Lily|Mark|Nina|Oscar|Peter|Rose|"
        "Sam|Tina|Victor"
    ),
    last_names=_split("Chen|Zhang|Liu|Huang|Zhao|Wu|Zhou|Xu|Sun|Ma|Hu|Lin"),
    regions=_split("East China|North China|South China|Central China|Southwest|Northeast"),
    industries=_split(
        "Retail|Food & beverage|Logistics|Electronics|Manufacturing|Textiles|Healthcare|Construction"
    ),
    products=_split("Corrugated boxes|Labels|Pallets|Stretch film|Gift boxes"),
    sources=_split("Referral|Trade show|Website|Cold call"),
    tags=_split("||key account|export|chain store"),
    notes=_split(
        "Checked their stock levels|Talked through next quarter's prices|Sent samples of the new "
        "cartons|Quarterly business review|They asked about faster delivery|Introduced the gift box "
        "line|Followed up on the last quote|Met the new purchasing manager"
    ),
    complaint_texts={
        "acme": "Two pallets of cartons arrived crushed; they need replacements before their shipment.",
        "acme_resolution": "Replaced both pallets at our cost.",
        "acme_comment": "Still unhappy: the replacement came three days late.",
        "evergreen_billing": "Invoice 4471 charged last year's price.",
        "evergreen_resolution": "Credit note issued for the difference.",
        "evergreen_comment": "Fine now.",
        "evergreen_service": "Nobody called back about the delayed sample order.",
        "jade": "Today's delivery has not arrived and their banquet starts at 6 pm.",
        "wang": "Some labels peel off in the cold store.",
    },
    release_note="Budget frozen until next year.",
    mail=_english_mail,
)

_CHINESE = _Words(
    fixed={
        "acme": "明辉贸易",
        "blue_river": "蓝河食品",
        "northwind": "北风商贸",
        "harbor": "港湾物流",
        "summit": "峰顶五金",
        "evergreen": "长青包装",
        "jade": "翠园餐饮",
    },
    heads=_split(
        "上海鑫达|杭州恒通|苏州瑞丰|南京华盛|宁波永信|无锡宏远|广州金泰|深圳嘉禾|东莞盛世|佛山兴业|"
        "厦门百川|福州天成|青岛锦程|天津德昌|北京富源|成都利达|重庆汇通|武汉新航|长沙东方|合肥中联|"
        "上海海纳|杭州博远|苏州同创|南京万润|宁波安泰|广州昌盛|深圳鼎新|厦门隆兴|青岛华信|成都天府"
    ),
    trades=_split(
        "贸易|食品|物流|电子|纺织|机械|包装|化工|五金|家具|医药|汽配|塑胶|纸业|饮料|陶瓷|建材|服饰"
    ),
    tails=_split("有限公司|有限公司|股份有限公司|有限责任公司"),
    joiner="",
    first_names=_split("伟|芳|娜|敏|静|磊|强|洋|艳|勇|军|杰|娟|涛|秀英|丽"),
    last_names=_split("张|王|李|赵|刘|陈|杨|黄|周|吴|徐|孙|胡|朱|林"),
    regions=_split("华东|华北|华南|华中|西南|东北"),
    industries=_split("零售|食品饮料|物流|电子|制造|纺织|医疗|建筑"),
    products=_split("瓦楞纸箱|标签|托盘|缠绕膜|礼盒"),
    sources=_split("转介绍|展会|官网|陌拜"),
    tags=_split("||重点客户|出口|连锁"),
    notes=_split(
        "了解库存情况|沟通下季度价格|寄送新款纸箱样品|季度业务回顾|客户希望缩短交货期|介绍礼盒产品线|"
        "跟进上次报价|拜访新任采购经理"
    ),
    complaint_texts={
        "acme": "两托盘纸箱到货时被压坏，客户需要在出货前补发。",
        "acme_resolution": "已由我方承担费用补发两托盘。",
        "acme_comment": "仍不满意：补发晚到了三天。",
        "evergreen_billing": "4471号发票按去年的价格开具。",
        "evergreen_resolution": "已开具差额红字发票。",
        "evergreen_comment": "已解决。",
        "evergreen_service": "样品单延迟后一直没人回电话。",
        "jade": "今天的货还没到，客户的宴会晚上六点开始。",
        "wang": "部分标签在冷库里脱落。",
    },
    release_note="客户预算冻结到明年。",
    mail=_chinese_mail,
)

WORDS = {"en": _ENGLISH, "zh": _CHINESE}


# -- The calendar of the story --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Calendar:
    """The days the story is told against, in the sample's time zone."""

    now: datetime
    country: str
    today: date  # the local day at `now`
    first_day: date  # day 1: the first working day at or after today
    first_morning: datetime  # day 1's reminder time, or `now` when later
    last_working_day: date  # the working day before day 1: "yesterday" in day 1's digest

    @classmethod
    def starting(cls, now: datetime, *, country: str, morning: time) -> _Calendar:
        today = now.astimezone(zone(TIMEZONE)).date()
        first_day = _step_to_working_day(today, country, forward=True)
        first_morning = max(now, datetime.combine(first_day, morning, tzinfo=zone(TIMEZONE)))
        last_working_day = previous_working_day(first_day, country)
        return cls(now, country, today, first_day, first_morning, last_working_day)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=zone(TIMEZONE))

    def day1(self, days: int) -> date:
        """Day 1 plus `days` (negative: before it)."""
        return self.first_day + timedelta(days=days)

    def working_on_or_before(self, day: date) -> date:
        return _step_to_working_day(day, self.country, forward=False)

    def working_on_or_after(self, day: date) -> date:
        return _step_to_working_day(day, self.country, forward=True)

    def working_day_in(self, rng: random.Random, low: date, high: date) -> date:
        """A working day from `low` to `high`; `high` when there is none in between."""
        if low >= high:
            return high
        day = self.working_on_or_before(low + timedelta(days=rng.randint(0, (high - low).days)))
        return day if day >= low else high


def _step_to_working_day(day: date, country: str, *, forward: bool) -> date:
    step = timedelta(days=1 if forward else -1)
    while not is_working_day(day, country):
        day += step
    return day


# -- The plan: what to write, made before anything is written ------------------------------------------

POOL_COHORT, DEALT_COHORT, PROSPECT_COHORT = "pool", "dealt", "prospect"
# When each cohort came in: the pool's customers long ago, the buyers before their first orders, the
# prospects recently enough that none is near the "no order within 90 days" rule.
COHORT_AGE = {
    POOL_COHORT: timedelta(days=200),
    DEALT_COHORT: timedelta(days=730),
    PROSPECT_COHORT: timedelta(days=50),
}
HEALTHY_MARGIN_DAYS = 6  # a healthy customer is at least this far from a recycle or a churn signal
VISIT_HISTORY_DAYS = 90
STEADY_ATTEMPTS = 30
FEWEST_ORDERS = 6  # a buyer's rhythm needs a few orders to be a rhythm


@dataclass
class _Customer:
    name: str
    owner: str | None
    cohort: str
    level: str
    story: str = ""  # the part it plays ("" for the crowd)
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Visit:
    customer: str
    author: str
    day: date
    kind: str
    note: str
    satisfaction: int | None = None
    follow_up: date | None = None
    early: bool = False  # imported as of an earlier day: its follow-up is overdue today


@dataclass(frozen=True)
class _Order:
    customer: str
    day: date
    amount: int  # yuan
    product: str


@dataclass(frozen=True)
class _Move:
    """A claim (to the person) or a release (from them) through the pool service, at `at`."""

    customer: str
    user_id: str
    at: datetime
    release: bool = False
    note: str = ""  # why it was released


@dataclass(frozen=True)
class _Step:
    after: timedelta  # after the filing
    action: str  # "acknowledge", "resolve" or "close"
    text: str = ""
    satisfaction: int | None = None


@dataclass(frozen=True)
class _Complaint:
    customer: str
    filer: str
    category: str
    severity: str
    description: str
    filed_at: datetime
    steps: tuple[_Step, ...] = ()


@dataclass
class _Plan:
    customers: list[_Customer] = field(default_factory=list)
    visits: list[_Visit] = field(default_factory=list)
    orders: list[_Order] = field(default_factory=list)
    moves: list[_Move] = field(default_factory=list)
    complaints: list[_Complaint] = field(default_factory=list)

    def named(self, story: str) -> _Customer:
        return next(customer for customer in self.customers if customer.story == story)

    def crowd(self, owner: str | None, cohort: str) -> list[_Customer]:
        return [c for c in self.customers if c.owner == owner and c.cohort == cohort and not c.story]


@dataclass(frozen=True)
class _Rules:
    pool: PoolRules
    tier_a_percent: int
    tier_b_percent: int


MEI, LI, WANG = _IDS["mei"], _IDS["li"], _IDS["wang"]
OVERDUE = "overdue_"  # a story: "overdue_3" is a follow-up 3 days overdue on day 1
# The levels some parts need: the recycle periods (A 15, B 30, C 45 days) set when they go back.
# B for the overdue follow-ups: their visits a fortnight ago keep them far from their recycle.
_STORY_LEVELS = {
    "recycle_mei_b": "B", "recycle_mei_a": "A", "recycle_li_c": "C",
    "overdue_1": "B", "overdue_2": "B", "overdue_3": "B", "overdue_5": "B",
}  # fmt: skip
REPS = (MEI, LI, WANG)


class _Planner:
    """Makes the plan from a seeded random generator: the crowd first, then the parts of the story."""

    def __init__(self, rng: random.Random, words: _Words, calendar: _Calendar, rules: _Rules) -> None:
        self.rng, self.words, self.cal, self.rules = rng, words, calendar, rules
        self.plan = _Plan()
        self.keys: set[str] = set()
        self.phones: set[str] = set()

    def make(self) -> _Plan:
        self._cast_customers()
        self._buy()
        self._rank_levels()
        self._visit()
        self._visits_yesterday()
        self._move()
        self._complain()
        return self.plan

    # customers
    def _cast_customers(self) -> None:
        total = self.rng.randint(250, 290)
        fixed = [
            ("acme", MEI, DEALT_COHORT, "A"), ("blue_river", None, POOL_COHORT, "B"),
            ("northwind", MEI, PROSPECT_COHORT, "B"), ("harbor", None, POOL_COHORT, "C"),
            ("summit", None, POOL_COHORT, "B"), ("evergreen", MEI, DEALT_COHORT, "B"),
            ("jade", LI, DEALT_COHORT, "B"),
        ]  # fmt: skip
        for story, owner, cohort, level in fixed:
            self._add(self.words.fixed[story], owner, cohort, level, story)
        claimed_later, released_later = 7, 1  # the story's claims and Li's release
        pool_cohort = round(total * 0.4) + claimed_later - released_later
        pool_cohort -= sum(1 for part in fixed if part[2] == POOL_COHORT)
        for _ in range(pool_cohort):
            self._add(self._new_name(), None, POOL_COHORT, self._prospect_level())
        owned = total - len(self.plan.customers)
        owners = [REPS[n % len(REPS)] for n in range(owned)]
        self.rng.shuffle(owners)
        for n, owner in enumerate(owners):
            cohort = DEALT_COHORT if n % 2 == 0 else PROSPECT_COHORT
            self._add(self._new_name(), owner, cohort, self._prospect_level())
        self._cast_roles()

    def _cast_roles(self) -> None:
        """Parts of the story for customers of the crowd."""
        parts = [
            (
                None,
                POOL_COHORT,
                ("recycle_mei_b", "recycle_mei_a", "recycle_li_c", "claim_wang", "claim_wang"),
            ),
            (MEI, PROSPECT_COHORT, ("overdue_1", "overdue_3", "overdue_5")),  # days overdue on day 1
            (LI, PROSPECT_COHORT, ("overdue_2", "release")),
            (LI, DEALT_COHORT, ("stopped",)),
            (WANG, DEALT_COHORT, ("stopped", "spend_down", "complaint_wang")),
        ]
        for owner, cohort, stories in parts:
            for customer, story in zip(self.plan.crowd(owner, cohort), stories, strict=False):
                customer.story = story
                customer.level = _STORY_LEVELS.get(story, customer.level)

    def _add(self, name: str, owner: str | None, cohort: str, level: str, story: str = "") -> None:
        self.keys.add(name_key(name))
        first, contact = self.words.contact(self.rng)
        details = {
            "contact_person": contact,
            "phone": self._new_phone(),
            "email": self.words.mail(self.rng, first, name_key(name)),
            "region": self.rng.choice(self.words.regions),
            "industry": self.rng.choice(self.words.industries),
            "products": self.rng.choice(self.words.products),
            "tags": self.rng.choice(self.words.tags),
            "source": self.rng.choice(self.words.sources),
        }
        self.plan.customers.append(_Customer(name, owner, cohort, level, story, details))

    def _new_name(self) -> str:
        """A company name whose key no other customer has (the import would skip a duplicate)."""
        while True:
            name = self.words.company(self.rng)
            if name_key(name) not in self.keys:
                return name

    def _new_phone(self) -> str:
        while True:
            phone = f"1{self.rng.choice('3589')}{self.rng.randint(0, 9)} {self.rng.randint(0, 9999):04d} {self.rng.randint(0, 9999):04d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _prospect_level(self) -> str:
        return self.rng.choices(("A", "B", "C"), weights=(2, 4, 4))[0]

    # orders
    def _buy(self) -> None:
        for customer in self.plan.customers:
            if customer.cohort == DEALT_COHORT:
                self.plan.orders += self._orders_of(customer)

    def _orders_of(self, customer: _Customer) -> list[_Order]:
        if customer.story == "acme":
            return self._stopped_orders(customer, gap=30, size=160_000, stop=self.cal.day1(-75))
        if customer.story == "stopped":
            gap = self.rng.randint(20, 35)
            stop = self.cal.day1(-(2 * gap + self.rng.randint(10, 25)))
            return self._stopped_orders(customer, gap=gap, size=self.rng.randint(20, 60) * 1000, stop=stop)
        if customer.story == "spend_down":
            return self._shrinking_orders(customer)
        return self._steady_orders(customer)

    def _steady_orders(self, customer: _Customer) -> list[_Order]:
        """A buyer no churn signal fires on, from today to a few days past the tour."""
        orders: list[_Order] = []
        for _ in range(STEADY_ATTEMPTS):
            orders = self._new_buyer(customer) if self.rng.random() < 0.12 else self._regular_buyer(customer)
            if self._quiet(orders):
                break
        return orders

    def _new_buyer(self, customer: _Customer) -> list[_Order]:
        day = self.cal.working_day_in(self.rng, self.cal.day1(-80), self.cal.last_working_day)
        return [self._order(customer, day, self.rng.randint(3, 40) * 1000)]

    def _regular_buyer(self, customer: _Customer) -> list[_Order]:
        gap = self.rng.randint(14, 35)
        last = self.cal.working_on_or_before(
            self.cal.last_working_day - timedelta(days=self.rng.randint(0, gap - 2))
        )
        return self._every(customer, gap, self.rng.randint(3, 60) * 1000, _orders_over(self.rng, gap), last)

    def _stopped_orders(self, customer: _Customer, *, gap: int, size: int, stop: date) -> list[_Order]:
        """A regular rhythm that stopped: the order gap (and the spend) signals fire."""
        return self._every(
            customer, gap, size, _orders_over(self.rng, gap), self.cal.working_on_or_before(stop)
        )

    def _shrinking_orders(self, customer: _Customer) -> list[_Order]:
        """Orders as regular as ever, but the last 90 days' at 40 % of the amounts before."""
        gap, size = self.rng.randint(14, 21), self.rng.randint(20, 50) * 1000
        orders = self._every(customer, gap, size, _orders_over(self.rng, gap), self.cal.last_working_day)
        recent = self.cal.today - timedelta(days=churn_rules.SPEND_WINDOW_DAYS - 1)
        return [dataclasses.replace(o, amount=o.amount * 2 // 5) if o.day >= recent else o for o in orders]

    def _every(self, customer: _Customer, gap: int, size: int, count: int, last: date) -> list[_Order]:
        """`count` orders about `gap` days apart, the last on `last`."""
        orders, day = [], last
        for _ in range(count):
            orders.append(self._order(customer, day, size))
            day = self.cal.working_on_or_before(day - timedelta(days=gap + self.rng.randint(-3, 3)))
        return orders

    def _order(self, customer: _Customer, day: date, size: int) -> _Order:
        amount = round(size * self.rng.uniform(0.92, 1.08))
        return _Order(customer.name, day, amount, customer.details["products"])

    def _quiet(self, orders: list[_Order]) -> bool:
        """Neither the order gap nor the spend signal fires from today until a few days after day 1."""
        end = self.cal.day1(HEALTHY_MARGIN_DAYS)
        days = [self.cal.today + timedelta(days=n) for n in range((end - self.cal.today).days + 1)]
        return not any(_order_gap(orders, day) or _spend_down(orders, day) for day in days)

    def _rank_levels(self) -> None:
        """The buyers' levels as the `tiers` job would set them, so its first run changes (almost) none."""
        since = self.cal.today - timedelta(days=364)
        revenue = {c.name: 0 for c in self.plan.customers if c.cohort == DEALT_COHORT}
        for order in self.plan.orders:
            if since <= order.day <= self.cal.today:
                revenue[order.customer] += order.amount
        ranked = sorted(revenue.values())
        a_share = self.rules.tier_a_percent / 100
        ab_share = (self.rules.tier_a_percent + self.rules.tier_b_percent) / 100
        for customer in self.plan.customers:
            if customer.cohort == DEALT_COHORT:
                place = (len(ranked) - bisect_left(ranked, revenue[customer.name])) / len(ranked)
                customer.level = "A" if place <= a_share else "B" if place <= ab_share else "C"

    # visits
    def _visit(self) -> None:
        for customer in self.plan.customers:
            if customer.owner is None:
                continue  # the pool's customers, and those the story claims later: nobody visits them
            if customer.story.startswith(OVERDUE):
                self._overdue_visits(customer, int(customer.story.removeprefix(OVERDUE)))
                continue
            visit = {
                "acme": self._acme_visits,
                "northwind": self._northwind_visits,
                "stopped": self._neglected_visits,
                "spend_down": self._neglected_visits,
            }.get(customer.story, self._healthy_visits)
            visit(customer)

    def _since(self, customer: _Customer) -> date:
        owned_from = (self.cal.now - COHORT_AGE[customer.cohort]).astimezone(zone(TIMEZONE)).date()
        return max(self.cal.day1(-VISIT_HISTORY_DAYS), owned_from + timedelta(days=1))

    def _limit_days(self, customer: _Customer) -> int:
        """How long the customer may go without a visit: the churn cadence for buyers, the recycle
        period for prospects."""
        if customer.cohort == DEALT_COHORT:
            return CADENCE_DAYS[customer.level]
        return days_without_visit(self.rules.pool, customer.level)

    def _healthy_visits(self, customer: _Customer) -> None:
        limit = self._limit_days(customer)
        lowest = max(self.cal.day1(HEALTHY_MARGIN_DAYS - limit), self._since(customer))
        last = self.cal.working_day_in(self.rng, lowest, self.cal.last_working_day)
        follow_up = self._promised_after(customer, last) if self.rng.random() < 0.7 else None
        self._visit_run(customer, last, self._since(customer), spacing=limit * 2 // 3, follow_up=follow_up)

    def _promised_after(self, customer: _Customer, visited: date) -> date:
        """A follow-up after day 1 (day 1's reminders tell the story's own), on a working day: the
        level's cadence from the visit, or a day of the tour's first weeks when that has passed."""
        cadence = CADENCE_DAYS[customer.level]
        promised = visited + timedelta(days=self.rng.randint(cadence // 2, cadence))
        if promised <= self.cal.first_day:
            promised = self.cal.day1(self.rng.randint(1, 20))
        return self.cal.working_on_or_after(promised)

    def _neglected_visits(self, customer: _Customer) -> None:
        """Visits that stopped a while before the level's cadence ran out: contact overdue."""
        last = self.cal.working_on_or_before(
            self.cal.day1(-CADENCE_DAYS[customer.level] - self.rng.randint(5, 20))
        )
        self._visit_run(customer, last, self._since(customer), spacing=30)

    def _acme_visits(self, customer: _Customer) -> None:
        """Good ratings until the complaint's follow-up call (10 days ago) gave a 2."""
        for days in (-25, -48, -70):
            day = self.cal.working_on_or_before(self.cal.day1(days))
            self.plan.visits.append(self._visit_on(customer, day, satisfaction=4))

    def _northwind_visits(self, customer: _Customer) -> None:
        last = self.cal.working_on_or_before(self.cal.day1(-14))
        self._visit_run(customer, last, self._since(customer), spacing=20, follow_up=self.cal.first_day)

    def _overdue_visits(self, customer: _Customer, days_overdue: int) -> None:
        """A follow-up promised for a day now past: its visit goes in as of `_overdue_clock_day`, the
        earlier visits with the rest."""
        clock_day = _overdue_clock_day(self.cal)
        last = self.cal.working_day_in(self.rng, clock_day - timedelta(days=8), clock_day)
        self._visit_run(customer, last - timedelta(days=10), self._since(customer), spacing=20)
        follow_up = self.cal.day1(-days_overdue)
        self.plan.visits.append(self._visit_on(customer, last, follow_up=follow_up, early=True))

    def _visit_run(
        self, customer: _Customer, last: date, since: date, *, spacing: int, follow_up: date | None = None
    ) -> None:
        """Visits from `last` back to `since`, a few days to `spacing` apart; the latest promises the
        follow-up."""
        day = last
        while day >= since:
            satisfaction = self.rng.choice((3, 4, 4, 5, 5)) if self.rng.random() < 0.35 else None
            self.plan.visits.append(self._visit_on(customer, day, satisfaction, follow_up))
            follow_up = None
            gap = self.rng.randint(max(1, spacing // 2), max(1, spacing))
            day = self.cal.working_on_or_before(day - timedelta(days=gap))

    def _visit_on(
        self,
        customer: _Customer,
        day: date,
        satisfaction: int | None = None,
        follow_up: date | None = None,
        *,
        early: bool = False,
    ) -> _Visit:
        kind = self.rng.choice(("call", "call", "on_site", "message", "email", "meeting"))
        note = self.rng.choice(self.words.notes)
        return _Visit(customer.name, customer.owner or "", day, kind, note, satisfaction, follow_up, early)

    def _visits_yesterday(self) -> None:
        """At least two visits by each rep on the working day before day 1, for day 1's digest."""
        day = self.cal.last_working_day
        for rep in REPS:
            done = sum(1 for v in self.plan.visits if v.author == rep and v.day == day)
            healthy = [c for c in self.plan.customers if c.owner == rep and not c.story]
            for customer in self.rng.sample(healthy, max(0, 2 - done)):
                self.plan.visits.append(self._visit_on(customer, day))

    # pool moves and complaints
    def _move(self) -> None:
        """Claims made so that each customer's recycle falls in the first nights, and Wang's claims
        and Li's release of the day before day 1 (for the digest)."""
        morning = self.cal.first_morning
        recycles = (
            ("harbor", MEI, timedelta(hours=15), False), ("recycle_mei_b", MEI, timedelta(days=1, hours=15), False),
            ("summit", LI, timedelta(days=1, hours=16), True), ("recycle_mei_a", MEI, timedelta(days=2, hours=12), False),
            ("recycle_li_c", LI, timedelta(days=2, hours=15), False),
        )  # fmt: skip
        for story, rep, after, no_order in recycles:
            customer = self.plan.named(story)
            period = self.rules.pool.days_to_first_order if no_order else self._limit_days(customer)
            self.plan.moves.append(_Move(customer.name, rep, morning + after - timedelta(days=period)))
            customer.owner = rep
        yesterday = self.cal.last_working_day
        for customer, hour in zip(
            [c for c in self.plan.customers if c.story == "claim_wang"], (10, 14), strict=True
        ):
            self.plan.moves.append(_Move(customer.name, WANG, self.cal.at(yesterday, hour, 30)))
            customer.owner = WANG
        released = self.plan.named("release")
        release = _Move(
            released.name, LI, self.cal.at(yesterday, 16), release=True, note=self.words.release_note
        )
        self.plan.moves.append(release)
        self._summit_visits()

    def _summit_visits(self) -> None:
        """Li visits Summit after claiming it, so it is the missing order that sends it back."""
        summit = self.plan.named("summit")
        for days in (-40, -9):
            day = self.cal.working_on_or_before(self.cal.day1(days))
            self.plan.visits.append(self._visit_on(summit, day))

    def _complain(self) -> None:
        now, texts, cal = self.cal.now, self.words.complaint_texts, self.cal
        acme, evergreen = self.plan.named("acme").name, self.plan.named("evergreen").name
        self.plan.complaints += [
            _Complaint(acme, MEI, "quality", "high", texts["acme"], cal.at(cal.today - timedelta(days=12), 10, 30), (
                _Step(timedelta(hours=1), "acknowledge"),
                _Step(timedelta(days=1, hours=2), "resolve", texts["acme_resolution"]),
                _Step(timedelta(days=2, hours=4), "close", texts["acme_comment"], satisfaction=2),
            )),
            _Complaint(evergreen, MEI, "billing", "low", texts["evergreen_billing"], cal.at(cal.today - timedelta(days=15), 11), (
                _Step(timedelta(hours=2), "acknowledge"),
                _Step(timedelta(days=1), "resolve", texts["evergreen_resolution"]),
                _Step(timedelta(days=2), "close", texts["evergreen_comment"], satisfaction=4),
            )),
            _Complaint(evergreen, MEI, "service", "medium", texts["evergreen_service"], now - timedelta(hours=30), (
                _Step(timedelta(hours=2), "acknowledge"),
            )),
            _Complaint(self.plan.named("jade").name, LI, "delivery", "urgent", texts["jade"], now - timedelta(minutes=20)),
            _Complaint(self.plan.named("complaint_wang").name, WANG, "quality", "low", texts["wang"], now - timedelta(hours=3)),
        ]  # fmt: skip


def _orders_over(rng: random.Random, gap: int) -> int:
    """How many orders `gap` days apart fill one to two years."""
    return max(FEWEST_ORDERS, round(rng.randint(365, 700) / gap))


def _overdue_clock_day(calendar: _Calendar) -> date:
    """The day the overdue follow-ups were promised on (a follow-up is promised for today or later)."""
    return min(calendar.first_day, calendar.today) - timedelta(days=6)


def _order_gap(orders: list[_Order], today: date) -> bool:
    """store.churn.order_gap for one customer."""
    days = [order.day for order in orders if order.day <= today]
    if len(days) < 2:
        return False
    since = (today - max(days)).days
    span = (max(days) - min(days)).days
    gap = churn_rules.GAP_MULTIPLIER
    return since > gap * churn_rules.MIN_USUAL_GAP_DAYS and since * (len(days) - 1) > gap * span


def _spend_down(orders: list[_Order], today: date) -> bool:
    """store.churn.spend_down for one customer."""
    recent_from = today - timedelta(days=churn_rules.SPEND_WINDOW_DAYS - 1)
    previous_from = recent_from - timedelta(days=churn_rules.SPEND_WINDOW_DAYS)
    recent = sum(o.amount for o in orders if recent_from <= o.day <= today)
    previous = sum(o.amount for o in orders if previous_from <= o.day < recent_from)
    return previous > 0 and recent * 100 <= previous * (100 - churn_rules.SPEND_DROP_PERCENT)


# -- Writing it ----------------------------------------------------------------------------------------


def is_seeded(env: Env, team_id: str) -> bool:
    """Whether the workspace has any customer (a kept database): then `seed` writes nothing."""
    with env.db.connection() as connection:
        found = connection.execute(
            sa.select(col(Customer.id)).where(col(Customer.workspace_id) == team_id).limit(1)
        ).first()
    return found is not None


def seed(env: Env, sample: Sample, *, lookup: ProfileLookup, seed: int) -> SeedReport:
    """Write the sample workspace as of `env.clock.now()`: people, settings, customers with their
    visits and orders, pool moves and complaints. Nothing when the workspace has customers already."""
    if is_seeded(env, sample.team_id):
        return _report(env, sample.team_id, kept=True)
    actors = _set_up_people(env, sample, lookup)
    admin = actors[next(p.handle for p in sample.people if p.role == ROLE_ADMIN)]
    settings_service.save(env, admin, {"pool_channel": POOL, "complaints_channel": COMPLAINTS})
    settings = settings_service.load(env, sample.team_id)
    calendar = _Calendar.starting(env.clock.now(), country=settings.country, morning=settings.reminder_at)
    rules = _Rules(settings.pool_rules(), settings.tier_a_percent, settings.tier_b_percent)
    plan = _Planner(random.Random(seed), WORDS[sample.lang], calendar, rules).make()
    by_id = {actor.user_id: actor for actor in actors.values()}
    workspace = bulk.workspace_for(env, sample.team_id)
    _import_customers(env, workspace, plan)
    ids = _customer_ids(env, sample.team_id)
    _claim(env, plan, by_id, ids)
    _import_history(env, workspace, plan, calendar)
    _release(env, plan, by_id, ids)
    _file_complaints(env, plan, by_id, ids)
    return _report(env, sample.team_id, kept=False)


def _set_up_people(env: Env, sample: Sample, lookup: ProfileLookup) -> dict[str, Actor]:
    """Everyone met (as on first contact), Max made a manager and given his team, by the admin."""

    def meet(person: SamplePerson) -> Actor:
        return resolve_actor(env, workspace_id=sample.team_id, user_id=person.user_id, lookup=lookup)

    admin = meet(next(p for p in sample.people if p.role == ROLE_ADMIN))
    if not admin.is_admin:
        raise SampleError(f"{admin.user_id} is not an admin: pass sample.admin_ids as ADMIN_USER_IDS")
    for person in sample.people:
        meet(person)
    for manager in (p for p in sample.people if p.role == ROLE_MANAGER):
        set_role(env, admin, user_id=manager.user_id, role=ROLE_MANAGER, lookup=lookup)
        team = [p.user_id for p in sample.people if p.manager_id == manager.user_id]
        change_team(env, admin, manager_id=manager.user_id, add=True, rep_ids=team, lookup=lookup)
    return {person.handle: meet(person) for person in sample.people}  # with their roles now


def _at(env: Env, when: datetime) -> Env:
    """The services as they ran at an earlier instant."""
    return dataclasses.replace(env, clock=FixedClock(when))


def _import_customers(env: Env, workspace: WorkspaceRow, plan: _Plan) -> None:
    for cohort, age in COHORT_AGE.items():
        rows = [_customer_row(c) for c in plan.customers if c.cohort == cohort]
        _import(_at(env, env.clock.now() - age), workspace, "customers", rows)


def _customer_row(customer: _Customer) -> dict[str, str]:
    # Owners as they were when the cohort came in: the story's claims and release come later.
    owner = customer.owner if customer.cohort != POOL_COHORT else None
    return {"name": customer.name, **customer.details, "level": customer.level, "owner": owner or ""}


def _import_history(env: Env, workspace: WorkspaceRow, plan: _Plan, calendar: _Calendar) -> None:
    """Orders and visits as of now; the visits that promised the overdue follow-ups as of the day they
    were promised on (the visit form takes no follow-up in the past)."""
    _import(env, workspace, "orders", [_order_row(order) for order in plan.orders])
    _import(env, workspace, "visits", [_visit_row(visit) for visit in plan.visits if not visit.early])
    promised_on = calendar.at(_overdue_clock_day(calendar), 18)
    _import(_at(env, promised_on), workspace, "visits", [_visit_row(v) for v in plan.visits if v.early])


def _order_row(order: _Order) -> dict[str, str]:
    return {
        "customer": order.customer,
        "amount": str(order.amount),
        "date": order.day.isoformat(),
        "product": order.product,
    }


def _visit_row(visit: _Visit) -> dict[str, str]:
    return {
        "customer": visit.customer,
        "author": visit.author,
        "kind": visit.kind,
        "date": visit.day.isoformat(),
        "note": visit.note,
        "satisfaction": str(visit.satisfaction or ""),
        "next_follow_up": visit.follow_up.isoformat() if visit.follow_up else "",
    }


def _import(
    env: Env,
    workspace: WorkspaceRow,
    kind: str,
    rows: list[dict[str, str]],
) -> None:
    """One CSV file through the bulk import, all or nothing; any line not added is a bug here."""
    if not rows:
        return
    with tempfile.TemporaryDirectory(prefix="tidewater-sample-") as folder:
        path = Path(folder) / f"{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        report = bulk.import_file(
            env,
            kind,
            path,
            workspace=workspace,
            options=bulk.ImportOptions(strict=True),
        )
    if not report.committed or report.outcomes:
        raise SampleError(f"the sample's {kind} did not import: {report.aborted} {report.outcomes[:3]}")


def _customer_ids(env: Env, team_id: str) -> dict[str, int]:
    with env.db.connection() as connection:
        rows = connection.execute(
            sa.select(col(Customer.name), col(Customer.id)).where(col(Customer.workspace_id) == team_id)
        )
        return {str(name): int(customer_id or 0) for name, customer_id in rows}


def _claim(env: Env, plan: _Plan, actors: dict[str, Actor], ids: dict[str, int]) -> None:
    for move in sorted((m for m in plan.moves if not m.release), key=lambda m: m.at):
        pool.claim(_at(env, move.at), actors[move.user_id], ids[move.customer])


def _release(env: Env, plan: _Plan, actors: dict[str, Actor], ids: dict[str, int]) -> None:
    for move in (m for m in plan.moves if m.release):
        actor, customer_id = actors[move.user_id], ids[move.customer]
        pool.release(_at(env, move.at), actor, customer_id, reason="not_interested", note=move.note)


def _file_complaints(env: Env, plan: _Plan, actors: dict[str, Actor], ids: dict[str, int]) -> None:
    """Each complaint filed and handled at its own times, then its card queued for the channel."""
    for spec in plan.complaints:
        filer = actors[spec.filer]
        draft = complaints.ComplaintDraft(
            ids[spec.customer], spec.category, spec.severity, spec.description, "phone"
        )
        filed = complaints.file(_at(env, spec.filed_at), filer, draft)
        number = filed.id or 0
        for step in spec.steps:
            _handle(_at(env, spec.filed_at + step.after), filer, number, step)
        complaint_posts.publish(env, complaint_posts.reload(env, number))


def _handle(env: Env, actor: Actor, number: int, step: _Step) -> None:
    if step.action == "acknowledge":
        complaints.acknowledge(env, actor, number)
    elif step.action == "resolve":
        complaints.resolve(env, actor, number, step.text)
    else:
        complaints.close(env, actor, number, step.satisfaction, step.text)


def _report(env: Env, team_id: str, *, kept: bool) -> SeedReport:
    def count(table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
        query = sa.select(sa.func.count()).select_from(table).where(table.c.workspace_id == team_id, *where)
        return int(connection.execute(query).scalar_one())

    with env.db.connection() as connection:
        return SeedReport(
            customers=count(CUSTOMER),
            in_pool=count(CUSTOMER, CUSTOMER.c.owner_id.is_(None)),
            visits=count(VISIT),
            orders=count(ORDER),
            complaints=count(COMPLAINT),
            kept=kept,
        )
