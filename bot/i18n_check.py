"""`python -m bot.i18n_check [--update]`: the zh_CN catalog covers every message in the code, with nothing
untranslated, fuzzy or obsolete, and compiles. CI runs it; so does `python3 dev.py test`."""

from __future__ import annotations

import re
import sys
import tokenize
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n import CHINESE, LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "say_n": (2, 3)}


MessageId = str | tuple[str, str]  # a plain message, or (singular, plural)


def extracted_messages() -> dict[str, MessageId]:
    """Every message in the Python code and the templates, by its (singular) id; plural messages keep
    their plural, which the catalog needs to translate them (gettext looks plurals up as such)."""
    method_map = [
        ("bot/**.py", "python"),
        ("handlers/**.py", "python"),
        ("bot/views/templates/**.j2", "jinja2"),
    ]
    options = {"bot/views/templates/**.j2": {"extensions": "jinja2.ext.i18n"}}
    found: dict[str, MessageId] = {}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options, keywords=KEYWORDS
    ):
        if isinstance(message, tuple) and len(message) > 1 and message[1]:
            found[message[0]] = (message[0], message[1])
        else:
            singular = message[0] if isinstance(message, tuple) else message
            found.setdefault(singular, singular)
    return found


_MESSAGE_CALL = re.compile(r"\b(?:_|N_|gettext|ngettext|say_n)\(\s*[rbu]?['\"]")


def hidden_in_f_strings() -> list[str]:
    """Messages written inside f-strings: Python 3.11 tokenizes an f-string as one string, so the
    extractor never sees them and they would stay English (a card once showed "Assignee" in Chinese)."""
    found = []
    for path in sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]):
        with path.open("rb") as source:
            for token in tokenize.tokenize(source.readline):
                prefix = token.string[:2].lower()
                is_f_string = token.type == tokenize.STRING and "f" in prefix.rstrip("'\"")
                if is_f_string and _MESSAGE_CALL.search(token.string):
                    where = f"{path.relative_to(ROOT)}:{token.start[0]}"
                    found.append(f"a message inside an f-string is never extracted: {where}")
    return found


def problems(catalog: Catalog, wanted: dict[str, MessageId]) -> list[str]:
    found: list[str] = []
    present = {_key(m.id): m for m in catalog if m.id}
    found += [f"missing from the catalog: {msg!r}" for msg in sorted(set(wanted) - set(present))]
    for msgid, message in present.items():
        if message.fuzzy:
            found.append(f"fuzzy: {msgid!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            found.append(f"untranslated: {msgid!r}")
        if msgid not in wanted:
            found.append(f"obsolete (no longer in the code): {msgid!r}")
        elif isinstance(wanted[msgid], tuple) != isinstance(message.id, tuple):
            found.append(f"plural in the code but not in the catalog, or the reverse: {msgid!r}")
    return found


def _key(message_id: str | tuple[str, ...] | list[str]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


# The catalog's header: how the Chinese is written, kept by every update.
STYLE_GUIDE = """\
# Chinese (Simplified) translations for Tidewater, written as a person writes
# them, not translated word for word.
#
# Style:
# - Address: 你 throughout (never 您); customers are counted with 个.
# - Every sentence is one message with named placeholders; Chinese
#   punctuation (，。：；“”（）) in Chinese text.
# - A customer's name is set off with “…”, or stands bare, never with Latin
#   spaces around it (Slack's bold needs spaces, so Chinese does not bold
#   names). Mentions (@name) and numbers keep a space on each side.
#
# Glossary (one term per concept):
#   customer 客户 · pool 公海 · claim 领取 · release 释放 · recycle 回收
#   owner 负责人 · level 等级 · region 区域 · industry 行业 · stage 阶段
#   lost 流失 · dealt 成交 · visit 拜访 · follow-up 跟进 · order 订单
#   complaint 投诉 · follow-up call 回访 · thread 消息列 · manager 经理
#   admin 管理员 · rep 销售 · approve 批准 · decline 拒绝 · contact 联系人
#   primary contact 主要联系人 · merge 合并 · quiet hours 免打扰时段
"""


def update(po_path: Path, catalog: Catalog, wanted: dict[str, MessageId]) -> None:
    """Add new messages (untranslated) and drop obsolete ones; translations already made stay (a
    message that became plural keeps its translation as its one Chinese form)."""
    fresh = Catalog(locale=CHINESE, project="Tidewater", fuzzy=False, header_comment=STYLE_GUIDE)
    existing = {_key(m.id): m.string for m in catalog if m.id}
    for msgid, full_id in sorted(wanted.items()):
        before = existing.get(msgid) or ""
        first = before if isinstance(before, str) else before[0]
        fresh.add(full_id, (first,) if isinstance(full_id, tuple) else first)
    with po_path.open("wb") as po_file:
        write_po(po_file, fresh, width=100, sort_output=True)


def main() -> int:
    po_path = LOCALE_DIR / CHINESE / "LC_MESSAGES" / "messages.po"
    catalog = Catalog(locale=CHINESE)
    if po_path.exists():
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=CHINESE)
    if "--update" in sys.argv:
        update(po_path, catalog, extracted_messages())
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=CHINESE)
    issues = problems(catalog, extracted_messages()) + hidden_in_f_strings()
    write_mo(BytesIO(), catalog)  # compiles, or raises
    for issue in issues:
        print(issue)
    print(f"zh_CN: {len(catalog)} messages, {len(issues)} problems")
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
