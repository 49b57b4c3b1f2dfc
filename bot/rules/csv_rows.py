"""CSV files as spreadsheet tools write them: encodings, English and Chinese headers, cell values.

Pure: text or bytes in, values out. The import (bot.services.bulk) reads the file and writes the rows;
everything here can be tested without either.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation

from bot.rules.names import name_key

KINDS = ("customers", "orders", "visits", "contacts", "opportunities")  # what can be imported
EXPORTS = ("customers", "visits", "orders", "complaints", "contacts", "opportunities")
ON_DUPLICATE = ("skip", "merge")
YES_WORDS = frozenset(("yes", "y", "true", "1", "是", "√"))  # a yes/no cell read as yes
# Excel saves "CSV UTF-8" with a BOM (utf-8-sig reads both); Chinese Excel and WPS save plain "CSV"
# in the system code page, GBK, which GB18030 extends. Tried in this order.
ENCODINGS = ("utf-8-sig", "gb18030")

# Each field, with the headers that name it: the English field name first (what the export writes),
# then other spellings, then the Chinese forms.
CUSTOMER_HEADERS: Mapping[str, tuple[str, ...]] = {
    "name": ("name", "customer", "customer_name", "客户名称", "名称", "客户"),
    "contact_person": ("contact_person", "contact", "联系人"),
    "phone": ("phone", "telephone", "mobile", "电话", "手机", "联系电话"),
    "email": ("email", "e_mail", "邮箱", "电子邮件", "电子邮箱"),
    "region": ("region", "地区", "区域"),
    "industry": ("industry", "行业"),
    "products": ("products", "product", "产品", "意向产品"),
    "tags": ("tags", "tag", "标签"),
    "source": ("source", "来源"),
    "level": ("level", "等级", "级别"),
    "owner": ("owner", "负责人"),
}
_CUSTOMER_REF: Mapping[str, tuple[str, ...]] = {
    "customer": ("customer", "customer_name", "客户", "客户名称"),
    "customer_id": ("customer_id", "客户编号", "客户id"),
}
ORDER_HEADERS: Mapping[str, tuple[str, ...]] = {
    **_CUSTOMER_REF,
    "amount": ("amount", "金额"),
    "currency": ("currency", "币种", "货币"),
    "rate": ("rate", "exchange_rate", "汇率"),
    "date": ("date", "ordered_on", "order_date", "日期", "下单日期", "订单日期"),
    "product": ("product", "产品"),
    "author": ("author", "logged_by", "记录人", "录入人"),
}
VISIT_HEADERS: Mapping[str, tuple[str, ...]] = {
    **_CUSTOMER_REF,
    "author": ("author", "visited_by", "拜访人", "记录人"),
    "kind": ("kind", "type", "类型", "方式", "拜访方式"),
    "date": ("date", "visited_on", "visit_date", "日期", "拜访日期"),
    "note": ("note", "notes", "备注", "内容", "记录"),
    "satisfaction": ("satisfaction", "满意度"),
    "next_follow_up": ("next_follow_up", "follow_up", "下次跟进", "下次跟进日期"),
}
CONTACT_HEADERS: Mapping[str, tuple[str, ...]] = {
    **_CUSTOMER_REF,
    "name": ("name", "contact", "contact_name", "姓名", "联系人"),
    "title": ("title", "role", "position", "职务", "职位", "角色"),
    "phone": ("phone", "telephone", "mobile", "电话", "手机", "联系电话"),
    "email": ("email", "e_mail", "邮箱", "电子邮件", "电子邮箱"),
    "primary": ("primary", "is_primary", "主要联系人"),
    "note": ("note", "notes", "备注"),
}
OPPORTUNITY_HEADERS: Mapping[str, tuple[str, ...]] = {
    **_CUSTOMER_REF,
    "title": ("title", "opportunity", "opportunity_name", "deal", "deal_name", "商机名称", "商机", "标题"),
    "amount": ("amount", "金额", "商机金额", "预计金额"),
    "currency": ("currency", "币种", "货币"),
    "rate": ("rate", "exchange_rate", "汇率"),
    "stage": ("stage", "sales_stage", "阶段", "销售阶段", "商机阶段"),
    "probability": ("probability", "win_probability", "赢率", "赢单率", "可能性"),
    "expected_close": (
        "expected_close",
        "expected_close_on",
        "close_date",
        "预计成交日期",
        "预计成交",
        "结单日期",
    ),
    "products": ("products", "product", "产品"),
    "next_step": ("next_step", "下一步", "下一步计划"),
    "owner": ("owner", "负责人"),
}
# Each kind of file needs all of the first fields and at least one of the second.
REQUIRED: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "customers": (("name",), ()),
    "orders": (("amount", "date"), ("customer", "customer_id")),
    "visits": (("author", "date"), ("customer", "customer_id")),
    "contacts": ((), ("customer", "customer_id")),
    "opportunities": (("title", "amount", "expected_close"), ("customer", "customer_id")),
}
HEADERS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "customers": CUSTOMER_HEADERS,
    "orders": ORDER_HEADERS,
    "visits": VISIT_HEADERS,
    "contacts": CONTACT_HEADERS,
    "opportunities": OPPORTUNITY_HEADERS,
}

VISIT_KIND_WORDS = {
    "call": "call",
    "phone": "call",
    "电话": "call",
    "on_site": "on_site",
    "onsite": "on_site",
    "on_site_visit": "on_site",
    "visit": "on_site",
    "拜访": "on_site",
    "上门": "on_site",
    "email": "email",
    "邮件": "email",
    "message": "message",
    "消息": "message",
    "微信": "message",
    "meeting": "meeting",
    "会议": "meeting",
}

POOL_WORDS = ("", "pool", "the_pool", "公海")
# A cell starting with one of these is a formula to a spreadsheet: the export puts an apostrophe in
# front (OWASP's advice against CSV injection) and the import takes it off again.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
_CUSTOMER_ID = re.compile(r"^#?(\d{1,18})$")
_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


class RowError(ValueError):
    """Why a line cannot be imported, in words for the report."""


class BadFile(ValueError):
    """The file as a whole cannot be imported (no header, a required column missing...)."""


@dataclass(frozen=True)
class Record:
    """One CSV record and the file line it starts on (a quoted cell may span several lines)."""

    line: int
    cells: list[str]


@dataclass(frozen=True)
class Columns:
    """Where each known field is in the file, and the headers nobody reads."""

    positions: Mapping[str, int]
    ignored: list[str] = field(default_factory=list)


def decodes_as(chunks: Iterable[bytes], encoding: str) -> bool:
    """Whether the whole byte stream is valid in `encoding` (chunks may split a character)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for chunk in chunks:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def read_records(lines: Iterable[str]) -> Iterator[Record]:
    """The records of a CSV text, blank lines skipped, each with the line it starts on."""
    reader = csv.reader(lines)
    line = 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield Record(line, cells)
        line = reader.line_num + 1


def normalize_header(text: str) -> str:
    """A header (or a word) as compared: "Contact person", "contact-person", "CONTACT_PERSON *" and
    "联系人：" read alike."""
    folded = unicodedata.normalize("NFKC", text).replace("\ufeff", "").strip().casefold()
    folded = folded.rstrip("*:： ").strip()
    return re.sub(r"[\s\-]+", "_", folded)


def map_columns(header: list[str], kind: str) -> Columns:
    """Which column holds which field; BadFile when a field is missing or named twice."""
    spellings = {
        normalize_header(spelling): name for name, names in HEADERS[kind].items() for spelling in names
    }
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for position, title in enumerate(header):
        name = spellings.get(normalize_header(title))
        if name is None:
            ignored.extend([title.strip()] if title.strip() else [])
        elif name in positions:
            raise BadFile(f"two columns mean {name}: {header[positions[name]]!r} and {title!r}")
        else:
            positions[name] = position
    _require(positions, kind)
    return Columns(positions, ignored)


def _require(positions: Mapping[str, int], kind: str) -> None:
    every, one_of = REQUIRED[kind]
    missing = [name for name in every if name not in positions]
    if one_of and not any(name in positions for name in one_of):
        missing.append(" or ".join(one_of))
    if missing:
        accepted = "; ".join(f"{name}: {', '.join(HEADERS[kind][name])}" for name in every)
        raise BadFile(f"the header has no column for {', '.join(missing)} (accepted headers: {accepted})")


def values_of(record: Record, columns: Columns, width: int) -> dict[str, str]:
    """The record's known fields, trimmed and un-escaped; RowError when it has more cells than the
    header (an unquoted comma in a value, usually)."""
    extra = [cell for cell in record.cells[width:] if cell.strip()]
    if extra:
        raise RowError(
            f"{len(record.cells)} cells but the header has {width}: is a comma in a value unquoted?"
        )
    cells = record.cells
    return {
        name: unescape_cell(cells[position].strip()) if position < len(cells) else ""
        for name, position in columns.positions.items()
    }


def escape_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def unescape_cell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS) else text


def parse_day(text: str, what: str) -> date:
    """2026-11-23, 2026/11/23, 2026.11.23 or 2026年11月23日, with any time after it ignored."""
    if not text:
        raise RowError(f"{what}: missing")
    day = unicodedata.normalize("NFKC", text).strip().split(" ")[0].split("T")[0]
    found = _DAY.match(day)
    if not found:
        raise RowError(f"{what}: {text!r} is not a date (write it as 2026-11-23)")
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        raise RowError(f"{what}: {text!r} is not a date in the calendar") from None


def parse_optional_day(text: str, what: str) -> date | None:
    return parse_day(text, what) if text else None


def parse_satisfaction(text: str) -> int | None:
    if not text:
        return None
    try:
        number = Decimal(unicodedata.normalize("NFKC", text))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value():  # spreadsheets write 4 as 4.0
        raise RowError(f"satisfaction: {text!r} is not a number from 1 to 5")
    return int(number)


def visit_kind(text: str) -> str:
    """The visit kind from its English or Chinese word (call when empty); unknown words stay as typed,
    for the visit validation to refuse."""
    word = normalize_header(text) if text else "call"
    return VISIT_KIND_WORDS.get(word, word)


def means_pool(owner: str) -> bool:
    """An empty owner cell, or one saying pool (公海): the customer goes to the pool."""
    return normalize_header(owner) in POOL_WORDS


def is_user_id(text: str) -> bool:
    return bool(_USER_ID.match(text))


def customer_id_in(text: str) -> int | None:
    """The id in "123" or "#123", else None."""
    found = _CUSTOMER_ID.match(text.strip())
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class CustomerRef:
    """A line's customer: by id (customer_id, or "#12" as the name) or by its exact name's key."""

    text: str
    key: str = ""
    id: int | None = None

    @classmethod
    def of(cls, values: dict[str, str]) -> CustomerRef:
        number, name = values.get("customer_id", ""), values.get("customer", "")
        if number:
            if (customer_id := customer_id_in(number)) is None:
                raise RowError(f"customer_id: {number!r} is not a customer id")
            return cls(number, id=customer_id)
        if name.startswith("#") and (customer_id := customer_id_in(name)) is not None:
            return cls(name, id=customer_id)
        if not name:
            raise RowError("customer: missing")
        return cls(name, key=name_key(name))


def format_cell(value: object, timezone: tzinfo) -> str:
    """A value as an exported cell: instants in the workspace's zone, days as 2026-11-23, text made
    safe from spreadsheet formulas."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(timezone).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escape_cell(value) if isinstance(value, str) else str(value)
