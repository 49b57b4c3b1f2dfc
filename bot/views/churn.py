"""The churn warning: one DM per owner listing customers slipping away, each with its band, the
reasons in plain words, and a Plan visit button."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from bot.i18n import N_, Lang
from bot.rules.churn import BAND_AT_RISK, BAND_CRITICAL, Reason, Signal
from bot.services.churn import Warning
from bot.views import blocks as b
from bot.views import labels
from bot.views.ids import Action
from bot.views.text import Mrkdwn, escape, say

ROWS_SHOWN = 15  # one block a row: 15 rows + header and footers stay well within 50 blocks
BAND_ICONS = {BAND_CRITICAL: ":red_circle:", BAND_AT_RISK: ":large_orange_circle:"}


@lru_cache(maxsize=8192)
def reason_text(lang: Lang, reason: Reason) -> Mrkdwn:
    """Once per language and reason: a night's warnings repeat the same few hundred reasons thousands
    of times (a Reason is a frozen value, and `lang()` gives one Lang per language)."""
    if reason.signal == Signal.ORDER_GAP:
        return say(
            lang,
            N_("%(days)s days since the last order (usual gap %(gap)s days)"),
            days=reason.days,
            gap=reason.limit,
        )
    if reason.signal == Signal.SPEND_DOWN:
        return say(lang, N_("spend −%(percent)s %% vs the previous 90 days"), percent=reason.percent)
    if reason.signal == Signal.COMPLAINTS:
        if reason.days >= 2 and reason.limit:
            return say(
                lang, N_("%(count)s complaints in the last 30 days, an urgent one open"), count=reason.days
            )
        if reason.limit:
            return say(lang, N_("an urgent complaint is open"))
        return say(lang, N_("%(count)s complaints in the last 30 days"), count=reason.days)
    if reason.signal == Signal.LOW_SATISFACTION:
        return say(lang, N_("last satisfaction %(score)s of 5"), score=reason.limit)
    return say(
        lang,
        N_("%(days)s days since the last contact (level %(level)s: every %(cadence)s days)"),
        days=reason.days,
        level=reason.level,
        cadence=reason.limit,
    )


def risk_line(lang: Lang, band: str, reasons: Sequence[Reason]) -> Mrkdwn:
    """The card's line: the band and its reasons, on one line."""
    head = say(lang, N_("Churn risk: *%(band)s*"), band=labels.band(band, lang))
    icon = BAND_ICONS.get(band, ":large_yellow_circle:")
    return Mrkdwn(f"{icon} {head}" + "".join(f" · {reason_text(lang, reason)}" for reason in reasons))


def warning_row(lang: Lang, warning: Warning) -> b.Block:
    row = warning.row
    icon = BAND_ICONS.get(row.band, ":large_yellow_circle:")
    head = f"{icon} *{escape(row.name)}* · *{escape(labels.band(row.band, lang))}*"
    reasons = "\n".join(f"• {reason_text(lang, reason)}" for reason in warning.reasons)
    plan = b.button(lang.gettext("Plan visit"), Action.PLAN_VISIT, str(row.customer_id))
    return b.section(f"{head}\n{reasons}" if reasons else head, accessory=plan)


def warning(lang: Lang, warnings: Sequence[Warning]) -> dict[str, Any]:
    total = warnings[0].row.total if warnings else 0
    title = say(lang, N_("%(count)s of your customers may be slipping away"), count=total)
    blocks: list[b.Block] = [b.section(f":chart_with_downwards_trend: *{title}*")]
    blocks += [warning_row(lang, one) for one in warnings[:ROWS_SHOWN]]
    if total > len(warnings[:ROWS_SHOWN]):
        more = total - len(warnings[:ROWS_SHOWN])
        blocks.append(b.context(say(lang, N_("…and %(count)s more in your next warnings."), count=more)))
    blocks.append(
        b.context(
            say(
                lang,
                N_(
                    "Scored each night from orders, visits and satisfaction. You hear of a customer when its band "
                    "rises, and once a week while it stays at risk or critical."
                ),
            )
        )
    )
    return b.message(title, blocks)
