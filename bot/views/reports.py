"""A report as the reader sees it: each chart's figures in words (for clients that hide images, and
beside every chart), and the charts themselves drawn from the same numbers, in the reader's language."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from babel.dates import format_skeleton

from bot.i18n import N_, Lang
from bot.rules.csv_rows import escape_cell
from bot.rules.money import from_minor, plain_amount
from bot.services.reports import COMPANY, REP, Report
from bot.views import blocks as b
from bot.views import charts, labels
from bot.views.complaints import CATEGORIES
from bot.views.opportunities import stage_name
from bot.views.text import day, escape, listed, mention, say

FLOW_NAMES = {
    "claim": N_("claimed"),
    "release": N_("released"),
    "recycle": N_("recycled"),
    "assign": N_("assigned"),
}
BANDS = ("watch", "at_risk", "critical")
_PERIOD_TITLES = {
    "week": N_("Report for the week of %(first)s to %(last)s"),
    "month": N_("Report for the month of %(first)s to %(last)s"),
    "quarter": N_("Report for the quarter of %(first)s to %(last)s"),
}


def _name(report: Report, user_id: str) -> str:
    return report.names.get(user_id) or user_id


# Which chart shows each paragraph of `figure_lines` (stages are in words only).
CHART_OF_LINE = (0, 1, 2, None, 3, 4)
FUNNEL_CHART = 5  # the funnel's paragraph and chart, last, when there are opportunities


def report_message(
    lang: Lang, report: Report, drawn: Sequence[charts.Chart] = (), files: Sequence[dict[str, str]] = ()
) -> dict[str, Any]:
    """The report in words: who it is for, then each chart's figures (or "all quiet"); with `files`
    (the uploaded charts of `drawn`), each chart under its figures."""
    _ = lang.gettext
    period = report.period
    title = _(_PERIOD_TITLES[period.name]) % {
        "first": day(period.first_day, lang),
        "last": day(period.last_day, lang),
    }
    blocks: list[b.Block] = [b.header(title), b.context(_scope_line(lang, report))]
    if report.all_quiet:
        quiet = say(
            lang, N_("All quiet: no visit, no move in the pool, no order and no complaint in this period.")
        )
        return b.message(title, [*blocks, b.section(quiet)])
    shown_by = CHART_OF_LINE + ((FUNNEL_CHART,) if report.funnel else ())
    for text, chart in zip(figure_lines(lang, report), shown_by, strict=True):
        blocks.append(b.section(text))
        if chart is not None and chart < len(files) and chart < len(drawn):
            blocks.append(b.image(files[chart], drawn[chart].alt, drawn[chart].title))
    return b.message(title, blocks)


def _scope_line(lang: Lang, report: Report) -> str:
    scope = report.scope
    if scope.kind == COMPANY:
        return say(lang, N_("The whole company."))
    if scope.kind == REP:
        return say(lang, N_("Your own figures, %(rep)s."), rep=mention(scope.owner_id or ""))
    return say(lang, N_("The team of %(manager)s."), manager=mention(scope.owner_id or ""))


def figure_lines(lang: Lang, report: Report) -> list[str]:
    """One paragraph per chart, the same figures the chart shows."""
    visits = listed(lang, [f"{escape(_name(report, rep))} {count}" for rep, count in report.visits])
    flow = report.flow[-1] if report.flow else {}
    moved = listed(lang, [f"{lang.gettext(FLOW_NAMES[kind])} {flow.get(kind, 0)}" for kind in FLOW_NAMES])
    revenue = report.revenue[-1] if report.revenue else {}
    total = sum(revenue.values())
    complaints = (
        ", ".join(
            f"{lang.gettext(CATEGORIES.get(k, k))} {n}" for k, n in sorted(report.complaints.filed.items())
        )
        or "—"
    )
    median = report.median_resolve_hours
    return [
        say(lang, N_("*Visits* (target %(target)s each): %(visits)s"), target=report.visit_target, visits=visits),
        say(lang, N_("*Pool*, the last week: %(moved)s"), moved=moved),
        say(lang, N_("*Revenue*, the last week: %(total)s"), total=labels.amount(total, report.currency, lang)),
        say(lang, N_("*Customers by stage*: %(stages)s"), stages=_counts(lang, report.stages, labels.stage)),
        say(lang, N_("*Churn bands* now: %(now)s · a month ago: %(before)s"),
            now=_counts(lang, report.bands, labels.band), before=_counts(lang, report.bands_month_ago, labels.band)),
        say(lang, N_("*Complaints* filed: %(filed)s · median time to resolve: %(median)s · breaches: %(breaches)s"),
            filed=complaints, median=_hours(lang, median), breaches=report.complaints.breached),
        *_funnel_line(lang, report),
    ]  # fmt: skip


def _funnel_line(lang: Lang, report: Report) -> list[str]:
    """The opportunities opened in the 90 days to the period's end, stage by stage (none: no line)."""
    if not report.funnel:
        return []
    stages = listed(lang, [f"{stage_name(stage, lang)} {count}" for stage, count in report.funnel])
    return [say(lang, N_("*Funnel*, opportunities opened in the 90 days to %(day)s: %(stages)s"),
                day=day(report.period.last_day, lang), stages=stages)]  # fmt: skip


def _week(start: date, lang: Lang) -> str:
    """A week on a chart's axis by its Monday, short: "Nov 16" / "11月16日"."""
    return format_skeleton("MMMd", start, locale=lang.babel)


def _counts(lang: Lang, counts: dict[str, int], label: Any) -> str:
    ordered = sorted(counts.items(), key=lambda kv: -kv[1])
    return listed(lang, [f"{label(k, lang)} {n}" for k, n in ordered if n])


def _hours(lang: Lang, hours: float | None) -> str:
    if hours is None:
        return "—"
    return lang.gettext("%(hours)s h") % {"hours": f"{hours:.1f}"}


def report_charts(lang: Lang, report: Report) -> list[charts.Chart]:
    """The report's charts, drawn from the same figures as `figure_lines` (none for a quiet period)."""
    if report.all_quiet:
        return []
    drawn = (visits_chart, flow_chart, revenue_chart, bands_chart, complaints_chart)
    funnel = [funnel_chart(lang, report)] if report.funnel else []
    return [draw(lang, report) for draw in drawn] + funnel


def funnel_chart(lang: Lang, report: Report) -> charts.Chart:
    """How many of the opportunities opened in the 90 days reached each stage (won and lost last)."""
    title = lang.gettext("Funnel: opportunities opened in the 90 days to %(day)s") % {
        "day": day(report.period.last_day, lang)
    }
    names = [stage_name(stage, lang) for stage, _count in report.funnel]
    return charts.bars(title, title, names, [count for _stage, count in report.funnel])


def visits_chart(lang: Lang, report: Report) -> charts.Chart:
    _ = lang.gettext
    title = _("Visits per person, %(first)s to %(last)s") % {
        "first": day(report.period.first_day, lang), "last": day(report.period.last_day, lang),
    }  # fmt: skip
    return charts.bars(
        title, title, [_name(report, rep) for rep, _n in report.visits], [n for _r, n in report.visits],
        target=report.visit_target, target_label=_("target %(target)s") % {"target": report.visit_target},
    )  # fmt: skip


def flow_chart(lang: Lang, report: Report) -> charts.Chart:
    _ = lang.gettext
    return charts.stacked(
        _("The pool, week by week"), _("Customers claimed, released, recycled and assigned each week"),
        [_week(start, lang) for start in report.flow_weeks],
        {_(FLOW_NAMES[kind]): [week[kind] for week in report.flow] for kind in FLOW_NAMES},
    )  # fmt: skip


def revenue_chart(lang: Lang, report: Report) -> charts.Chart:
    _ = lang.gettext
    per_level = {
        labels.level(level, lang): [
            float(from_minor(week[level], report.currency)) for week in report.revenue
        ]
        for level in ("A", "B", "C")
    }
    return charts.stacked(
        _("Revenue per week by level"), _("Revenue of each of the last 12 weeks, by customer level"),
        [_week(start, lang) for start in report.revenue_weeks], per_level,
    )  # fmt: skip


def bands_chart(lang: Lang, report: Report) -> charts.Chart:
    _ = lang.gettext
    return charts.side_by_side(
        _("Churn bands now and a month ago"), _("Customers in each churn band now and a month ago"),
        [labels.band(band, lang) for band in BANDS],
        {_("now"): [report.bands.get(band, 0) for band in BANDS],
         _("a month ago"): [report.bands_month_ago.get(band, 0) for band in BANDS]},
    )  # fmt: skip


def complaints_chart(lang: Lang, report: Report) -> charts.Chart:
    _ = lang.gettext
    return charts.bars(
        _("Complaints by category"), _("Complaints filed in the period, by category"),
        [_(CATEGORIES[k]) for k in CATEGORIES], [report.complaints.filed.get(k, 0) for k in CATEGORIES],
    )  # fmt: skip


def report_csv(lang: Lang, report: Report) -> bytes:
    """The report's figures as a CSV a spreadsheet opens (UTF-8 with a BOM, so Excel reads Chinese): one
    row per figure (what it is part of, whom or which week, the measure, the value), weeks by their
    Monday as 2026-11-16, amounts in the report's currency, names safe from spreadsheet formulas."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([lang.gettext(h) for h in (N_("figure"), N_("of"), N_("measure"), N_("value"))])
    writer.writerows([escape_cell(str(cell)) for cell in row] for row in _csv_rows(lang, report))
    return out.getvalue().encode("utf-8-sig")


def _csv_rows(lang: Lang, report: Report) -> list[tuple[str, str, str, object]]:
    _ = lang.gettext
    visits, pool, revenue = _("Visits"), _("Pool"), _("Revenue")
    stages, bands, complaints = _("Customers by stage"), _("Churn bands"), _("Complaints")
    median = report.median_resolve_hours
    return [
        (visits, "", _("target per person"), report.visit_target),
        *[(visits, _name(report, rep), _("visits"), n) for rep, n in report.visits],
        *[(pool, week.isoformat(), _(FLOW_NAMES[kind]), moved[kind])
          for week, moved in zip(report.flow_weeks, report.flow, strict=True) for kind in FLOW_NAMES],
        *[(revenue, week.isoformat(), f"{labels.level(level, lang)} ({report.currency})", plain_amount(made[level], report.currency))
          for week, made in zip(report.revenue_weeks, report.revenue, strict=True) for level in ("A", "B", "C")],
        *[(stages, labels.stage(stage, lang), _("customers"), n) for stage, n in sorted(report.stages.items())],
        *[(bands, labels.band(band, lang), _("now"), report.bands.get(band, 0)) for band in BANDS],
        *[(bands, labels.band(band, lang), _("a month ago"), report.bands_month_ago.get(band, 0)) for band in BANDS],
        *[(complaints, _(CATEGORIES[k]), _("filed"), report.complaints.filed.get(k, 0)) for k in CATEGORIES],
        (complaints, "", _("median hours to resolve"), "" if median is None else f"{median:.1f}"),
        (complaints, "", _("breaches"), report.complaints.breached),
        *[(_("Funnel"), stage_name(stage, lang), _("opportunities"), n) for stage, n in report.funnel],
    ]  # fmt: skip


def csv_filename(report: Report) -> str:
    return f"report-{report.period.name}-{report.period.first_day.isoformat()}.csv"


def csv_message(lang: Lang, report: Report, link: str) -> dict[str, Any]:
    """The text-only post that shares the CSV: its permalink in the text (the link is what shares it)."""
    text = say(
        lang, N_("The figures of this report, %(first)s to %(last)s, as a CSV file for a spreadsheet: %(link)s"),
        first=day(report.period.first_day, lang), last=day(report.period.last_day, lang), link=link,
    )  # fmt: skip
    return {"text": str(text)}
