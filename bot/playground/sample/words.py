"""The sample's words: company names, contacts, notes and complaint texts in English and Chinese
(data, not interface: nothing here is translated)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
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
    opportunity_titles: dict[str, str]  # story key -> the title of an opportunity on that customer
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


_ENGLISH = Words(
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
    opportunity_titles={"evergreen": "Cold-store packaging for 2027", "jade": "Banquet tableware"},
    mail=_english_mail,
)

_CHINESE = Words(
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
    opportunity_titles={"evergreen": "2027年冷库包装", "jade": "宴会餐具"},
    mail=_chinese_mail,
)

WORDS = {"en": _ENGLISH, "zh": _CHINESE}
