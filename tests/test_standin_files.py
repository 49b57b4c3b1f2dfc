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
    assert any("not an uploaded image" in problem for problem in standin.problems)
    standin.problems.clear()  # refused on purpose: the fixture holds every other test to none


def test_an_upload_that_is_not_a_png_is_refused(standin):
    with pytest.raises(HTTPError, match="400"):  # the upload itself is answered 400
        client(standin).files_upload_v2(content=b"GIF89a not a png", filename="x.png")
    [upload] = standin.uploads.values()
    assert upload.data is None, "nothing kept of it"


def test_a_csv_uploaded_privately_is_shared_where_a_post_links_it(standin):
    answer = client(standin).files_upload_v2(
        content="项目,数值\r\n拜访,3\r\n".encode("utf-8-sig"), filename="r.csv"
    )
    file_id, permalink = answer["file"]["id"], answer["file"]["permalink"]
    assert answer["file"]["mimetype"] == "text/csv"
    assert standin.upload(file_id).shared_in == set(), "the upload alone shares it nowhere"
    client(standin).chat_postMessage(channel="U0MAX", text=f"The figures: {permalink}")
    assert standin.upload(file_id).shared_in == {"U0MAX"}


def test_a_post_linking_a_file_never_uploaded_is_refused_and_an_image_block_cannot_show_a_csv(standin):
    answer = client(standin).files_upload_v2(content=b"a,b\r\n", filename="r.csv")
    with pytest.raises(SlackApiError):
        client(standin).chat_postMessage(channel="U0MAX", text=f"{standin.files_url}/files/F0NOTHING")
    with pytest.raises(SlackApiError):
        client(standin).chat_postMessage(channel="U0MAX", text="csv", blocks=image(answer["file"]["id"]))
    assert len(standin.problems) == 2
    standin.problems.clear()  # refused on purpose


def test_a_csv_that_is_not_utf8_text_is_refused(standin):
    with pytest.raises(HTTPError, match="400"):
        client(standin).files_upload_v2(content="拜访".encode("gb18030"), filename="r.csv")
