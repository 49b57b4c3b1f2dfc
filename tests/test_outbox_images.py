"""A queued message's images (a report's charts): kept with it, uploaded by the sender just before
the post, each once, and its image blocks pointed at the uploaded files; an upload that fails is
tried again with the message, and a post that fails after the upload does not upload again."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk import WebClient
from sqlmodel import select

from bot import jobs, notify
from bot.views import charts
from store.models import OutboxImage
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
