"""A queued message's images (a report's charts) and shared files (its CSV): kept with it, uploaded
by the sender just before the post, each once; image blocks pointed at the uploaded files, a shared
file's permalink put in the post's text; an upload that fails is tried again with the message, and a
post that fails after the upload does not upload again."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk import WebClient
from sqlmodel import select

from bot import jobs, notify
from bot.views import charts
from store.models import OutboxFile, OutboxImage
from tests import builders
from tests.conftest import NOW


def queue_chart(env, recipient: str = "C0REPORTS") -> bytes:
    chart = charts.bars("Visits per person", "Visits per person last week", ["Mei", "Li"], [3, 1])
    message = {
        "text": "Weekly report",
        "blocks": [{"type": "image", "slack_file": notify.pending_file("visits"), "alt_text": chart.alt}],
    }
    notify.enqueue(
        env, workspace_id=builders.WORKSPACE, kind="report", recipient=recipient, subject="team", period="2026-W47",
        message=message, images=[notify.Image("visits", chart.png, "visits.png", chart.title)],
    )  # fmt: skip
    return chart.png


def deliver(env, standin):
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    return notify.deliver_due(env, client, pacer=notify.Pacer(sleep=lambda _: None))


def test_the_chart_is_uploaded_then_shown_by_its_file(env, standin):
    png = queue_chart(env)
    assert deliver(env, standin).sent == 1
    [post] = standin.calls_to("chat.postMessage")
    file_id = post.args["blocks"][0]["slack_file"]["id"]
    assert standin.uploaded(file_id) == png
    assert standin.problems == []


def test_a_failed_upload_is_tried_again_and_a_failed_post_does_not_upload_twice(env, standin, clock):
    queue_chart(env)
    standin.fail_next("files.getUploadURLExternal", status=500)
    assert deliver(env, standin).retrying == 1
    assert standin.count("chat.postMessage") == 0

    clock.set(NOW + timedelta(minutes=5))
    standin.fail_next("chat.postMessage", status=500)
    deliver(env, standin)
    uploads = standin.count("files.completeUploadExternal")
    assert uploads == 1

    clock.set(NOW + timedelta(minutes=10))
    assert deliver(env, standin).sent == 1
    assert standin.count("files.completeUploadExternal") == uploads, "the file uploaded before is used again"
    assert standin.problems == []


def test_an_image_uploaded_long_ago_is_forgotten_and_one_never_uploaded_stays(env, standin, clock):
    queue_chart(env, recipient="C0ONE")
    deliver(env, standin)
    queue_chart(env, recipient="C0TWO")  # never sent: Slack is out for good below
    standin.fail_next("files.getUploadURLExternal", status=500, times=100)
    deliver(env, standin)
    clock.set(NOW + timedelta(days=31))
    jobs.run_job("retention", env, WebClient(token="xoxb-test", base_url=standin.api_url))
    with env.db.session() as session:
        left = session.exec(select(OutboxImage)).all()
    assert [image.file_id for image in left] == [None], "the uploaded one went, the waiting one stays"


def queue_csv(env, recipient: str = "U0MAX") -> bytes:
    content = "figure,of,measure,value\r\nVisits,Mei,visits,3\r\n".encode("utf-8-sig")
    shared = notify.SharedFile("figures", content, "report-week-2026-11-16.csv", "Report figures")
    notify.enqueue(
        env, workspace_id=builders.WORKSPACE, kind="report_csv", recipient=recipient, subject="", period="1",
        message={"text": f"The figures as CSV: {notify.shared_link('figures')}"}, files=[shared],
    )  # fmt: skip
    return content


def test_a_shared_file_is_uploaded_once_privately_and_its_permalink_shares_it_in_the_post(
    env, standin, clock
):
    content = queue_csv(env)
    standin.fail_next("chat.postMessage", status=500)
    deliver(env, standin)
    clock.set(NOW + timedelta(minutes=5))
    assert deliver(env, standin).sent == 1

    assert standin.count("files.completeUploadExternal") == 1, "uploaded once, the permalink kept"
    assert all("channel_id" not in call.args for call in standin.calls_to("files.completeUploadExternal"))
    [upload] = standin.uploads.values()
    assert upload.data == content
    post = standin.calls_to("chat.postMessage")[-1].args
    assert post["text"] == f"The figures as CSV: {standin.files_url}/files/{upload.file_id}"
    assert upload.shared_in == {"U0MAX"}
    assert standin.problems == []


def test_a_shared_file_uploaded_long_ago_is_forgotten(env, standin, clock):
    queue_csv(env)
    deliver(env, standin)
    clock.set(NOW + timedelta(days=31))
    jobs.run_job("retention", env, WebClient(token="xoxb-test", base_url=standin.api_url))
    with env.db.session() as session:
        assert session.exec(select(OutboxFile)).all() == []
