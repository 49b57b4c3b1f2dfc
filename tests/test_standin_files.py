"""The Slack stand-in's upload flow, as slack_sdk drives it: a PNG uploaded in three steps, an image
block that refers to it accepted, one that refers to nothing refused, and an upload that is not the
PNG announced refused."""

from __future__ import annotations

from urllib.error import HTTPError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.views import charts


def client(standin) -> WebClient:
    return WebClient(token="xoxb-test", base_url=standin.api_url)


def image(file_id: str) -> list[dict]:
    return [{"type": "image", "slack_file": {"id": file_id}, "alt_text": "visits per rep"}]


def test_a_chart_is_uploaded_and_shown_by_its_file_id(standin):
    chart = charts.bars("访问", "访问", ["陈美"], [3])
    answer = client(standin).files_upload_v2(content=chart.png, filename="visits.png", title=chart.title)
    file_id = answer["file"]["id"]
    assert standin.uploaded(file_id) == chart.png
    posted = client(standin).chat_postMessage(channel="U0MAX", text="visits", blocks=image(file_id))
    assert posted["ok"]
    assert standin.problems == []


def test_an_image_block_that_refers_to_no_upload_is_refused(standin):
    with pytest.raises(SlackApiError):
        client(standin).chat_postMessage(channel="U0MAX", text="visits", blocks=image("F0NOTHING"))
    assert any("not an uploaded file" in problem for problem in standin.problems)
    standin.problems.clear()  # refused on purpose: the fixture holds every other test to none


def test_an_upload_that_is_not_a_png_is_refused(standin):
    with pytest.raises(HTTPError, match="400"):  # the upload itself is answered 400
        client(standin).files_upload_v2(content=b"GIF89a not a png", filename="x.png")
    [upload] = standin.uploads.values()
    assert upload.data is None, "nothing kept of it"
