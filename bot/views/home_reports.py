"""The reports on the Home: a lead's charts (drawn each morning, shown by their uploaded files) and a
rep's own standing of last week in the champions' measures, with the trend against the week before."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import N_, Lang
from bot.rules.money import from_minor
from bot.services.home_charts import LeadFigures, TeamTotals
from bot.services.standings import Standing
from bot.views import blocks as b
from bot.views import charts
from bot.views.champions import measure_value
from bot.views.reports import flow_chart, visits_chart
from bot.views.text import escape, say
from store.models import HomeChart

STANDING_MEASURES = {
    "visits": N_("Visits"),
    "new_customers": N_("New customers won"),
    "revenue": N_("Revenue"),
    "satisfaction": N_("Customer satisfaction"),
    "complaints": N_("Complaints resolved in time"),
}


def lead_charts(lang: Lang, figures: LeadFigures) -> list[charts.Chart]:
    """A manager's: visits per person and the pool's flow; an admin's: the pool's flow, complaints open
    per team, visits and revenue per team. A chart with nothing to show is left out."""
    report = figures.report
    drawn = [] if report.all_quiet else [flow_chart(lang, report)]
    if not figures.teams:
        return ([] if report.all_quiet else [visits_chart(lang, report)]) + drawn
    teams = figures.teams
    names = [_team_name(lang, figures, team) for team in teams]
    _ = lang.gettext
    if any(team.open_complaints for team in teams):
        title = _("Complaints open now, by team")
        in_time = [team.open_complaints - team.breached for team in teams]
        late = [team.breached for team in teams]
        drawn.append(
            charts.stacked(title, title, names, {_("within their time"): in_time, _("past a time"): late})
        )
    if any(team.visits for team in teams):
        title = _("Visits per team last week")
        drawn.append(charts.bars(title, title, names, [team.visits for team in teams]))
    if any(team.revenue_minor for team in teams):
        title = _("Revenue per team last week (%(currency)s)") % {"currency": report.currency}
        amounts = [float(from_minor(team.revenue_minor, report.currency)) for team in teams]
        drawn.append(charts.bars(title, title, names, amounts))
    return drawn


def _team_name(lang: Lang, figures: LeadFigures, team: TeamTotals) -> str:
    if team.manager_id is None:
        return lang.gettext("no manager")
    return figures.report.names.get(team.manager_id, team.manager_id)


def chart_blocks(lang: Lang, shown: Sequence[HomeChart]) -> list[b.Block]:
    """The morning's charts, each by its uploaded file; nothing when none was drawn yet."""
    if not shown:
        return []
    drawn = say(
        lang, N_("Charts of the morning of %(day)s; refreshed every working morning."), day=shown[0].day
    )
    blocks: list[b.Block] = [b.context(drawn)]
    return blocks + [b.image({"id": chart.file_id}, chart.alt, chart.title) for chart in shown]


def standing_blocks(lang: Lang, standing: Sequence[Standing], currency: str) -> list[b.Block]:
    """Where the person stood last week among the reps, and how it moved; nothing when not ranked."""
    if not standing:
        return []
    lines = [_standing_line(lang, one, currency) for one in standing]
    title = escape(lang.gettext("Your week"))
    title = f"*{title}*"
    return [b.section("\n".join([title, *lines]))]


def _standing_line(lang: Lang, one: Standing, currency: str) -> str:
    measure = lang.gettext(STANDING_MEASURES[one.measure])
    value = measure_value(lang, currency, one.measure, one.value)
    if one.rank_before is None:
        return say(
            lang, N_("%(measure)s last week: number %(rank)s of %(ranked)s, with %(value)s."),
            measure=measure, rank=one.rank, ranked=one.ranked, value=value,
        )  # fmt: skip
    trend = "↑" if one.rank < one.rank_before else "↓" if one.rank > one.rank_before else "→"
    return say(
        lang, N_("%(trend)s %(measure)s last week: number %(rank)s of %(ranked)s, with %(value)s; the week before, number %(before)s."),
        trend=trend, measure=measure, rank=one.rank, ranked=one.ranked, value=value, before=one.rank_before,
    )  # fmt: skip
