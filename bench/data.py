"""Generated customers for the benchmarks: realistic Chinese and Latin company names, loaded set-based."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from bot.rules import names

WORKSPACE = "T0BENCH"
CITIES = "上海 北京 广州 深圳 杭州 南京 苏州 成都 武汉 天津 重庆 西安 青岛 宁波 厦门 长沙 郑州 济南 合肥 福州".split()
WORDS = (
    "华东 华南 华北 贸易 科技 实业 机械 电子 化工 物流 食品 医药 建材 纺织 能源 环保 信息 数据 智能 精密 "
    "新材 汽车 包装 服装 五金 照明 家居 水务 农业 海洋"
).split()
SUFFIXES = ["有限公司", "股份有限公司", "集团", "贸易有限公司", ""]
LATIN_FIRST = (
    "Acme Blue Harbor Golden River Summit Pioneer Apex Delta Orion Nova Crest Vertex Atlas Zenith Echo "
    "Falcon Maple Cedar Silver Iron Bright Northern Pacific Eastern Royal Prime Swift Union Grand"
).split()
LATIN_SECOND = (
    "Trading Logistics Systems Foods Textiles Machinery Electronics Chemicals Partners Holdings Industries "
    "Solutions Labs Works Supply Imports Exports Components Materials Packaging"
).split()
LATIN_SUFFIXES = ["Ltd", "Inc", "Co., Ltd", "LLC", ""]
CUSTOMER_COLUMNS = (
    "id, workspace_id, name, name_key, contact_person, phone, email, region, industry, products, tags, "
    "source, level, stage, owner_id, created_by, created_at, updated_at"
)


def company_name(rng: random.Random, number: int) -> str:
    """Odd numbers Chinese (上海华东贸易有限公司), even numbers Latin (Acme Harbor Trading Ltd)."""
    if number % 2:
        return (
            f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(SUFFIXES)}{number % 997}"
        )
    parts = [rng.choice(LATIN_FIRST), rng.choice(LATIN_FIRST), rng.choice(LATIN_SECOND), str(number)]
    return " ".join([*parts, rng.choice(LATIN_SUFFIXES)]).strip()


def _rows(count: int, seed: int, owners: list[str]) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    for number in range(1, count + 1):
        name = company_name(rng, number)
        owner = owners[number % len(owners)] if owners else None
        customer = {
            "id": number, "workspace_id": WORKSPACE, "name": name, "name_key": names.name_key(name),
            "contact_person": "", "phone": "", "email": "", "region": rng.choice(CITIES), "industry": "",
            "products": "", "tags": "", "source": "", "level": rng.choice("ABC"), "stage": "prospect",
            "owner_id": owner, "created_by": owner or "U0BENCH", "created_at": now, "updated_at": now,
        }  # fmt: skip
        terms = [
            {"customer_id": number, "term": t, "workspace_id": WORKSPACE} for t in names.search_terms(name)
        ]
        yield customer, terms


def load_customers(engine: sa.Engine, count: int, *, seed: int = 7, owners: list[str] | None = None) -> None:
    """Insert `count` customers and their search terms in batches (executemany), then ANALYZE."""
    insert_customer = sa.text(
        f"INSERT INTO customer ({CUSTOMER_COLUMNS}) VALUES ("
        + ", ".join(f":{c.strip()}" for c in CUSTOMER_COLUMNS.split(","))
        + ")"
    )
    insert_term = sa.text(
        "INSERT INTO customer_term (customer_id, term, workspace_id) VALUES (:customer_id, :term, :workspace_id)"
    )
    customers: list[dict[str, Any]] = []
    terms: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for customer, customer_terms in _rows(count, seed, owners or []):
            customers.append(customer)
            terms.extend(customer_terms)
            if len(customers) >= 20_000:
                connection.execute(insert_customer, customers)
                connection.execute(insert_term, terms)
                customers, terms = [], []
        if customers:
            connection.execute(insert_customer, customers)
            connection.execute(insert_term, terms)
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))
