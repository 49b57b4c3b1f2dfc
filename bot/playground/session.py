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
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from pydantic import SecretStr
from rich.console import Console
from rich.text import Text

from bot import jobs, notify
from bot.app import build_app, profile_lookup, web_client
from bot.clock import FixedClock
from bot.config import Settings
from bot.env import Env
from bot.i18n import N_, Lang, lang
from bot.playground import forms, render, sample
from bot.playground.requests import FORM, Posted, Reply, SlackRequests, in_process
from bot.playground.standin import SlackStandIn
from bot.playground.world import Change, Happening, Origin, Post, World
from store.db import Database

Ask = Callable[[str], str | None]  # shows a prompt, returns the answer (None: no more input)
TIMEZONE = "Asia/Shanghai"  # the sample workspace's people all work in Shanghai
JOB_STEP = timedelta(hours=1)
SHOWN_IN_CONVERSATION = 5
CANCEL_WORDS = {"cancel", "取消"}
REST_AS_IS = "."
EMPTY = "-"
LAZY_WAIT_SECONDS = 15.0


class TrackedExecutor(ThreadPoolExecutor):
    """Runs the lazy listeners and can wait until none is left, so each line's output is complete."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="lazy")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = LAZY_WAIT_SECONDS) -> None:
        with self._idle:
            self._idle.wait_for(lambda: self._pending == 0, timeout)


@dataclass(frozen=True)
class Options:
    lang: str = "en"  # "en" or "zh"
    db: Path | None = None  # None: a throwaway database
    seed: int = 1
    start: datetime | None = None  # None: now
    width: int | None = None


@dataclass(frozen=True)
class Target:
    """What a number on the screen presses: a control in a message, a modal or a Home tab."""

    control: render.Control
    post: Post | None = None
    view: dict[str, Any] | None = None


@dataclass
class Filling:
    """A modal being filled: the answers so far, by block id, and the errors the bot gave."""

    chosen: dict[str, forms.Choice] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


class Lookups:
    def __init__(self, cast: sample.Sample) -> None:
        self.people = {person.user_id: person for person in cast.people}
        self.channels = {channel.channel_id: channel for channel in cast.channels}

    def user_id(self, typed: str) -> str | None:
        wanted = typed.strip().lstrip("@").casefold()
        for person in self.people.values():
            if wanted in (person.handle, person.user_id.casefold(), person.name.casefold()):
                return person.user_id
        return None

    def channel_id(self, typed: str) -> str | None:
        wanted = typed.strip().lstrip("#").casefold()
        for channel in self.channels.values():
            if wanted in (channel.name, channel.channel_id.casefold()):
                return channel.channel_id
        return None

    def name_of(self, some_id: str) -> str:
        if some_id in self.people:
            return self.people[some_id].handle
        if some_id in self.channels:
            return self.channels[some_id].name
        return some_id


class Playground:
    def __init__(self, options: Options, *, console: Console, ask: Ask) -> None:
        self.options = options
        self.out = console
        self.ask = ask
        self.lang: Lang = lang("zh_CN" if options.lang == "zh" else "en")
        self.cast = sample.sample_workspace(options.lang)
        self.lookups = Lookups(self.cast)
        self.me = next(p for p in self.cast.people if p.role == "rep").user_id
        self.channel = self.cast.channels[0].channel_id  # where commands are typed
        self.screens: dict[str, dict[int, Target]] = {}  # each person's numbered controls, as last shown
        self._fresh_targets = True
        self._workdir = tempfile.TemporaryDirectory(prefix="tidewater-try-")
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
        self.slack = SlackRequests(
            secret=self.settings.slack_signing_secret.get_secret_value(),
            standin=self.standin,
            transport=in_process(self.app),
        )
        self.jobs_client = jobs.outbox_client(
            self.settings.slack_bot_token.get_secret_value(), self.standin.api_url
        )
        lookup = profile_lookup(web_client(self.settings))
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
            slack_bot_token=SecretStr("xoxb-playground"),
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
            "help": lambda _rest: self._help(),
        }

    def _say(self, message: str, **params: object) -> None:
        text = self.lang.gettext(message)
        self.out.print(Text(text % params if params else text), soft_wrap=True)

    @property
    def targets(self) -> dict[int, Target]:
        """What each number presses for the person acting now: what they were last shown."""
        return self.screens.get(self.me, {})

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

    def _help(self) -> None:
        for line in HELP:
            self._say(line)

    # -- slash commands, shortcuts, Home ------------------------------------------------------------
    def _slash(self, command: str, text: str) -> None:
        origin = Origin(self.me, self.channel)
        body = self.slack.command_body(
            self.me,
            command,
            text,
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

    def _posted(self, origin: Origin, post: Post | None = None) -> Posted:
        """How Slack describes the message of an interaction, with a response_url leading back."""
        return Posted(
            response_url=self.world.response_url_for(origin),
            channel=origin.channel,
            channel_name=self.lookups.name_of(origin.channel),
            ts=origin.message_ts or "1.000001",
            message=post.message if post is not None and post.visible_to is None else None,
        )

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

    def _after(self, reply: Reply, origin: Origin) -> None:
        """What a request's ack said (an ephemeral answer, or nothing), then what followed."""
        answer = reply.json
        happenings = [self.world.answer(origin, answer)] if ("text" in answer or "blocks" in answer) else []
        self._show_happenings(happenings + self._settle())

    # -- pressing ----------------------------------------------------------------------------------
    def _press(self, number: int) -> None:
        target = self.targets.get(number)
        if target is not None and target.post is not None and not target.post.seen_by(self.me):
            target = None
        if target is None:
            self._say(N_("There is no [%(number)s] on the screen."), number=number)
            return
        action = self._action(target.control)
        if action is None:
            return
        if target.view is not None:
            self._act_in_view(target.view, action, Filling())
            return
        assert target.post is not None
        self._act_on_post(target.post, action)

    def _action(self, control: render.Control) -> dict[str, Any] | None:
        """The action payload for pressing or choosing in `control`; None if the person backed out."""
        element = control.element
        kind = element.get("type", "")
        action: dict[str, Any] = {
            "action_id": element.get("action_id", ""),
            "block_id": control.block_id,
            "type": kind,
            "action_ts": f"{self.clock.now().timestamp():.6f}",
        }
        if kind == "button":
            if element.get("value") is not None:
                action["value"] = element["value"]
            action["text"] = element.get("text")
            return action if self._confirmed(element) else None
        choice = self._ask_choice(render.element_label(element), element)
        return None if choice is None else {**action, **choice.state}

    def _confirmed(self, element: dict[str, Any]) -> bool:
        confirm = element.get("confirm")
        if not confirm:
            return True
        question = render.mrkdwn(str((confirm.get("text") or {}).get("text", "")), self.lookups.name_of)
        self.out.print(Text("? ").append_text(question))
        answer = self.ask(self.lang.gettext("Sure? (y/n) "))
        return (answer or "").strip().casefold() in ("y", "yes", "是", "好")

    def _ask_choice(self, label: str, element: dict[str, Any]) -> forms.Choice | None:
        options = forms.options_of(element)
        if options:
            self._list_options(options)
        while True:
            typed = self.ask(f"{label}: ")
            if typed is None or typed.strip().casefold() in CANCEL_WORDS or not typed.strip():
                return None
            try:
                if element.get("type") == "overflow":
                    return forms.option_choice("overflow", forms.match_option(options, typed))
                return forms.choose(element, typed, today=self._today(), lookups=self.lookups)
            except forms.NotUnderstood as problem:
                self.out.print(Text("⚠ " + problem.text(self.lang)))

    def _list_options(self, options: list[dict[str, Any]]) -> None:
        listed = "  ".join(f"{n}. {render.option_label(option)}" for n, option in enumerate(options, 1))
        self.out.print(Text("  " + listed, style="dim"), soft_wrap=True)

    def _act_on_post(self, post: Post, action: dict[str, Any]) -> None:
        origin = Origin(self.me, post.channel, post.ts)
        on = self._posted(origin, post)
        self._after(
            self.slack.act(self.me, action, on=on, trigger_id=self.world.trigger_for(self.me)), origin
        )

    def _view_payload(self, view: dict[str, Any], filling: Filling) -> dict[str, Any]:
        state = forms.view_state(view, filling.chosen, self.lookups)
        return {**view, "state": state}

    def _act_in_view(self, view: dict[str, Any], action: dict[str, Any], filling: Filling) -> None:
        filled = self._view_payload(view, filling)
        self.slack.act(self.me, action, view=filled, trigger_id=self.world.trigger_for(self.me))
        self._show_happenings(self._settle())

    # -- modals ------------------------------------------------------------------------------------
    def _fill_modals(self) -> None:
        """Fill whatever modal the person has open until it is submitted or closed."""
        filling = Filling()
        start_at = 0
        while (view := self.world.top_modal(self.me)) is not None:
            self._show_modal(view, filling)
            outcome = self._fill_fields(view, filling, start_at)
            if outcome == "cancel":
                self.world.close_all(self.me)
                return
            if outcome == "changed":  # a dispatching field changed the modal: show it, go on from there
                start_at = self._position_after_dispatch(self.world.top_modal(self.me) or {}, filling)
                continue
            start_at = 0
            filling = self._finish(view, filling)

    def _show_modal(self, view: dict[str, Any], filling: Filling) -> None:
        values = {block_id: choice.shown for block_id, choice in filling.chosen.items()}
        shown = render.render_view(
            view,
            names=self.lookups.name_of,
            first_number=1,
            values=values,
            errors=filling.errors,
            gettext=self.lang.gettext,
        )
        self.out.print(_indented(shown.text))
        self._modal_targets = {control.number: Target(control, view=view) for control in shown.controls}
        self._modal_fields = shown.fields

    def _fill_fields(self, view: dict[str, Any], filling: Filling, start_at: int) -> str:
        """Ask each field from `start_at` (after a refusal, only those with errors): "cancel", "done",
        or "changed" when the bot changed the modal after a dispatching field."""
        fields = self._modal_fields
        if filling.errors:
            fields = [f for f in fields if f.block_id in filling.errors]
            filling.errors = {}
        else:
            fields = fields[start_at:]
        shown_as = view.get("id"), view.get("hash")
        for spec in fields:
            outcome = self._fill_field(view, spec, filling)
            if outcome in ("cancel", "rest"):
                return "cancel" if outcome == "cancel" else "done"
            now_open = self.world.top_modal(self.me) or {}
            if outcome == "dispatched" and (now_open.get("id"), now_open.get("hash")) != shown_as:
                return "changed"
        return "done"

    def _fill_field(self, view: dict[str, Any], spec: render.Field, filling: Filling) -> str:
        mark = "" if spec.optional else "*"
        options = forms.options_of(spec.element)
        if options and spec.element.get("type") != "checkboxes":
            self._list_options(options)
        while True:
            typed = self.ask(f"  {spec.label}{mark}: ")
            if typed is None or typed.strip().casefold() in CANCEL_WORDS:
                return "cancel"
            typed = typed.strip()
            if typed == REST_AS_IS:
                return "rest"
            if not typed:
                return "kept"
            try:
                choice = self._choice_for(view, spec, typed, filling)
            except forms.NotUnderstood as problem:
                self.out.print(Text("  ⚠ " + problem.text(self.lang)))
                continue
            if choice is None:
                continue
            filling.chosen[spec.block_id] = choice
            if spec.dispatches:
                self._dispatch(view, spec, choice, filling)
                return "dispatched"
            return "set"

    def _choice_for(
        self, view: dict[str, Any], spec: render.Field, typed: str, filling: Filling
    ) -> forms.Choice | None:
        element = spec.element
        if typed == EMPTY:
            return forms.Choice(forms.empty_state(element), "")
        if element.get("type") != "external_select":
            return forms.choose(element, typed, today=self._today(), lookups=self.lookups)
        options = self._suggestions(view, spec, typed, filling)
        if not options:
            self._say(N_("  Nothing matches %(typed)s."), typed=typed)
            return None
        if len(options) == 1:
            return forms.option_choice("external_select", options[0])
        self._list_options(options)
        which = self.ask("  #: ")
        if which is None or not which.strip():
            return None
        return forms.option_choice("external_select", forms.match_option(options, which))

    def _suggestions(
        self, view: dict[str, Any], spec: render.Field, typed: str, filling: Filling
    ) -> list[dict[str, Any]]:
        """What the bot offers for `typed` in a type-ahead field (a block_suggestion request)."""
        action_id = str(spec.element.get("action_id"))
        filled = self._view_payload(view, filling)
        answer = self.slack.options(self.me, action_id, typed, view=filled, block_id=spec.block_id).json
        return forms.options_of(answer)

    def _dispatch(
        self, view: dict[str, Any], spec: render.Field, choice: forms.Choice, filling: Filling
    ) -> None:
        action = {
            "action_id": spec.element.get("action_id"),
            "block_id": spec.block_id,
            "action_ts": f"{self.clock.now().timestamp():.6f}",
            **choice.state,
        }
        self._act_in_view(view, action, filling)

    def _position_after_dispatch(self, view: dict[str, Any], filling: Filling) -> int:
        """Where to go on in a modal the bot changed: after the last field already answered."""
        block_ids = [b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"]
        answered = [n for n, block_id in enumerate(block_ids) if block_id in filling.chosen]
        filling.chosen = {k: v for k, v in filling.chosen.items() if k in block_ids}
        return answered[-1] + 1 if answered else 0

    def _finish(self, view: dict[str, Any], filling: Filling) -> Filling:
        """Submit, close or press a button of the modal; the filling to go on with."""
        submit = ((view.get("submit") or {}).get("text")) or ""
        close = ((view.get("close") or {}).get("text")) or self.lang.gettext("Cancel")
        while True:
            hint = self.lang.gettext("Enter: %(submit)s · cancel: %(close)s · a number: press it")
            typed = self.ask(hint % {"submit": submit or "—", "close": close} + " > ")
            if typed is None or typed.strip().casefold() in CANCEL_WORDS:
                self.world.close_top(self.me)
                return Filling()
            typed = typed.strip()
            if typed.isdigit() and int(typed) in self._modal_targets:
                target = self._modal_targets[int(typed)]
                action = self._action(target.control)
                if action is not None:
                    self._act_in_view(view, action, filling)
                return filling
            if not typed and submit:
                return self._submit(view, filling)
            self._say(N_("Press Enter to submit, type cancel, or the number of a button."))

    def _submit(self, view: dict[str, Any], filling: Filling) -> Filling:
        filled = self._view_payload(view, filling)
        answer = self.slack.submit(self.me, filled, trigger_id=self.world.trigger_for(self.me)).json
        action = answer.get("response_action")
        if action == "errors":
            return Filling(filling.chosen, dict(answer.get("errors") or {}))
        if action == "update":
            self.world.replace_top(self.me, answer["view"])
        elif action == "push":
            self.world.push(self.me, answer["view"])
        elif action == "clear":
            self.world.close_all(self.me)
        else:
            self.world.close_top(self.me)
        self._show_happenings(self._settle())
        return Filling()

    # -- time --------------------------------------------------------------------------------------
    def _today(self) -> date:
        return self.clock.now().astimezone(ZoneInfo(TIMEZONE)).date()

    def _clock(self, rest: str) -> None:
        if not rest:
            self._say(N_("It is %(now)s."), now=self._local(self.clock.now()))
            return
        target = self._clock_target(rest)
        if target is None:
            self._say(N_("Say clock +3d, clock +2h, or clock 2026-12-01 09:00."))
            return
        if target <= self.clock.now():
            self._say(N_("The clock only goes forward."))
            return
        self._run_until(target)
        self._say(N_("It is %(now)s."), now=self._local(self.clock.now()))

    def _clock_target(self, rest: str) -> datetime | None:
        relative = re.fullmatch(r"\+(\d+)\s*([dhm])", rest.strip())
        if relative:
            unit = {"d": "days", "h": "hours", "m": "minutes"}[relative.group(2)]
            return self.clock.now() + timedelta(**{unit: int(relative.group(1))})
        try:
            moment = datetime.fromisoformat(rest.strip())
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(TIMEZONE))

    def _run_until(self, target: datetime) -> None:
        for instant in _steps(self.clock.now(), target):
            self.clock.set(instant)
            for job in jobs.JOBS.values():
                if job.name != "outbox":  # delivered below, without real-time pacing
                    job.run(self.env, self.jobs_client)
            happenings = self._settle()
            if any(h.change is not Change.VIEW for h in happenings):
                self._heading(self._local(instant))
                self._show_happenings(happenings)

    def _deliver(self) -> None:
        """The outbox job's delivery, without waiting between posts: the clock is simulated."""
        while notify.deliver_due(self.env, self.jobs_client, pacer=notify.Pacer(sleep=lambda _s: None)).sent:
            pass

    def _settle(self) -> list[Happening]:
        self.executor.wait_idle()
        self._deliver()
        self.executor.wait_idle()
        return self.world.absorb()

    def _local(self, moment: datetime) -> str:
        local = moment.astimezone(ZoneInfo(TIMEZONE))
        return format_datetime(local, "EEE yyyy-MM-dd HH:mm", locale=self.lang.babel) + f" ({TIMEZONE})"

    # -- showing -----------------------------------------------------------------------------------
    def _next_number(self) -> int:
        if self._fresh_targets:
            return 1
        return max(self.targets, default=0) + 1

    def _register(
        self, shown: render.Rendered, *, post: Post | None = None, view: dict[str, Any] | None = None
    ) -> None:
        if not shown.controls:
            return
        if self._fresh_targets:
            self.screens[self.me] = {}
            self._fresh_targets = False
        for control in shown.controls:
            self.screens.setdefault(self.me, {})[control.number] = Target(control, post=post, view=view)

    def _show(
        self, shown: render.Rendered, *, post: Post | None = None, view: dict[str, Any] | None = None
    ) -> None:
        self._register(shown, post=post, view=view)
        self.out.print(_indented(shown.text))

    def _heading(self, text: str) -> None:
        self.out.print(Text(f"── {text} ──", style="bold cyan"), soft_wrap=True)

    def _show_happenings(self, happenings: list[Happening]) -> None:
        for happening in happenings:
            if happening.post is not None:
                self._show_post(happening.change, happening.post)

    def _show_post(self, change: Change, post: Post) -> None:
        if not post.seen_by(self.me):
            self._notice(post)
            return
        self._heading(self._where(post) + self._changed(change))
        if change is Change.DELETED:
            return
        shown = render.render_message(
            post.message, names=self.lookups.name_of, first_number=self._next_number()
        )
        self._show(shown, post=post)

    def _notice(self, post: Post) -> None:
        """Someone else's DM or ephemeral answer: one line, as Slack would not show it to this person."""
        whose = post.visible_to or post.dm_of or ""
        first_line = render.mrkdwn(str(post.message.get("text", "")), self.lookups.name_of).plain
        first_line = first_line.splitlines()[0] if first_line else ""
        template = self.lang.gettext("✉ for @%(handle)s: %(text)s (as @%(handle)s to see it)")
        self.out.print(
            Text(template % {"handle": self.lookups.name_of(whose), "text": _short(first_line)}, style="dim"),
            soft_wrap=True,
        )

    def _where(self, post: Post) -> str:
        if post.dm_of:
            where = self.lang.gettext("DM from Tidewater to @%(handle)s") % {
                "handle": self.lookups.name_of(post.dm_of)
            }
        else:
            where = "#" + self.lookups.name_of(post.channel)
        if post.visible_to:
            where += " · " + self.lang.gettext("only visible to you")
        if post.thread_ts:
            where += " · " + self.lang.gettext("in the thread")
        return where

    def _changed(self, change: Change) -> str:
        if change is Change.UPDATED:
            return " · " + self.lang.gettext("updated")
        if change is Change.DELETED:
            return " · " + self.lang.gettext("deleted")
        return ""

    def _channel(self, rest: str) -> None:
        channel = self.lookups.channel_id(rest)
        if channel is None:
            self._say(
                N_("No channel called %(name)s. Channels: %(names)s."), name=rest, names=self._channel_names()
            )
            return
        self._show_conversation(channel)

    def _channel_names(self) -> str:
        return ", ".join("#" + channel.name for channel in self.cast.channels)

    def _show_conversation(self, channel: str) -> None:
        posts = self.world.conversation(channel, self.me)[-SHOWN_IN_CONVERSATION:]
        if not posts:
            self._say(N_("Nothing here yet."))
        for post in posts:
            self._show_post(Change.POSTED, post)


def _steps(start: datetime, end: datetime) -> Iterator[datetime]:
    """Each whole hour after `start` up to `end`, then `end`: when the worker's ticks would run the
    jobs that matter (each is a catch-up function of now, so an hour's ticks are one)."""
    step = start.replace(minute=0, second=0, microsecond=0) + JOB_STEP
    while step < end:
        yield step
        step += JOB_STEP
    yield end


def _indented(text: Text) -> Text:
    lines = text.split("\n")
    joined = Text()
    for number, line in enumerate(lines):
        if number:
            joined.append("\n")
        joined.append("  ")
        joined.append_text(line)
    return joined


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    N_("quit                    leave (with --db FILE the data stays for next time)"),
]
