"""The Home's pipeline: open opportunities by stage (count, amount, weighted), the forecast of this
month and quarter, and a lead's funnel of the last 90 days. Three blocks at most: the Home stays under
Slack's 100."""

from __future__ import annotations

from bot.i18n import N_, Lang
from bot.services.pipeline import Pipeline
from bot.views import blocks as b
from bot.views import labels
from bot.views.opportunities import stage_name
from bot.views.text import escape, say
from store.pipeline import Forecast


def pipeline_blocks(lang: Lang, title: str, pipeline: Pipeline, currency: str) -> list[b.Block]:
    if pipeline.is_empty:
        return []
    stages = {stage.id: stage for stage in pipeline.stages}
    order = {stage.id: stage.position for stage in pipeline.stages}
    lines = [f"*{escape(title)}*"]
    for total in sorted(pipeline.totals, key=lambda t: order.get(t.stage_id, 0)):
        lines.append(
            say(
                lang, N_("%(stage)s: %(count)s · %(amount)s · weighted %(weighted)s"),
                stage=stage_name(stages.get(total.stage_id), lang), count=total.count,
                amount=_money(total.amount, currency, lang), weighted=_money(total.weighted, currency, lang),
            )
        )  # fmt: skip
    blocks = [b.section("\n".join(lines)), b.context(_forecast(lang, N_("This month"), pipeline.month, currency),
                                                     _forecast(lang, N_("This quarter"), pipeline.quarter, currency))]  # fmt: skip
    if pipeline.funnel:
        blocks.append(b.section(_funnel(lang, pipeline)))
    return blocks


def _money(minor: int, currency: str, lang: Lang) -> str:
    return labels.amount(minor, currency, lang)


def _forecast(lang: Lang, period: str, forecast: Forecast, currency: str) -> str:
    return say(
        lang, N_("%(period)s: won %(won)s · committed %(committed)s · weighted %(weighted)s"),
        period=lang.gettext(period), won=_money(forecast.won, currency, lang),
        committed=_money(forecast.committed, currency, lang), weighted=_money(forecast.weighted, currency, lang),
    )  # fmt: skip


FUNNEL_TITLE = N_("Funnel, opportunities opened in the last 90 days")


def _funnel(lang: Lang, pipeline: Pipeline) -> str:
    """Each stage with how many reached it and, after the first, the share of the stage before."""
    stages = {stage.id: stage for stage in pipeline.stages}
    lines = [f"*{escape(lang.gettext(FUNNEL_TITLE))}*"]
    before = None
    for reached in pipeline.funnel:
        stage = stages.get(reached.stage_id)
        name = stage_name(stage, lang)
        if before is None or stage is None or stage.outcome == "lost":
            lines.append(say(lang, N_("%(stage)s: %(count)s"), stage=name, count=reached.count))
        else:
            share = round(100 * reached.count / before) if before else 0
            lines.append(say(lang, N_("%(stage)s: %(count)s (%(share)s%% of the stage before)"), stage=name,
                             count=reached.count, share=share))  # fmt: skip
        if stage is None or stage.outcome != "lost":
            before = reached.count
    return "\n".join(lines)
