"""The App Home tab and its "See all" lists.

Everyone sees their own day: follow-ups overdue and due today, customers at risk with the reasons,
open complaints, claims left and the holding cap, and quick actions. Managers (and admins, for the reps
who have no manager) also see their team: visits this week against the target, overdue follow-ups,
customers at risk, open complaints, the pool this week, and the digest's Reassign / Extend / Nudge rep
rows. Admins also see the settings, teams and roles, and the messages Slack refused.

Every list shows its first rows on the Home and all of them, 20 a page, in a "See all" modal: the tab
stays under Slack's 100 blocks however many customers someone has.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.i18n import N_, Lang
from bot.services.home_types import (
    PAGE_ROWS,
    AdminHome,
    HomeData,
    HomeList,
    ListPage,
    PoolFigures,
    Rows,
    TeamHome,
    Warned,
)
from bot.services.settings import SPEC_BY_KEY, WorkspaceSettings
from bot.views import blocks as b
from bot.views import home_reports
from bot.views.home_pipeline import pipeline_blocks
from bot.views.home_rows import (
    Reader,
    bold,
    complaint_text,
    customer_text,
    orphan_text,
    refused_text,
    rep_text,
    risk_text,
    soon_text,
    team_risk_text,
)
from bot.views.ids import Action, Callback
from bot.views.settings import shown_value
from bot.views.text import day, escape, mention, say

SECTION_BUDGET = 2900  # characters of packed lines per section (Slack's limit: 3,000)
TEAM_SECTIONS = 4  # sections of teams and roles on an admin's Home; /crm team lists everyone
MENTIONS_PER_LINE = 30


@dataclass(frozen=True)
class ListSpec:
    title: str  # a msgid: the modal's title, and the Home's "*title* (count)"
    text: Callable[[Reader, Any], str]
    counted: str | None = None  # a msgid with %(count)s, shown on the Home instead
    newest_first: bool = False  # pages are then "Older ›" and "‹ Newer"
    packed: bool = False  # rows as lines of one section, not a section each


LISTS: dict[HomeList, ListSpec] = {
    HomeList.OVERDUE: ListSpec(N_("Overdue follow-ups"), customer_text),
    HomeList.TODAY: ListSpec(N_("Follow-ups due today"), customer_text),
    HomeList.RISK: ListSpec(N_("Customers at risk"), risk_text),
    HomeList.COMPLAINTS: ListSpec(
        N_("Complaints"), complaint_text, N_("Complaints assigned to you: %(count)s"), newest_first=True
    ),
    HomeList.TEAM: ListSpec(N_("Your team"), rep_text, packed=True),
    HomeList.TEAM_RISK: ListSpec(N_("Customers at risk"), team_risk_text),
    HomeList.TEAM_COMPLAINTS: ListSpec(
        N_("Complaints"), complaint_text, N_("Complaints of your team: %(count)s"), newest_first=True
    ),
    HomeList.SOON: ListSpec(
        N_("Recycling to the pool"), soon_text, N_("Back in the pool within 3 days: %(count)s")
    ),
    HomeList.ORPHANS: ListSpec(
        N_("Reassign"), orphan_text, N_("Customers of deactivated members to reassign: %(count)s")
    ),
    HomeList.REFUSED: ListSpec(N_("Messages Slack refused"), refused_text, newest_first=True),
}


# -- the rows' buttons on the Home (the See all pages only list) ------------------------------------
RowBlocks = Callable[[Reader, Any, str], list[b.Block]]


def _with_button(label: str, action: Action, value_of: Callable[[Any], object]) -> RowBlocks:
    """A row with one button beside it (`label` a msgid), its value taken from the row."""

    def blocks(reader: Reader, row: Any, text: str) -> list[b.Block]:
        return [b.section(text, accessory=b.button(reader.lang.gettext(label), action, str(value_of(row))))]

    return blocks


def _with_digest_actions(reader: Reader, warned: Warned, text: str) -> list[b.Block]:
    """The digest's buttons for a customer about to go back to the pool (same action ids and values)."""
    _ = reader.lang.gettext
    customer_id, owner = str(warned.customer.id), warned.customer.owner_id or ""
    buttons = b.actions(
        b.button(_("Reassign"), Action.DIGEST_REASSIGN, customer_id),
        b.button(_("Extend"), Action.DIGEST_EXTEND, customer_id),
        b.button(_("Nudge rep"), Action.DIGEST_NUDGE, f"{owner}:{customer_id}"),
        block_id=f"home.soon.{customer_id}",
    )
    return [b.section(text), buttons]


_LOG_VISIT = _with_button(N_("Log visit"), Action.VISIT_OPEN, lambda customer: customer.id)
ROW_BLOCKS: dict[HomeList, RowBlocks] = {
    HomeList.OVERDUE: _LOG_VISIT,
    HomeList.TODAY: _LOG_VISIT,
    HomeList.RISK: _with_button(N_("Plan visit"), Action.PLAN_VISIT, lambda risk: risk.row.customer_id),
    HomeList.SOON: _with_digest_actions,
    HomeList.ORPHANS: _with_button(N_("Reassign"), Action.DIGEST_REASSIGN, lambda customer: customer.id),
}


def _plain_row(_reader: Reader, _row: Any, text: str) -> list[b.Block]:
    return [b.section(text)]


def packed(lines: Sequence[str], budget: int = SECTION_BUDGET) -> list[str]:
    """Lines joined into as few texts as fit a section each."""
    texts: list[str] = []
    for line in lines:
        if texts and len(texts[-1]) + 1 + len(line) <= budget:
            texts[-1] += "\n" + line
        else:
            texts.append(line)
    return texts


def _row_blocks(reader: Reader, which: HomeList, rows: Sequence[Any], *, on_home: bool) -> list[b.Block]:
    spec = LISTS[which]
    texts = [spec.text(reader, row) for row in rows]
    if spec.packed:
        return [b.section(text) for text in packed(texts)]
    with_buttons = ROW_BLOCKS.get(which, _plain_row) if on_home else _plain_row
    return [block for row, text in zip(rows, texts, strict=True) for block in with_buttons(reader, row, text)]


# -- the Home ---------------------------------------------------------------------------------------
def _title(lang: Lang, spec: ListSpec, total: int) -> str:
    if spec.counted:
        return f"*{say(lang, spec.counted, count=total)}*"
    return f"{bold(lang.gettext(spec.title))} ({total})"


def _see_all(lang: Lang, which: HomeList) -> dict[str, Any]:
    return b.button(lang.gettext("See all"), Action.HOME_SEE_ALL, which.value)


def _list(reader: Reader, which: HomeList, shown: Rows[Any]) -> list[b.Block]:
    """A list's title (with "See all" when some rows are left out) and its first rows."""
    if not shown.total:
        return []
    more = _see_all(reader.lang, which) if shown.total > len(shown.rows) else None
    rows = _row_blocks(reader, which, shown.rows, on_home=True)
    if LISTS[which].packed:  # no title line: the first section carries the button
        return [{**rows[0], "accessory": more} if more else rows[0], *rows[1:]]
    return [b.section(_title(reader.lang, LISTS[which], shown.total), accessory=more), *rows]


def _quick_actions(lang: Lang) -> b.Block:
    _ = lang.gettext
    return b.actions(
        b.button(_("Log visit"), Action.VISIT_OPEN, style="primary"),
        b.button(_("New customer"), Action.CUSTOMER_NEW),
        b.button(_("Log order"), Action.ORDER_OPEN),
        b.button(_("Browse pool"), Action.HOME_POOL),
        b.button(_("File complaint"), Action.COMPLAINT_NEW),
        b.button(_("Refresh"), Action.HOME_REFRESH),
    )


def _pool_line(lang: Lang, pool: PoolFigures) -> str:
    text = N_("Claims left today: %(left)s · customers held: %(held)s of %(cap)s")
    return say(lang, text, left=pool.claims_left, held=pool.held, cap=pool.cap)


def _my_day(reader: Reader, data: HomeData) -> list[b.Block]:
    _ = reader.lang.gettext
    blocks: list[b.Block] = [b.header(_("Your customers")), _quick_actions(reader.lang)]
    if data.pool:
        blocks.append(b.context(_pool_line(reader.lang, data.pool)))
    blocks.append(b.divider())
    blocks += _list(reader, HomeList.OVERDUE, data.overdue)
    blocks += _list(reader, HomeList.TODAY, data.due_today)
    if not data.overdue.total and not data.due_today.total:
        blocks.append(b.section(escape(_("Nothing due today. Nice work! Log a visit to plan the next one."))))
    blocks += _list(reader, HomeList.RISK, data.at_risk)
    blocks += _list(reader, HomeList.COMPLAINTS, data.complaints)
    return blocks


def _team(reader: Reader, today: date, team: TeamHome) -> list[b.Block]:
    lang = reader.lang
    title = say(lang, N_("Your team on %(day)s"), day=day(today, lang))
    pool = {"in": team.pool_in, "out": team.pool_out}
    moves = say(lang, N_("Pool this week: %(in)s let go, %(out)s taken"), **pool)
    blocks: list[b.Block] = [b.divider(), b.header(title)]
    blocks += _list(Reader(lang, reader.timezone, team.target), HomeList.TEAM, team.reps)
    blocks.append(b.context(moves))
    blocks += _list(reader, HomeList.TEAM_RISK, team.at_risk)
    blocks += _list(reader, HomeList.TEAM_COMPLAINTS, team.complaints)
    blocks += _list(reader, HomeList.SOON, team.due_soon)
    blocks += _list(reader, HomeList.ORPHANS, team.orphans)
    return blocks


# The few settings the admin's Home shows; the rest is behind *Edit settings* (all of them filled the tab).
AT_A_GLANCE = ("recycle_days_a", "recycle_days_b", "recycle_days_c", "holding_cap", "daily_claim_limit",
               "pool_channel", "complaints_channel", "champions_channel")  # fmt: skip


def _settings_text(lang: Lang, settings: WorkspaceSettings) -> str:
    """The settings at a glance, read-only; *Edit settings* shows and changes them all."""
    lines = [
        f"{escape(lang.gettext(SPEC_BY_KEY[key].label))}: {shown_value(lang, SPEC_BY_KEY[key], getattr(settings, key))}"
        for key in AT_A_GLANCE
    ]
    return "\n".join(lines)


def _people(user_ids: Sequence[str], lang: Lang) -> str:
    shown = ", ".join(mention(user) for user in user_ids[:MENTIONS_PER_LINE])
    left = len(user_ids) - MENTIONS_PER_LINE
    more = " " + say(lang, N_("…and %(count)s more."), count=left) if left > 0 else ""
    return (shown or escape(lang.gettext("nobody yet"))) + more


def _teams(lang: Lang, admin: AdminHome) -> list[b.Block]:
    # Each msgid outside f-strings: Babel's extractor does not look inside them.
    _ = lang.gettext
    admins, manager = bold(_("Admins")), bold(_("Manager"))
    lines = [f"{admins}: {_people(admin.admins, lang)}"]
    lines += [f"{manager} {mention(boss)}: {_people(members, lang)}" for boss, members in admin.teams.teams]
    if admin.teams.without_manager:
        title = bold(_("Reps without a manager (covered by the admins)"))
        lines.append(f"{title}: {_people(admin.teams.without_manager, lang)}")
    texts = packed(lines)
    blocks = [b.section(bold(_("Teams"))), *(b.section(text) for text in texts[:TEAM_SECTIONS])]
    if len(texts) > TEAM_SECTIONS:
        left = sum(text.count("\n") + 1 for text in texts[TEAM_SECTIONS:])
        blocks.append(b.context(say(lang, N_("…and %(count)s more."), count=left)))
    return blocks


def _workspace(reader: Reader, admin: AdminHome) -> list[b.Block]:
    _ = reader.lang.gettext
    edit = b.button(_("Edit settings"), Action.HOME_SETTINGS)
    blocks: list[b.Block] = [b.divider(), b.section(bold(_("Settings")), accessory=edit)]
    blocks.append(b.section(_settings_text(reader.lang, admin.settings)))
    blocks.append(b.context(escape(_("Every other setting is behind Edit settings."))))
    blocks += _teams(reader.lang, admin)
    blocks += _list(reader, HomeList.REFUSED, admin.refused)
    if admin.possible_duplicates:
        text = say(
            reader.lang,
            N_(
                "%(count)s messages may have reached Slack twice in the last 7 days: Slack's answer was lost "
                "and the conversation's history could not be read to check. Reinstall the app with the "
                "history scopes of its manifest so that this can be checked."
            ),
            count=admin.possible_duplicates,
        )
        blocks.append(b.context(text))
    return blocks


def home_view(lang: Lang, data: HomeData) -> dict[str, Any]:
    reader = Reader(lang, data.timezone)
    blocks = _my_day(reader, data) + home_reports.standing_blocks(lang, data.standing, data.currency)
    if data.pipeline:
        blocks += pipeline_blocks(lang, lang.gettext("Your pipeline"), data.pipeline, data.currency)
    if data.team:
        blocks += _team(reader, data.today, data.team)
        if data.team.pipeline:
            blocks += pipeline_blocks(
                lang, lang.gettext("Your team's pipeline"), data.team.pipeline, data.currency
            )
    blocks += home_reports.chart_blocks(lang, data.charts)
    if data.admin:
        blocks += _workspace(reader, data.admin)
    return b.home(blocks)


# -- See all: one page of a list in a modal ---------------------------------------------------------
def page_value(which: HomeList, offset: int) -> str:
    return json.dumps({"l": which.value, "o": offset})


def _pager(lang: Lang, page: ListPage) -> b.Block | None:
    _ = lang.gettext
    back, forward = (
        (_("‹ Newer"), _("Older ›")) if LISTS[page.which].newest_first else (_("‹ Previous"), _("Next ›"))
    )
    earlier, later = max(0, page.offset - PAGE_ROWS), page.offset + PAGE_ROWS
    buttons = [b.button(back, Action.HOME_PAGE, page_value(page.which, earlier))] if page.offset > 0 else []
    if page.offset + len(page.rows.rows) < page.rows.total:
        buttons.append(b.button(forward, Action.HOME_PAGE, page_value(page.which, later)))
    return b.actions(*buttons) if buttons else None


def list_modal(lang: Lang, page: ListPage) -> dict[str, Any]:
    _ = lang.gettext
    reader = Reader(lang, page.timezone, page.target)
    rows = page.rows
    if rows.rows:
        first, last = page.offset + 1, page.offset + len(rows.rows)
        where = say(lang, N_("%(first)s–%(last)s of %(total)s"), first=first, last=last, total=rows.total)
        blocks = [b.context(where), *_row_blocks(reader, page.which, rows.rows, on_home=False)]
    else:
        blocks = [b.section(escape(_("Nothing to show.")))]
    pager = _pager(lang, page)
    return b.modal(
        title=_(LISTS[page.which].title),
        blocks=[*blocks, pager] if pager else blocks,
        callback_id=Callback.HOME_LIST,
        close=_("Close"),
        private_metadata=page_value(page.which, page.offset),
    )
