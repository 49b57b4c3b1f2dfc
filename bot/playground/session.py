"""The playground: the real app, in this process, against the Slack stand-in, driven from a terminal.

Each line the person types becomes what Slack would send: a slash command, a button press, a modal's
fields and submission, an App Home opening — signed and dispatched into the same app object as in
production. What the bot sends back reaches the stand-in over HTTP; `World` keeps it as
conversations and this module shows it. `clock` moves the injectable clock and runs the scheduler's
own job functions at each hour passed, then delivers the outbox as the worker would.

Buttons and selects are numbered in what the last line showed; a number presses (or chooses in) that
one. A modal is filled field by field: Enter keeps a field as it is, `-` empties it, `.` leaves the
remaining fields as they are, `cancel` closes the modal.
"""

from __future__ import annotations

import re
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from rich.console import Console
from rich.text import Text
from slack_sdk import WebClient

from bot import jobs
from bot.app import build_app, profile_lookup
from bot.clock import FixedClock
from bot.config import Settings
from bot.env import Env
from bot.i18n import N_, lang
from bot.playground import installing, render, sample
from bot.playground.modals import Modals
from bot.playground.requests import FORM, SlackRequests, in_process
from bot.playground.screen import Ask, Lookups, Target
from bot.playground.standin import SlackStandIn
from bot.playground.timeline import TIMEZONE, TrackedExecutor
from bot.playground.world import Origin, World
from bot.services import installations
from store.db import Database

__all__ = ["Ask", "Options", "Playground"]


@dataclass(frozen=True)
class Options:
    lang: str = "en"  # "en" or "zh"
    db: Path | None = None  # None: a throwaway database
    seed: int = 1
    start: datetime | None = None  # None: now
    width: int | None = None


class Playground(Modals):
    """One session: the app, the stand-in and the sample workspace, and the person acting now; what it
    shows (`screen`), its clock (`timeline`), pressing (`pressing`) and modals (`modals`) are its parts."""

    def __init__(self, options: Options, *, console: Console, ask: Ask) -> None:
        self.options = options
        self.out = console
        self.ask = ask
        self.lang = lang("zh_CN" if options.lang == "zh" else "en")
        self.cast = sample.sample_workspace(options.lang)
        self.lookups = Lookups(self.cast)
        self.me = next(p for p in self.cast.people if p.role == "rep").user_id
        self.channel = self.cast.channels[0].channel_id  # where commands are typed
        self.screens: dict[str, dict[int, Target]] = {}  # each person's numbered controls, as last shown
        self._fresh_targets = True
        self._workdir = tempfile.TemporaryDirectory(prefix="tidewater-try-")
        self.folder = options.db.parent if options.db else Path(self._workdir.name)  # charts/ go here
        self.standin = SlackStandIn(team_id=self.cast.team_id)
        self.world = World(self.standin)
        self.clock = FixedClock(options.start or datetime.now(ZoneInfo(TIMEZONE)))

    # -- start and stop ---------------------------------------------------------------------------
    def start(self) -> None:
        self.standin.start()
        sample.register(self.standin, self.cast)
        self.settings = self._settings()
        self.db = Database.from_url(self.settings.sqlalchemy_url)
        self.db.upgrade()
        self.env = Env(db=self.db, clock=self.clock, settings=self.settings)
        self.executor = TrackedExecutor()
        self.app = build_app(self.settings, self.db, clock=self.clock, executor=self.executor)
        self.standin.redirect_url = "http://playground.invalid/slack/oauth_redirect"  # answered in process
        installing.install(self.app, self.standin, self.cast.team_id)  # "Add to Slack", as a real team does
        self.slack = SlackRequests(
            secret=self.settings.slack_signing_secret.get_secret_value(),
            standin=self.standin,
            transport=in_process(self.app),
        )
        self.jobs_client = jobs.outbox_client("", self.standin.api_url)  # each workspace's token is its own
        token = installations.token_for(self.env, self.cast.team_id) or ""
        lookup = profile_lookup(WebClient(token=token, base_url=self.standin.api_url))
        self.seeded = sample.seed(self.env, self.cast, lookup=lookup, seed=self.options.seed)  # or kept
        self.executor.wait_idle()
        self._deliver()
        self.world.skip_past()

    def stop(self) -> None:
        self.executor.shutdown(wait=True)
        self.db.engine.dispose()
        self.standin.stop()
        self._workdir.cleanup()

    def _settings(self) -> Settings:
        path = self.options.db or Path(self._workdir.name) / "playground.db"
        return Settings(
            _env_file=None,
            slack_client_id=installing.CLIENT_ID,
            slack_client_secret=SecretStr(installing.CLIENT_SECRET),
            slack_oauth_authorize_url=f"http://127.0.0.1:{self.standin.port}/oauth/v2/authorize",
            slack_signing_secret=SecretStr(secrets.token_hex(16)),
            database_url=f"sqlite:///{path}",
            slack_api_url=self.standin.api_url,
            admin_user_ids=self.cast.admin_ids,
            default_locale="zh_CN" if self.options.lang == "zh" else None,
            default_timezone=TIMEZONE,
        )

    # -- one line ---------------------------------------------------------------------------------
    def prompt(self) -> str:
        return f"{self.lookups.name_of(self.me)}> "

    def handle(self, line: str) -> bool:
        """Do what one line says; False when the person is done."""
        line = line.strip()
        self._fresh_targets = True
        if not line or line.startswith("#"):
            return True
        word, _, rest = line.partition(" ")
        if word in ("quit", "exit", "退出"):
            return False
        action = self._commands().get(word.casefold())
        if line.startswith("/"):
            self._slash(word, rest.strip())
        elif line.isdigit() or (word == "press" and rest.strip().isdigit()):
            self._press(int(line if line.isdigit() else rest))
        elif action is not None:
            action(rest.strip())
        else:
            self._say(N_("Not a playground command: “%(line)s”. Type help for the list."), line=line)
        self._fill_modals()
        return True

    def _commands(self) -> dict[str, Callable[[str], None]]:
        return {
            "as": self._become,
            "home": lambda _rest: self._home(),
            "dm": lambda _rest: self._show_conversation("D" + self.me),
            "channel": self._channel,
            "clock": self._clock,
            "shortcut": self._shortcut,
            "who": lambda _rest: self._who(),
            "install": self._install,
            "help": lambda _rest: self._help(),
        }

    # -- acting as someone --------------------------------------------------------------------------
    def _become(self, who: str) -> None:
        user_id = self.lookups.user_id(who)
        if user_id is None:
            self._say(N_("No one called %(who)s here. Type who for the people."), who=who)
            return
        self.me = user_id
        self._say(N_("You are now @%(handle)s."), handle=self.lookups.name_of(user_id))

    def _who(self) -> None:
        roles = {"admin": N_("admin"), "manager": N_("manager"), "rep": N_("rep")}
        for person in self.cast.people:
            manager = f" (@{self.lookups.name_of(person.manager_id)})" if person.manager_id else ""
            role = self.lang.gettext(roles.get(person.role, person.role))
            self.out.print(Text(f"  @{person.handle:<6} {person.name} · {role}{manager}"))

    def _install(self, team_id: str) -> None:
        """Another workspace installs the app through the flow; each workspace keeps its own data."""
        team = team_id.strip().upper()
        if not re.fullmatch(r"T[A-Z0-9]{2,30}", team):
            self._say(N_("Name the workspace to install by its id: install T0SECOND."))
            return
        installing.install(self.app, self.standin, team)
        self._say(
            N_("Workspace %(team)s installed Tidewater through Add to Slack, with a bot token of its own."),
            team=team,
        )

    def _help(self) -> None:
        for line in HELP:
            self._say(line)

    # -- slash commands, shortcuts, Home ------------------------------------------------------------
    def _slash(self, command: str, text: str) -> None:
        origin = Origin(self.me, self.channel)
        body = self.slack.command_body(
            self.me,
            command,
            self.lookups.as_slack_sends(text),
            channel=self.channel,
            response_url=self.world.response_url_for(origin),
            trigger_id=self.world.trigger_for(self.me),
        )
        self._after(self.slack.send_raw(body, FORM), origin)

    def _shortcut(self, text: str) -> None:
        """The message shortcut *Log as visit* on a message saying `text`."""
        origin = Origin(self.me, self.channel)
        reply = self.slack.message_shortcut(
            self.me,
            "visit.from_message",
            text,
            on=self._posted(origin),
            trigger_id=self.world.trigger_for(self.me),
        )
        self._after(reply, origin)

    def _home(self) -> None:
        self.slack.open_home(self.me)
        self._settle()
        home = self.world.homes.get(self.me)
        if home is None:
            self._say(N_("The Home tab did not open."))
            return
        self._heading(self.lang.gettext("App Home · @%(handle)s") % {"handle": self.lookups.name_of(self.me)})
        shown = render.render_view(
            home, names=self.lookups.name_of, first_number=self._next_number(), gettext=self.lang.gettext
        )
        self._show(shown, view=home)


HELP = [
    N_("as @mei                 act as someone (who: the people)"),
    N_(
        "/visit Acme: called     any slash command, exactly as in Slack (/customer, /visit, /order, /pool, /claim, /release, /assign, /complaint, /crm)"
    ),
    N_("3                       press button [3], or choose in select [3]"),
    N_("home                    open your App Home"),
    N_("dm · channel #name      your DMs from the bot, or a channel's last messages"),
    N_("shortcut <text>         Log as visit on a message saying <text>"),
    N_(
        "clock · clock +3d · clock +2h · clock 2026-12-01 09:00   the time; move it on, running the scheduled jobs"
    ),
    N_(
        "In a form: type each field (Enter keeps it, - empties it, . keeps the rest), then Enter to submit or cancel."
    ),
    N_("install T0SECOND        another workspace adds Tidewater through Add to Slack"),
    N_("quit                    leave (with --db FILE the data stays for next time)"),
]
