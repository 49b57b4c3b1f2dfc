"""Reports: each chart's figures against rows written here (exact numbers), who may see whose, a
quiet period said in one line with no empty chart, `/crm report` through a signed request, and every
label of every chart drawable in Chinese (the glyph test)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col

from bot.errors import NotAllowed
from bot.i18n import lang
from bot.services import opportunities, reports
from bot.services import settings as settings_service
from bot.services.opportunities import OpportunityDraft
from bot.views import charts
from bot.views import reports as views
from store.models import Customer
from tests import builders
from tests.conftest import ADMIN, MANAGER, NOW, OTHER_REP, REP
from tests.report_rows import LAST_MONDAY, LAST_SUNDAY, at, manager
from tests.test_churn import rep
from tests.test_followups import admin_actor, run, team


def test_a_managers_week_counts_exactly_their_teams_rows(week):
    found = reports.report(week, manager(), "week")
    assert (found.period.first_day, found.period.last_day) == (LAST_MONDAY, LAST_SUNDAY)
    assert found.visits == [(REP, 3), (OTHER_REP, 1), (MANAGER, 0)]
    assert found.visit_target == 20
    assert found.flow[-1] == {"claim": 1, "release": 0, "recycle": 1, "assign": 0}
    assert found.flow[-2] == {"claim": 0, "release": 0, "recycle": 0, "assign": 1}
    assert found.revenue[-1] == {"A": 100_000, "B": 0, "C": 20_000}
    assert found.revenue[-3] == {"A": 50_000, "B": 0, "C": 0}
    assert found.complaints.filed == {"delivery": 1, "quality": 2}
    assert found.complaints.resolve_hours == [6.0, 22.0 + 2 / 1]  # 12:00 → 18:00; 20th 12:00 → 21st 12:00
    assert found.complaints.breached == 1
    assert found.bands == {"critical": 1}
    assert found.bands_month_ago == {"watch": 1}
    assert found.stages == {"new": 2}


def test_the_company_sees_everyone_and_a_rep_only_themselves(week):
    company = reports.report(week, admin_actor(), "week")
    assert company.scope.kind == reports.COMPANY
    assert dict(company.visits)["U0WU"] == 1
    assert company.revenue[-1]["B"] == 999_900
    mine = reports.report(week, rep(REP), "week")
    assert mine.visits == [(REP, 3)]
    assert mine.revenue[-1] == {"A": 100_000, "B": 0, "C": 0}
    with pytest.raises(NotAllowed):
        reports.report(week, rep(REP), "week", MANAGER)
    with pytest.raises(NotAllowed):
        reports.report(week, manager(), "week", "U0MGRB")
    assert reports.report(week, admin_actor(), "week", "U0MGRB").visits == [("U0WU", 1), ("U0MGRB", 0)]


def test_a_quiet_period_is_one_line_and_no_empty_chart(env, clock):
    team(env)
    clock.set(NOW + timedelta(days=70))
    found = reports.report(env, manager(), "week")
    assert found.all_quiet
    message = views.report_message(lang("en"), found)
    assert "All quiet" in str(message["blocks"])
    assert views.report_charts(lang("en"), found) == []


@pytest.mark.usefixtures("week")
def test_the_crm_report_command_answers_with_the_figures_and_refuses_bad_words(slack, standin):
    reply = slack.command(MANAGER, "/crm", "report week")
    assert "Report for the week of Nov 16, 2026 to Nov 22, 2026" in reply.text
    assert "Mei 3, Li 1" in reply.text
    assert "The charts and a CSV file of the figures are on their way to your direct messages." in reply.text
    dm, shared = [call.args for call in standin.wait_for("chat.postMessage", count=2)][-2:]
    assert dm["channel"] == MANAGER
    images = [block for block in dm["blocks"] if block["type"] == "image"]
    assert len(images) == 5
    assert all(standin.uploaded(block["slack_file"]["id"]) for block in images)
    [upload] = [u for u in standin.uploads.values() if u.filename.endswith(".csv")]
    assert shared["channel"] == MANAGER
    assert upload.shared_in == {MANAGER}, "the CSV shared in the DM by the link in the post"
    assert "The figures of this report, Nov 16, 2026 to Nov 22, 2026, as a CSV file" in shared["text"]
    rows = list(csv.reader(io.StringIO(upload.data.decode("utf-8-sig"))))
    assert rows[0] == ["figure", "of", "measure", "value"]
    for row in (
        ["Visits", "Mei", "visits", "3"],
        ["Visits", "Li", "visits", "1"],
        ["Pool", "2026-11-16", "claimed", "1"],
        ["Pool", "2026-11-16", "recycled", "1"],
        ["Pool", "2026-11-09", "assigned", "1"],
        ["Revenue", "2026-11-16", "A · key (CNY)", "1000.00"],
        ["Revenue", "2026-11-02", "A · key (CNY)", "500.00"],
        ["Complaints", "Quality", "filed", "2"],
        ["Complaints", "", "median hours to resolve", "15.0"],
        ["Complaints", "", "breaches", "1"],
        ["Churn bands", "critical", "now", "1"],
    ):
        assert row in rows
    assert not any("Wu" in cell for row in rows for cell in row), "another team's figures never show"
    assert "Use: /crm report" in slack.command(MANAGER, "/crm", "report fortnight").text
    assert "your own team" in slack.command(REP, "/crm", f"report <@{MANAGER}|max>").text


@pytest.mark.usefixtures("week")
def test_a_report_asked_for_at_night_comes_at_once_not_in_the_morning(slack, standin, clock):
    clock.set(at(date(2026, 11, 23), 23))  # Monday 23:00 in Shanghai: outside working hours
    slack.command(MANAGER, "/crm", "report")
    posted = standin.wait_for("chat.postMessage", count=2)
    assert {call.args["channel"] for call in posted} == {MANAGER}


def test_the_csv_of_a_chinese_report_is_chinese_and_safe_from_spreadsheet_formulas(week):
    builders.person(week, "U0EVIL", manager_id=MANAGER, name='=HYPERLINK("x")')
    found = reports.report(week, manager(), "week")
    rows = list(csv.reader(io.StringIO(views.report_csv(lang("zh_CN"), found).decode("utf-8-sig"))))
    assert rows[0] == ["图表", "对象", "指标", "数值"]
    assert ["拜访", "Mei", "拜访", "3"] in rows
    assert ["拜访", '\'=HYPERLINK("x")', "拜访", "0"] in rows, "a name that is a formula is kept as text"


def test_every_label_of_every_chart_is_drawable_in_chinese(week):
    chinese = lang("zh_CN")
    found = reports.report(week, admin_actor(), "week")
    drawn = views.report_charts(chinese, found)
    assert len(drawn) == 5
    assert all(chart.png.startswith(b"\x89PNG") for chart in drawn)
    texts = (
        [chart.title for chart in drawn] + [chart.alt for chart in drawn] + views.figure_lines(chinese, found)
    )
    texts += [views.report_message(chinese, found)["text"]]
    missing = {char for text in texts for char in charts.missing_glyphs(text)}
    assert missing == set(), f"the chart font cannot draw {sorted(missing)}"
    assert charts.missing_glyphs("🦄ꙮ") == {"🦄", "ꙮ"}, "the check itself sees a glyph the font lacks"


def test_stages_count_only_the_scopes_customers(week):
    with week.db.session() as session:
        session.execute(sa.update(Customer).where(col(Customer.name) == "Small Shop").values(stage="at_risk"))
    assert reports.report(week, manager(), "week").stages == {"new": 1, "at_risk": 1}
    assert ADMIN not in dict(reports.report(week, admin_actor(), "week").visits)


def test_each_manager_gets_the_weekly_report_with_its_charts_once_on_the_first_working_morning(
    week, standin, clock
):
    clock.set(at(date(2026, 11, 23), 8))  # Monday 08:00: before the digest time (08:30)
    assert run(week, standin, "reports") == []
    clock.set(at(date(2026, 11, 23), 9))
    sent = run(week, standin, "reports")
    to = {message["channel"]: message for message in sent}
    assert set(to) == {MANAGER, "U0MGRB", ADMIN}, "each manager, and the admin for the company"
    report = to[MANAGER]
    assert "Report for the week of Nov 16, 2026 to Nov 22, 2026" in report["text"]
    images = [block for block in report["blocks"] if block["type"] == "image"]
    assert len(images) == 5
    assert all(standin.uploaded(block["slack_file"]["id"]) for block in images)
    assert "Wu" not in str(report["blocks"]), "another team's figures never show"
    assert standin.problems == []
    assert run(week, standin, "reports") == [], "once a week"
    clock.set(at(date(2026, 11, 24), 9))
    assert run(week, standin, "reports") == [], "not on Tuesday"


def test_the_champions_are_named_and_thanked_in_their_channel_with_ties_and_never_a_bottom(
    week, standin, clock
):
    settings_service.save(week, admin_actor(), {"champions_channel": "C0WINS", "champions_shown": 2})
    standin.add_channel("C0WINS", "wins", is_member=True)
    clock.set(at(date(2026, 11, 23), 9))
    [post] = [m for m in run(week, standin, "reports") if m["channel"] == "C0WINS"]
    text = str(post["blocks"])
    assert f"🏆 *Most visits*: <@{REP}>, with 3. Thank you!" in text
    assert f"2. <@{OTHER_REP}> 1 · 2. <@U0WU> 1" in text, "tied, the same rank"
    assert "<@U0WU>, with CN¥9,999.00" in text, "revenue: the champion of the whole company"
    assert "Best customer satisfaction" not in text, "nobody rated twice: no champion"
    assert "<@U0MGR>" not in text
    assert "<@U0ADMIN>" not in text
    [image] = [block for block in post["blocks"] if block["type"] == "image"]
    assert standin.uploaded(image["slack_file"]["id"])
    assert run(week, standin, "reports") == [], "once a week"


def test_the_report_gains_the_funnel_of_the_teams_opportunities_in_words_chart_and_csv(env, week, clock):
    key = builders.customer(env, "Funnel Co", owner=REP)
    clock.set(at(LAST_MONDAY, 10))
    mei = rep(REP)
    first = opportunities.open_opportunity(env, mei, OpportunityDraft(key.id or 0, "A", "1000", LAST_SUNDAY))
    opportunities.open_opportunity(env, mei, OpportunityDraft(key.id or 0, "B", "1000", LAST_SUNDAY))
    stages = [s.id for s in opportunities.stages(env, builders.WORKSPACE) if s.outcome == "open"]
    opportunities.move(env, mei, first.id, seen_version=1, stage_id=stages[1])
    opportunities.mark_won(env, mei, first.id, seen_version=2)
    clock.set(NOW)
    found = reports.report(week, manager(), "week")
    assert [(stage.key, n) for stage, n in found.funnel] == [
        ("qualify", 2), ("needs_analysis", 1), ("proposal", 1), ("negotiation", 1), ("won", 1), ("lost", 0),
    ]  # fmt: skip
    words = " ".join(views.figure_lines(lang("en"), found))
    assert (
        "Funnel*, opportunities opened in the 90 days to Nov 22, 2026: Qualify 2, Needs analysis 1" in words
    )
    drawn = views.report_charts(lang("en"), found)
    assert drawn[-1].title == "Funnel: opportunities opened in the 90 days to Nov 22, 2026"
    files = [{"id": f"F{n}"} for n in range(len(drawn))]
    message = views.report_message(lang("en"), found, drawn, files)
    images = [block for block in message["blocks"] if block["type"] == "image"]
    assert images[-1]["title"]["text"] == drawn[-1].title, "the funnel's chart under its paragraph"
    rows = list(csv.reader(io.StringIO(views.report_csv(lang("en"), found).decode("utf-8-sig"))))
    assert ["Funnel", "Qualify", "opportunities", "2"] in rows
    other_team = reports.report(week, admin_actor(), "week", "U0MGRB")
    assert other_team.funnel == [], "another team's report has no funnel of Mei's"
