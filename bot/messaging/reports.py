"""The weekly report: on the first working morning of each week, at the digest time in each
reader's own zone, every manager gets their team's report of the week before (admins: the company's),
the charts uploaded with it (through the outbox: each once, retried, never posted twice)."""

from __future__ import annotations

from bot import notify
from bot.env import Env
from bot.i18n import lang
from bot.messaging.mornings import Due, due_this_morning
from bot.rules.calendar import due_day, first_working_day_of_week
from bot.services import reports
from bot.services import settings as settings_service
from bot.services.people import Actor, directory, workspace_locale
from bot.services.reports import workspace_zone
from bot.views import champions as champion_views
from bot.views import reports as views
from bot.views.charts import Chart

KIND = "weekly_report"
ASKED = "report"  # a report asked for with /crm report, to the asker's DM; its period is the asking's instant
ASKED_CSV = "report_csv"  # that report's figures as a CSV file, shared in the same DM just after it


def send_weekly_reports(env: Env, workspace_id: str) -> int:
    """Queue this week's report for each lead due one; returns how many."""
    settings = settings_service.load(env, workspace_id)
    people = directory(env, workspace_id)
    due = due_this_morning(
        env, reports.readers(people), kind=KIND, at=settings.digest_at, country=settings.country,
        workspace_id=workspace_id,
    )  # fmt: skip
    due = [one for one in due if first_working_day_of_week(one.day, settings.country)]
    within = reports.Workspace(people, settings, workspace_zone(env, workspace_id))
    for one in due:
        _queue(env, one, within)
    return len(due)


def _queue(env: Env, one: Due, within: reports.Workspace) -> None:
    """One report, its charts drawn in the reader's language and kept with the message."""
    found = reports.report(env, one.person, "week", within=within)
    queue_report(env, one.person, found, KIND, one.day.isoformat())


def queue_report(env: Env, reader: Actor, found: reports.Report, kind: str, period: str) -> str:
    """A report to the reader's DM with its charts (uploaded by the outbox); its key."""
    words = reader.lang
    drawn = views.report_charts(words, found)
    files, images = _queued_images("chart", drawn)
    message = views.report_message(words, found, drawn, files)
    return notify.enqueue(
        env, workspace_id=reader.workspace_id, kind=kind, recipient=reader.user_id, subject="",
        period=period, message=message, images=images,
    )  # fmt: skip


def queue_report_csv(env: Env, reader: Actor, found: reports.Report, period: str) -> str:
    """The report's figures as a CSV, shared in the reader's DM (uploaded by the outbox); its key."""
    words = reader.lang
    shared = notify.SharedFile("figures", views.report_csv(words, found), views.csv_filename(found))
    return notify.enqueue(
        env, workspace_id=reader.workspace_id, kind=ASKED_CSV, recipient=reader.user_id, subject="",
        period=period, message=views.csv_message(words, found, notify.shared_link(shared.key)), files=[shared],
    )  # fmt: skip


CHAMPIONS = "champions"  # the week's post in the champions channel; its period is the week's Monday


def post_champions(env: Env, workspace_id: str) -> int:
    """The week's champions, once, on the first working morning of the week at the digest time in the
    workspace's zone; 1 when queued now."""
    settings = settings_service.load(env, workspace_id)
    zone_name = workspace_zone(env, workspace_id)
    today = due_day(env.clock.now(), zone_name, settings.digest_at, settings.country)
    if today is None or not first_working_day_of_week(today, settings.country):
        return 0
    found = reports.champions(env, workspace_id, today)
    if found is None:
        return 0
    words = lang(workspace_locale(env, workspace_id))
    drawn = champion_views.champions_chart(words, found)
    files, images = _queued_images("champions", drawn)
    message = champion_views.champions_message(words, found, files, drawn)
    notify.enqueue(
        env, workspace_id=workspace_id, kind=CHAMPIONS, recipient=found.channel, subject="",
        period=found.period.first_day.isoformat(), message=message, images=images,
    )  # fmt: skip
    return 1


def _queued_images(prefix: str, drawn: list[Chart]) -> tuple[list[dict[str, str]], list[notify.Image]]:
    """Charts kept with their message: the image blocks' files, and the images the outbox uploads."""
    names = [f"{prefix}{n}" for n in range(len(drawn))]
    images = [
        notify.Image(n, chart.png, f"{n}.png", chart.title) for n, chart in zip(names, drawn, strict=True)
    ]
    return [notify.pending_file(n) for n in names], images
