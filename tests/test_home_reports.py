"""The reports on the Home: a lead's charts drawn and uploaded each working morning (once), shown by
their files whenever the Home is opened; an admin's company figures per team (exact numbers); each
rep's own standing of last week with its trend, never anyone else's place."""

from __future__ import annotations

from datetime import date

from slack_sdk import WebClient

from bot import jobs
from bot.i18n import lang
from bot.services import home_charts, reports, standings
from bot.services.home import home_data
from bot.views import charts
from bot.views import home_reports as views
from bot.views.home import home_view
from tests import builders
from tests.conftest import MANAGER, OTHER_REP, REP
from tests.report_rows import at, complaint, visit
from tests.test_churn import rep
from tests.test_followups import admin_actor
from tests.test_home import published, text_of

MONDAY_MORNING = at(date(2026, 11, 23), 9)  # after the reminder time


def run_home_job(env, standin) -> None:
    jobs.run_job("home", env, WebClient(token="xoxb-test", base_url=standin.api_url))


def images(view: dict) -> list[dict]:
    return [block for block in view["blocks"] if block["type"] == "image"]


def test_a_managers_charts_are_drawn_and_uploaded_once_a_morning_and_shown_whenever_the_home_opens(
    week, standin, clock, slack
):
    clock.set(MONDAY_MORNING)
    run_home_job(week, standin)
    shown = images(published_for(standin, MANAGER))
    assert [image["title"]["text"] for image in shown] == [
        "Visits per person, Nov 16, 2026 to Nov 22, 2026",
        "The pool, week by week",
    ]
    assert all(standin.upload(image["slack_file"]["id"]).mimetype == "image/png" for image in shown)
    uploads = standin.count("files.completeUploadExternal")
    assert uploads == 2 + 2 + 4, "each manager's two charts (Max's, Bo's), the admin's four; none for reps"

    opened = standin.count("views.publish") + 1
    slack.open_home(MANAGER)
    standin.wait_for("views.publish", count=opened)
    assert images(published(standin, MANAGER)) == shown, "opening the Home shows them again"
    run_home_job(week, standin)
    assert standin.count("files.completeUploadExternal") == uploads, "drawn once a morning"
    assert standin.problems == []


def published_for(standin, user_id: str) -> dict:
    return next(
        c.args["view"] for c in reversed(standin.calls_to("views.publish")) if c.args["user_id"] == user_id
    )


def test_an_admins_company_figures_are_each_teams_exactly(week, clock):
    clock.set(MONDAY_MORNING)
    complaint(week, builders.customer(week, "Late Co", owner="U0WU"), "service", at(date(2026, 11, 10)),
              assignee="U0WU", resolve_breached_at=at(date(2026, 11, 12)))  # fmt: skip
    standings.ensure_standings(week, builders.WORKSPACE)
    within = reports.workspace_of(week, builders.WORKSPACE)
    figures = home_charts.lead_figures(week, admin_actor(), within)
    teams = {team.manager_id: team for team in figures.teams}
    assert teams[MANAGER] == home_charts.TeamTotals(
        MANAGER, visits=4, revenue_minor=120_000, open_complaints=3, breached=1
    )
    assert teams["U0MGRB"] == home_charts.TeamTotals(
        "U0MGRB", visits=1, revenue_minor=999_900, open_complaints=1, breached=1
    )
    drawn = views.lead_charts(lang("zh_CN"), figures)
    assert [chart.title for chart in drawn] == [
        "公海每周变动",
        "当前未解决的投诉（按团队）",
        "上周各团队拜访",
        "上周各团队收入（CNY）",
    ]
    missing = {c for chart in drawn for c in charts.missing_glyphs(chart.title + chart.alt)}
    assert missing == set()


def test_a_rep_sees_their_own_standing_and_its_trend_and_nobody_elses(week, clock):
    clock.set(at(date(2026, 11, 16), 9))  # a week earlier: Li ahead of Mei
    visit(week, builders.customer(week, "Li Co", owner=OTHER_REP), OTHER_REP, date(2026, 11, 10))
    visit(week, builders.customer(week, "Li Co 2", owner=OTHER_REP), OTHER_REP, date(2026, 11, 11))
    assert standings.ensure_standings(week, builders.WORKSPACE) == 2
    clock.set(MONDAY_MORNING)
    assert standings.ensure_standings(week, builders.WORKSPACE) == 1, "the week before was kept"
    assert standings.ensure_standings(week, builders.WORKSPACE) == 0, "once a week"

    view = home_view(lang("en"), home_data(week, rep(REP)))
    text = text_of(view)
    assert "*Your week*" in text
    assert "↑ Visits last week: number 1 of 3, with 3; the week before, number 2." in text
    assert "Revenue last week: number 2 of 3, with CN¥1,000.00." in text
    assert "<@U0WU>" not in text, "nobody else's place"
    assert f"<@{OTHER_REP}>" not in text
    theirs = text_of(home_view(lang("zh_CN"), home_data(week, rep(OTHER_REP))))
    assert "↓ 拜访：上周第 2 名（共 3 人），成绩 1；前一周第 1 名。" in theirs
    assert "Your week" not in text_of(home_view(lang("en"), home_data(week, admin_actor())))


def test_no_charts_before_the_first_morning_and_none_for_a_rep(week, standin, clock, slack):
    clock.set(at(date(2026, 11, 23), 8))  # before the reminder time
    slack.open_home(MANAGER)
    standin.wait_for("views.publish")
    assert images(published(standin, MANAGER)) == []
    clock.set(MONDAY_MORNING)
    run_home_job(week, standin)
    assert images(published_for(standin, REP)) == []
