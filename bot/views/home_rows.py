"""One row of each Home list as text, for the person who reads it (their language, zone and target)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.i18n import N_, Lang
from bot.services.home_types import RepLine, Risk, Warned
from bot.views import labels
from bot.views.churn import risk_line
from bot.views.complaints import SEVERITY_ICONS, status_label
from bot.views.templating import render
from bot.views.text import escape, mention, moment, say, say_n
from store.complaints import Listed
from store.models import Customer, OutboxMessage


@dataclass(frozen=True)
class Reader:
    """Who reads the rows: their language and zone, and the team's weekly target."""

    lang: Lang
    timezone: str
    target: int = 0


def bold(text: str) -> str:
    return f"*{escape(text)}*"


# -- one row of each list, as text ------------------------------------------------------------------
def customer_text(reader: Reader, customer: Customer) -> str:
    return render("home_row.md.j2", reader.lang, customer=customer)


def risk_text(reader: Reader, risk: Risk) -> str:
    return f"*{escape(risk.row.name)}*\n{risk_line(reader.lang, risk.row.band, risk.reasons)}"


def team_risk_text(reader: Reader, risk: Risk) -> str:
    head = f"*{escape(risk.row.name)}* · {mention(risk.row.owner_id)}"
    return f"{head}\n{risk_line(reader.lang, risk.row.band, risk.reasons)}"


def complaint_text(reader: Reader, listed: Listed) -> str:
    complaint = listed.complaint
    assignee = complaint.assignee_id
    who = mention(assignee) if assignee else escape(reader.lang.gettext("the admins (not assigned)"))
    line = (
        f"{SEVERITY_ICONS.get(complaint.severity, '')} *#{complaint.id} {escape(listed.customer_name)}* · "
        f"{escape(status_label(complaint.status, reader.lang))} · {who}"
    )
    if complaint.respond_breached_at or complaint.resolve_breached_at:
        line += " · :rotating_light: " + escape(reader.lang.gettext("SLA breached"))
    return line


def rep_text(reader: Reader, line: RepLine) -> str:
    lang = reader.lang
    parts = [
        mention(line.user_id),
        say(lang, N_("%(count)s of %(target)s this week"), count=line.visits_this_week, target=reader.target),
    ]
    if line.overdue:
        parts.append(say_n(lang, "%(count)s follow-up overdue", "%(count)s follow-ups overdue", line.overdue))
    return "• " + " · ".join(parts)


def soon_text(reader: Reader, warned: Warned) -> str:
    customer = warned.customer
    return say(
        reader.lang,
        N_("%(name)s (%(owner)s) goes back to the pool on %(when)s"),
        name=customer.name,
        owner=mention(customer.owner_id or ""),
        when=moment(warned.recycle.at, reader.timezone, reader.lang),
    )


def orphan_text(reader: Reader, customer: Customer) -> str:
    level = labels.level(customer.level, reader.lang)
    return f"*{escape(customer.name)}* · {escape(level)} · {mention(customer.owner_id or '')}"


_SLACK_ID = re.compile(r"^[A-Z0-9]+$")


def _recipient(channel: str) -> str:
    if not _SLACK_ID.match(channel):
        return escape(channel)
    return mention(channel) if channel[:1] in ("U", "W") else f"<#{channel}>"


def refused_text(reader: Reader, message: OutboxMessage) -> str:
    when = moment(message.created_at, reader.timezone, reader.lang)
    error = message.last_error or "—"
    return f"`{escape(message.kind)}` · {_recipient(message.channel)} · `{escape(error)}` · {escape(when)}"
