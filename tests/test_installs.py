"""Many workspaces from one installation, through Slack's real install flow against the stand-in: the
install pages over HTTP (a browser's steps: /slack/install, Slack's authorize page, the redirect back
with its code and the state's cookie), then signed requests from each workspace to the real web app.
Each workspace sees only its own customers; each call to Slack carries its own workspace's token (the
stand-in checks every token once a workspace is installed); uninstalling one leaves the other working;
a workspace that never installed is told so."""

from __future__ import annotations

import html
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from slack_sdk import WebClient
from sqlmodel import col

from bot import installs, jobs, notify
from bot.app import build_app
from bot.config import Settings
from bot.env import Env
from bot.playground.installs import CLIENT_ID, CLIENT_SECRET
from bot.playground.requests import SlackRequests, over_http
from bot.services import installations
from bot.web import wsgi_app
from store.models import Workspace
from store.models.installations import BOTS
from tests import builders
from tests.conftest import ADMIN, REP, SIGNING_SECRET

SECOND = "T0SECOND"
SAM = "U0SAM"  # a rep of the second workspace


class _Threading(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The test's assertions are the log."""


@dataclass(frozen=True)
class Served:
    url: str
    env: Env


@pytest.fixture
def many(database_url, standin, db, clock) -> Iterator[Served]:
    """The web app in many-workspaces mode (client id and secret, no bot token), served on 127.0.0.1."""
    settings = Settings(
        _env_file=None, slack_client_id=CLIENT_ID, slack_client_secret=SecretStr(CLIENT_SECRET),
        slack_signing_secret=SecretStr(SIGNING_SECRET), database_url=database_url,
        slack_api_url=standin.api_url, slack_oauth_authorize_url=f"http://127.0.0.1:{standin.port}/oauth/v2/authorize",
        admin_user_ids=frozenset({ADMIN}),
    )  # fmt: skip
    assert settings.installs_many
    lazy = ThreadPoolExecutor(max_workers=4)
    server = make_server(
        "127.0.0.1", 0, wsgi_app(build_app(settings, db, clock=clock, executor=lazy)),
        server_class=_Threading, handler_class=_Quiet,
    )  # fmt: skip
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    standin.redirect_url = url + installs.REDIRECT_PATH
    standin.add_user(SAM, "Sam")
    standin.users[SAM]["team_id"] = SECOND
    yield Served(url, Env(db=db, clock=clock, settings=settings))
    server.shutdown()
    lazy.shutdown(wait=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def install(served: Served, team: str, *, organisation: bool = False) -> str:
    """A workspace's admin goes through "Add to Slack" (for the whole organisation `team` if
    `organisation`); the page they end on."""
    with urllib.request.urlopen(served.url + installs.INSTALL_PATH) as page:
        cookie = page.headers["Set-Cookie"].split(";")[0]
        found = re.search(r'<a href="([^"]+)"', page.read().decode())
        assert found is not None, "the install page links to Slack's authorize page"
        link = html.unescape(found[1])
    with pytest.raises(urllib.error.HTTPError) as sent_back:  # Slack's answer: a redirect to the app
        urllib.request.build_opener(_NoRedirect).open(
            f"{link}&{'enterprise' if organisation else 'team'}={team}"
        )
    assert sent_back.value.code == 302
    back = urllib.request.Request(sent_back.value.headers["Location"], headers={"Cookie": cookie})
    with urllib.request.urlopen(back) as done:
        return done.read().decode()


def requests_from(served: Served, standin, team: str) -> SlackRequests:
    requests = SlackRequests(
        secret=SIGNING_SECRET, standin=standin, transport=over_http(served.url + "/slack/events")
    )
    requests.team_id = team
    return requests


def opened_by(standin, team: str) -> list[str]:
    return [call.team for call in standin.calls_to("views.open") if call.team == team]


def test_two_workspaces_installed_through_the_flow_each_see_only_their_own_and_speak_with_their_token(
    many, standin
):
    assert "Thank you" in install(many, builders.WORKSPACE)
    install(many, SECOND)
    with many.env.db.connection() as connection:
        teams = connection.execute(sa.select(BOTS.c.team_id, BOTS.c.bot_token)).all()
    assert sorted(team for team, _ in teams) == sorted([builders.WORKSPACE, SECOND])
    assert len({token for _, token in teams}) == 2, "a token per workspace"

    first, second = requests_from(many, standin, builders.WORKSPACE), requests_from(many, standin, SECOND)
    builders.customer(many.env, "Acme Trading", owner=REP)
    assert "Acme Trading" in first.command(REP, "/customer", "Acme").text
    assert "Acme Trading" not in second.command(SAM, "/customer", "Acme").text, "another workspace's customer"

    first.command(REP, "/customer")  # opens the form: a call with the first workspace's token
    second.command(SAM, "/customer")
    standin.wait_for("views.open", count=2)
    assert sorted(call.team for call in standin.calls_to("views.open")) == sorted(
        [builders.WORKSPACE, SECOND]
    )
    assert standin.problems == []


def test_the_worker_sends_each_workspaces_messages_with_its_own_token(many, standin):
    install(many, builders.WORKSPACE)
    install(many, SECOND)
    for team, user in ((builders.WORKSPACE, REP), (SECOND, SAM)):
        requests_from(many, standin, team).command(user, "/customer", "x")  # each workspace in use
        notify.enqueue(many.env, workspace_id=team, kind="test", recipient=user, subject="", period="1",
                       message={"text": f"hello {team}"})  # fmt: skip
    jobs.run_job("outbox", many.env, WebClient(token="", base_url=standin.api_url))  # no token of its own
    sent = {call.args["text"]: call.team for call in standin.calls_to("chat.postMessage")}
    assert sent == {f"hello {builders.WORKSPACE}": builders.WORKSPACE, f"hello {SECOND}": SECOND}


def test_uninstalling_one_leaves_the_other_working_and_a_stranger_is_told_to_install(many, standin):
    install(many, builders.WORKSPACE)
    install(many, SECOND)
    first, second = requests_from(many, standin, builders.WORKSPACE), requests_from(many, standin, SECOND)
    first.command(REP, "/customer", "x")  # the first workspace in use
    standin.uninstall(builders.WORKSPACE)
    first.event(REP, {"type": "app_uninstalled"})

    first.command(REP, "/customer", "Acme")
    assert "not installed in this workspace" in told(standin, 1), "answered through its response_url"
    second.command(SAM, "/customer")
    standin.wait_for("views.open")
    assert opened_by(standin, SECOND) == [SECOND], "the other workspace goes on"
    requests_from(many, standin, "T0NEVER").command("U0WHO", "/customer", "Acme")
    assert "尚未安装在这个工作区" in told(standin, 2)


def told(standin, count: int) -> str:
    """What the person was told through the command's response_url (the count-th such answer)."""
    return str(standin.wait_for("respond", count=count)[count - 1].args.get("text"))


def test_an_organisation_wide_install_serves_each_of_its_workspaces_requests_and_messages(many, standin):
    install(many, "E0ORG", organisation=True)
    with many.env.db.connection() as connection:
        [(team, enterprise, wide)] = connection.execute(
            sa.select(BOTS.c.team_id, BOTS.c.enterprise_id, BOTS.c.is_enterprise_install)
        ).all()
    assert (team, enterprise, wide) == (None, "E0ORG", True), "recorded as the organisation's"
    grid = requests_from(many, standin, "T0GRID")
    grid.enterprise_id = "E0ORG"
    standin.users[SAM]["team_id"] = "T0GRID"
    grid.command(SAM, "/customer", "x")  # the workspace's first request records it
    grid.command(SAM, "/customer")  # the next one, that it is the organisation's
    standin.wait_for("views.open")
    assert opened_by(standin, "E0ORG") == ["E0ORG"], "with the organisation's token"
    notify.enqueue(many.env, workspace_id="T0GRID", kind="test", recipient=SAM, subject="", period="1",
                   message={"text": "hello grid"})  # fmt: skip
    jobs.run_job("outbox", many.env, WebClient(token="", base_url=standin.api_url))
    [sent] = standin.calls_to("chat.postMessage")
    assert sent.team == "E0ORG"


def test_a_workspace_installed_again_speaks_with_its_new_token_in_every_process(many, standin):
    install(many, SECOND)
    requests_from(many, standin, SECOND).command(SAM, "/customer", "x")  # the workspace in use
    first = installations.token_for(many.env, SECOND)  # kept in this process from now on
    install(many, SECOND)  # installed again: a new token
    with many.env.db.connection() as connection:
        newest = connection.execute(
            sa.select(BOTS.c.bot_token).where(BOTS.c.team_id == SECOND).order_by(BOTS.c.installed_at.desc())
        ).first()
    assert newest is not None
    assert newest[0] != first
    assert installations.token_for(many.env, SECOND) == newest[0]


def test_uninstalling_an_organisation_wide_install_rests_its_workspaces_and_forgets_its_bot(many, standin):
    install(many, "E0ORG", organisation=True)
    install(many, SECOND)  # a workspace of its own, outside the organisation
    grid = requests_from(many, standin, "T0GRID")
    grid.enterprise_id = "E0ORG"
    standin.users[SAM]["team_id"] = "T0GRID"
    grid.command(SAM, "/customer", "x")
    grid.command(SAM, "/customer", "x")  # now known as the organisation's
    standin.uninstall("E0ORG")
    grid.event(SAM, {"type": "app_uninstalled"})

    with many.env.db.connection() as connection:
        left = connection.execute(sa.select(BOTS.c.team_id, BOTS.c.enterprise_id)).all()
        active = dict(connection.execute(sa.select(col(Workspace.id), col(Workspace.active))).all())
    assert left == [(SECOND, None)], "the organisation's bot is gone, the other workspace's stays"
    assert active["T0GRID"] is False, "the organisation's workspace rests"
    grid.command(SAM, "/customer", "Acme")
    assert "not installed in this workspace" in told(standin, 1)
