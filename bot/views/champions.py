"""The team's champions of the week: each measure's top reps named and thanked, with a chart of the
first measure's top; never a bottom list."""

from __future__ import annotations

from typing import Any

from bot.i18n import N_, Lang
from bot.rules.champions import Place
from bot.rules.money import from_minor
from bot.services.reports import Champions
from bot.views import blocks as b
from bot.views import charts, labels
from bot.views.text import Mrkdwn, day, escape, listed, mention, say

MEASURE_TITLES = {
    "visits": N_("Most visits"),
    "new_customers": N_("Most new customers won"),
    "revenue": N_("Most revenue"),
    "satisfaction": N_("Best customer satisfaction"),
    "complaints": N_("Most complaints resolved in time"),
}


def measure_value(lang: Lang, currency: str, measure: str, value: float) -> str:
    """A champions' measure as it reads: an amount, a rating out of 5, a count."""
    if measure == "revenue":
        return labels.amount(int(value), currency, lang)
    if measure == "satisfaction":
        return f"{value:.1f}/5"
    return str(int(value))


def _line(lang: Lang, found: Champions, measure: str, places: list[Place]) -> str:
    """🏆 *Most visits*: the champions thanked by name, then the others of the top."""
    champions = [p for p in places if p.rank == 1]
    thanks = say(
        lang, N_("🏆 *%(title)s*: %(who)s, with %(value)s. Thank you!"),
        title=lang.gettext(MEASURE_TITLES[measure]),
        who=Mrkdwn(listed(lang, [mention(p.rep) for p in champions])),
        value=measure_value(lang, found.currency, measure, champions[0].value),
    )  # fmt: skip
    others = " · ".join(
        f"{p.rank}. {mention(p.rep)} {escape(measure_value(lang, found.currency, measure, p.value))}"
        for p in places
        if p.rank > 1
    )
    return thanks + (f"\n{others}" if others else "")


def champions_message(
    lang: Lang, found: Champions, files: list[dict[str, str]], drawn: list[charts.Chart]
) -> dict[str, Any]:
    _ = lang.gettext
    title = _("The team's champions, %(first)s to %(last)s") % {
        "first": day(found.period.first_day, lang), "last": day(found.period.last_day, lang),
    }  # fmt: skip
    lines = [_line(lang, found, measure, places) for measure, places in found.measures.items() if places]
    if not lines:
        quiet = say(lang, N_("A quiet week: no champion to name this time."))
        return b.message(title, [b.header(title), b.section(quiet)])
    blocks: list[b.Block] = [b.header(title), *(b.section(line) for line in lines)]
    blocks += [b.image(file, chart.alt, chart.title) for file, chart in zip(files, drawn, strict=False)]
    return b.message(title, blocks)


def champions_chart(lang: Lang, found: Champions) -> list[charts.Chart]:
    """The first measure with a top: its reps as bars."""
    for measure, places in found.measures.items():
        if places:
            title = lang.gettext(MEASURE_TITLES[measure])
            names = [found.names.get(p.rep, p.rep) for p in places]
            values = [
                float(from_minor(int(p.value), found.currency)) if measure == "revenue" else p.value
                for p in places
            ]
            return [charts.bars(title, title, names, values)]
    return []
