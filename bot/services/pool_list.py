"""`/pool`: browsing the pool with filters, a page at a time (keyset pages, newest arrivals first)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

from bot.env import Env
from bot.errors import InvalidInput, UserError
from bot.i18n import N_
from bot.services import customers, pool
from bot.services.people import Actor
from store import pool as pool_store
from store.models import LEVELS, Customer

PAGE_SIZE = 10
TEXT_MATCHES = 200  # a name filter looks at this many best matches
FILTER_LIMIT = 60
_KEYWORDS = {
    "level": "level",
    "等级": "level",
    "级别": "level",
    "region": "region",
    "区域": "region",
    "地区": "region",  # the everyday word, read too; the bot writes 区域
    "industry": "industry",
    "行业": "industry",
}
# keyword:value, the value quoted when it has spaces: region:"East China", 区域：“华东 南部”, or 'x y'.
_TOKEN = re.compile(r"""(\w+)[:：]\s*(?:"([^"]*)"|“([^”]*)”|'([^']*)'|(\S+))""")


@dataclass(frozen=True)
class PoolQuery:
    """What the person filters the pool by; empty fields filter nothing."""

    level: str = ""
    region: str = ""
    industry: str = ""
    text: str = ""

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}

    @property
    def is_filtered(self) -> bool:
        return bool(self.to_dict())


def parse_query(typed: str) -> PoolQuery:
    """`/pool level:A region:"East China" acme` (or 等级：A 区域：上海): the keywords, a value quoted when it
    has spaces; the rest is a name."""
    found: dict[str, str] = {}

    def take(match: re.Match[str]) -> str:
        keyword = _KEYWORDS.get(match.group(1).lower())
        if keyword is None:
            return match.group(0)
        found[keyword] = next(value for value in match.groups()[1:] if value is not None)
        return " "

    rest = _TOKEN.sub(take, typed)
    return validate_query(PoolQuery(**found, text=" ".join(rest.split())))


def validate_query(query: PoolQuery) -> PoolQuery:
    level = query.level.strip().upper()
    if level and level not in LEVELS:
        raise InvalidInput(N_("The level must be A, B or C."), field="level")
    cleaned = {k: " ".join(v.split())[:FILTER_LIMIT] for k, v in asdict(query).items()}
    return PoolQuery(**{**cleaned, "level": level})


@dataclass(frozen=True)
class Cursor:
    """A page boundary as plain values, so it can travel in a button."""

    since: str
    customer_id: int

    @classmethod
    def of(cls, customer: Customer) -> Cursor:
        assert customer.pool_since is not None
        assert customer.id is not None
        return cls(customer.pool_since.isoformat(), customer.id)

    def to_store(self) -> pool_store.PoolCursor:
        return pool_store.PoolCursor(datetime.fromisoformat(self.since), self.customer_id)


@dataclass
class PoolPage:
    query: PoolQuery
    rows: list[Customer] = field(default_factory=list)
    next_after: Cursor | None = None
    previous_before: Cursor | None = None
    # Why the person may not claim now: a page offers no Claim then, and says why. `everyone`: for
    # every row (a cap, the daily limit); `rows`: one they let go of lately, claimable again later.
    refused_everyone: UserError | None = None
    refused_rows: dict[int, UserError] = field(default_factory=dict)


def page(
    env: Env, actor: Actor, query: PoolQuery, *, after: Cursor | None = None, before: Cursor | None = None
) -> PoolPage:
    ids = None
    if query.text:
        matches = customers.search(env, workspace_id=actor.workspace_id, query=query.text, limit=TEXT_MATCHES)
        ids = [c.id for c in matches if c.owner_id is None and c.id is not None]
    where = pool_store.PoolFilter(
        level=query.level or None, region=query.region or None, industry=query.industry or None, ids=ids
    )
    with env.db.session() as session:
        rows = pool_store.pool_page(
            session=session,
            workspace_id=actor.workspace_id,
            where=where,
            after=after.to_store() if after else None,
            before=before.to_store() if before else None,
            limit=PAGE_SIZE + 1,
        )
    shown = _paged(query, rows, after=after, before=before)
    _add_refusals(env, actor, shown)
    return shown


def _add_refusals(env: Env, actor: Actor, page: PoolPage) -> None:
    """The person's own refusal, read once for the page, and each row they let go of lately (the
    cooldown is per customer)."""
    theirs = [c for c in page.rows if c.previous_owner_id == actor.user_id]
    others = [c for c in page.rows if c.previous_owner_id != actor.user_id]
    if others:
        page.refused_everyone = pool.claim_refusal(env, actor, others[0].id or 0)
    for customer in theirs:
        refused = pool.claim_refusal(env, actor, customer.id or 0)
        if refused is not None:
            page.refused_rows[customer.id or 0] = refused


def _paged(
    query: PoolQuery, rows: list[Customer], *, after: Cursor | None, before: Cursor | None
) -> PoolPage:
    more = len(rows) > PAGE_SIZE
    if before is not None:
        shown = rows[-PAGE_SIZE:]  # newest first, the extra row (if any) is the one beyond the previous edge
        has_previous, has_next = more, True
    else:
        shown = rows[:PAGE_SIZE]
        has_previous, has_next = after is not None, more
    return PoolPage(
        query=query,
        rows=shown,
        next_after=Cursor.of(shown[-1]) if has_next and shown else None,
        previous_before=Cursor.of(shown[0]) if has_previous and shown else None,
    )
