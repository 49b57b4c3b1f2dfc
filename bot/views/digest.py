"""The manager's morning digest, the nudge it sends a rep, and the Reassign form."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.i18n import N_, Lang
from bot.services.home_types import Warned
from bot.views import blocks as b
from bot.views import labels
from bot.views.ids import Action, Callback, Field
from bot.views.opportunities import stage_name
from bot.views.text import day, escape, mention, moment, say, say_n
from store.complaints import Listed
from store.digest import BandChange, RepVisits
from store.models import Customer, OpportunityStage
from store.pipeline import DealLine

ROWS_SHOWN = 8  # per list; 2 blocks a row


@dataclass(frozen=True)
class TeamDigest:
    today: date
    last_day: date  # the previous working day
    reps: Sequence[tuple[str, str]]  # (user id, name)
    visits: dict[str, RepVisits]
    overdue: dict[str, int]
    target: int
    due_soon: Sequence[Warned]
    pool_in: int
    pool_out: int
    churn: Sequence[BandChange]
    orphans: Sequence[Customer] = field(default_factory=list)  # deactivated members' customers
    orphan_count: int = 0
    complaints_open: int = 0  # the team's unresolved complaints
    breached: Sequence[Listed] = field(default_factory=list)  # of which past an SLA deadline
    deal_changes: Sequence[DealLine] = field(default_factory=list)  # opportunities moved, won, lost
    slipped: Sequence[DealLine] = field(default_factory=list)  # opportunities past their close date since
    stages: Sequence[OpportunityStage] = field(default_factory=list)
    currency: str = "CNY"

    @property
    def all_clear(self) -> bool:
        return not (
            sum(self.overdue.values())
            or self.due_soon
            or self.churn
            or self.complaints_open
            or self.orphan_count
            or self.pool_in
            or self.pool_out
            or self.deal_changes
            or self.slipped
        ) and not any(v.last_day or v.this_week for v in self.visits.values())


def _rep_line(lang: Lang, digest: TeamDigest, rep_id: str) -> str:
    seen = digest.visits.get(rep_id, RepVisits(0, 0))
    parts = [
        mention(rep_id),
        say_n(
            lang,
            "%(count)s visit on %(day)s",
            "%(count)s visits on %(day)s",
            seen.last_day,
            day=day(digest.last_day, lang),
        ),
        say(lang, N_("%(count)s of %(target)s this week"), count=seen.this_week, target=digest.target),
    ]
    late = digest.overdue.get(rep_id, 0)
    if late:
        parts.append(say_n(lang, "%(count)s follow-up overdue", "%(count)s follow-ups overdue", late))
    return "• " + " · ".join(parts)


def _due_row(lang: Lang, warned: Warned, timezone: str) -> list[b.Block]:
    _ = lang.gettext
    customer = warned.customer
    owner = customer.owner_id or ""
    text = say(
        lang,
        N_("%(name)s (%(owner)s) goes back to the pool on %(when)s"),
        name=customer.name,
        owner=mention(owner),
        when=moment(warned.recycle.at, timezone, lang),
    )
    return [
        b.section(text),
        b.actions(
            b.button(_("Reassign"), Action.DIGEST_REASSIGN, str(customer.id)),
            b.button(_("Extend"), Action.DIGEST_EXTEND, str(customer.id)),
            b.button(_("Nudge rep"), Action.DIGEST_NUDGE, f"{owner}:{customer.id}"),
            block_id=f"digest.{customer.id}",
        ),
    ]


def _lines_in_sections(lines: Sequence[str], per_section: int = 15) -> list[b.Block]:
    return [b.section("\n".join(lines[i : i + per_section])) for i in range(0, len(lines), per_section)]


def digest(lang: Lang, team: TeamDigest, timezone: str) -> dict[str, Any]:
    title = say(lang, N_("Your team on %(day)s"), day=day(team.today, lang))
    if team.all_clear:
        text = say(lang, N_(":sunny: %(title)s: all clear, nothing needs you today."), title=title)
        return b.message(text, [b.section(text)])
    blocks: list[b.Block] = [b.header(title)]
    blocks += _lines_in_sections([_rep_line(lang, team, rep_id) for rep_id, _name in team.reps][:45])
    pool = say(
        lang,
        N_("Pool on %(day)s: %(in)s let go, %(out)s taken"),
        day=day(team.last_day, lang),
        **{"in": team.pool_in, "out": team.pool_out},
    )
    blocks.append(b.context(pool))
    blocks += (
        _due_soon(lang, team, timezone)
        + _churn(lang, team)
        + _complaints(lang, team)
        + _orphans(lang, team)
        + _deals(lang, team)
    )
    return b.message(title, blocks)


def _due_soon(lang: Lang, team: TeamDigest, timezone: str) -> list[b.Block]:
    if not team.due_soon:
        return []
    soon = say(lang, N_("Back in the pool within 3 days: %(count)s"), count=len(team.due_soon))
    blocks: list[b.Block] = [b.section(f"*{soon}*")]
    for warned in team.due_soon[:ROWS_SHOWN]:
        blocks += _due_row(lang, warned, timezone)
    return blocks


def _churn(lang: Lang, team: TeamDigest) -> list[b.Block]:
    if not team.churn:
        return []
    lines = [
        f"• *{escape(change.name)}* ({mention(change.owner_id)}): {escape(labels.band(change.from_band, lang))} → *{escape(labels.band(change.to_band, lang))}*"
        for change in team.churn[:ROWS_SHOWN]
    ]
    heading = say(lang, N_("Churn warnings"))
    return [b.section(f"*{heading}*\n" + "\n".join(lines))]


def _complaints(lang: Lang, team: TeamDigest) -> list[b.Block]:
    if not team.complaints_open:
        return []
    heading = say(lang, N_("Open complaints: %(count)s"), count=team.complaints_open)
    lines = [
        f"• :rotating_light: *#{row.complaint.id} {escape(row.customer_name)}* ({mention(row.complaint.assignee_id or '')}): "
        + escape(lang.gettext("SLA breached"))
        for row in team.breached[:ROWS_SHOWN]
    ]
    return [b.section("\n".join([f"*{heading}*", *lines]))]


def _orphans(lang: Lang, team: TeamDigest) -> list[b.Block]:
    if not team.orphan_count:
        return []
    header = say(lang, N_("Customers of deactivated members to reassign: %(count)s"), count=team.orphan_count)
    blocks: list[b.Block] = [b.section(f"*{header}*")]
    for customer in team.orphans[:ROWS_SHOWN]:
        facts = f"*{escape(customer.name)}* · {escape(labels.level(customer.level, lang))} · {mention(customer.owner_id or '')}"
        reassign = b.button(lang.gettext("Reassign"), Action.DIGEST_REASSIGN, str(customer.id))
        blocks.append(b.section(facts, accessory=reassign))
    return blocks


def nudge(lang: Lang, manager_id: str, customer_id: int, name: str) -> dict[str, Any]:
    _ = lang.gettext
    text = say(
        lang, N_("%(manager)s asks you to look at %(name)s today."), manager=mention(manager_id), name=name
    )
    buttons = b.actions(
        b.button(_("Log visit"), Action.VISIT_OPEN, str(customer_id), style="primary"),
        b.button(_("Open card"), Action.CUSTOMER_VIEW, str(customer_id)),
    )
    return b.message(text, [b.section(text), buttons])


def reassign_modal(lang: Lang, customer: Customer, metadata: dict[str, Any]) -> dict[str, Any]:
    _ = lang.gettext
    intro = say(lang, N_("Who takes %(name)s? The customer's history goes with it."), name=customer.name)
    picker = {
        "type": "users_select",
        "action_id": Field.OWNER.value,
        "placeholder": b.plain(_("Choose a rep")),
    }
    return b.modal(
        title=_("Reassign"),
        blocks=[b.section(intro), b.input_block(Field.OWNER, _("New owner"), picker)],
        callback_id=Callback.REASSIGN,
        submit=_("Reassign"),
        close=_("Cancel"),
        private_metadata=json.dumps({**metadata, "customer": customer.id}),
    )


DEAL_CHANGES = {
    "moved": N_("%(deal)s · %(owner)s: %(from)s → %(to)s"),
    "reopened": N_("%(deal)s · %(owner)s: reopened in %(to)s"),
    "won": N_("%(deal)s · %(owner)s: won, %(amount)s"),
    "lost": N_("%(deal)s · %(owner)s: lost"),
    "slipped": N_("%(deal)s · %(owner)s: %(amount)s, in %(to)s"),
}


def _deals(lang: Lang, team: TeamDigest) -> list[b.Block]:
    """Yesterday's stage moves, wins and losses, and the opportunities whose close date has passed since."""
    stages = {stage.id: stage for stage in team.stages}
    blocks: list[b.Block] = []
    for title, lines in (
        (say(lang, N_("Opportunities on %(day)s"), day=day(team.last_day, lang)), team.deal_changes),
        (say(lang, N_("Past their expected close date since then")), team.slipped),
    ):
        if lines:
            blocks.append(
                b.section(
                    f"*{title}*\n"
                    + "\n".join(_deal_line(lang, line, stages, team.currency) for line in lines)
                )
            )
    return blocks


def _deal_line(lang: Lang, line: DealLine, stages: dict[int, OpportunityStage], currency: str) -> str:
    deal = say(lang, N_("#%(number)s %(title)s (%(customer)s)"), number=line.number, title=line.title,
               customer=line.customer_name)  # fmt: skip
    before = stages.get(line.from_stage_id) if line.from_stage_id is not None else None
    return "• " + say(
        lang, DEAL_CHANGES.get(line.change, DEAL_CHANGES["moved"]), deal=deal, owner=mention(line.owner_id),
        amount=labels.amount(line.amount, currency, lang), to=stage_name(stages.get(line.to_stage_id), lang),
        **{"from": stage_name(before, lang)},
    )  # fmt: skip
