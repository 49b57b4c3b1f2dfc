"""Two web processes on one database, each keeping what requests read (the acting person, the settings,
the installation) in its memory: a change made through one is honoured by the other's next request,
because the database bumps the workspace's version in the change's own transaction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.playground.requests import SlackRequests, over_http
from bot.playground.standin import SlackStandIn
from tests.conftest import ADMIN, REP
from tests.e2e.conftest import BOT_TOKEN, SIGNING_SECRET, WebProcess, _clean_env, _stop, start_web_process


@pytest.fixture
def two(tmp_path: Path, database_url: str) -> Iterator[tuple[SlackStandIn, WebProcess, WebProcess]]:
    """Two web processes on the test's own database (migrated, empty)."""
    standin = SlackStandIn().start()
    standin.add_user(ADMIN, "Ada", is_admin=True)
    standin.add_user(REP, "Mei")
    env = _clean_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, DATABASE_URL=database_url,
                     SLACK_API_URL=standin.api_url, ADMIN_USER_IDS=ADMIN)  # fmt: skip
    first = start_web_process(tmp_path, env, "first")
    try:
        second = start_web_process(tmp_path, env, "second")
        try:
            yield standin, first, second
        finally:
            _stop(second.process)
    finally:
        _stop(first.process)
        standin.stop()


def test_a_role_changed_through_one_process_takes_effect_at_the_next_request_in_the_other(two):
    standin, first, second = two
    through_first = SlackRequests(
        secret=SIGNING_SECRET, standin=standin, transport=over_http(first.events_url)
    )
    through_second = SlackRequests(
        secret=SIGNING_SECRET, standin=standin, transport=over_http(second.events_url)
    )
    assert "Your own figures" in through_first.command(REP, "/crm", "report").text
    assert "Your own figures" in through_first.command(REP, "/crm", "report").text, (
        "kept in the first's memory"
    )

    through_second.command(ADMIN, "/crm", f"role <@{REP}|mei> manager")
    told = standin.wait_for("respond", count=1, timeout=10)
    assert any("manager" in str(call.args.get("text")) for call in told), told

    assert "The team of" in through_first.command(REP, "/crm", "report").text, "the next request in the other"
    assert "Traceback" not in first.log() + second.log()
