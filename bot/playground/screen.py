"""What the playground shows: people and channels by name, the numbered controls each person was
last shown, and the posts, notices and conversations as the terminal prints them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from bot.i18n import N_, Lang
from bot.playground import render, sample
from bot.playground.standin import SlackStandIn
from bot.playground.world import Change, Happening, Post, World

Ask = Callable[[str], str | None]  # shows a prompt, returns the answer (None: no more input)
SHOWN_IN_CONVERSATION = 5


@dataclass(frozen=True)
class Target:
    """What a number on the screen presses: a control in a message, a modal or a Home tab."""

    control: render.Control
    post: Post | None = None
    view: dict[str, Any] | None = None


_NAMED = re.compile(r"(?<![\w&])([@#])([\w.\-]+)")  # @handle or #channel, not inside a word


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

    def as_slack_sends(self, text: str) -> str:
        """A command's text as Slack sends it when the command asks to be escaped (manifest.yml's
        should_escape): &, < and > as entities, @handle as a user mention, #name as a channel link."""
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        def link(match: re.Match[str]) -> str:
            sign, name = match.groups()
            found = self.user_id(name) if sign == "@" else self.channel_id(name)
            if found is None:
                return match.group(0)
            return f"<@{found}|{name}>" if sign == "@" else f"<#{found}|{name}>"

        return _NAMED.sub(link, escaped)

    def name_of(self, some_id: str) -> str:
        if some_id in self.people:
            return self.people[some_id].handle
        if some_id in self.channels:
            return self.channels[some_id].name
        return some_id


class Screen:
    """The terminal's side of a playground session (`session.Playground` is the whole of it)."""

    out: Console
    lang: Lang
    cast: sample.Sample
    lookups: Lookups
    world: World
    me: str
    standin: SlackStandIn
    folder: Path  # where the session keeps its files
    screens: dict[str, dict[int, Target]]  # each person's numbered controls, as last shown
    _fresh_targets: bool

    def _say(self, message: str, **params: object) -> None:
        text = self.lang.gettext(message)
        self.out.print(Text(text % params if params else text), soft_wrap=True)

    @property
    def targets(self) -> dict[int, Target]:
        """What each number presses for the person acting now: what they were last shown."""
        return self.screens.get(self.me, {})

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
        self.out.print(indented(shown.text))

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
            post.message,
            names=self.lookups.name_of,
            first_number=self._next_number(),
            image_shown=self._image,
        )
        self._show(shown, post=post)
        self._shared_files(post)

    def _shared_files(self, post: Post) -> None:
        """A file a post shares (a report's CSV) written to `files/` in the playground's folder, its path
        printed: Slack would show it as an attachment to open or download."""
        for file_id in self.standin.linked_files(str(post.message.get("text") or "")):
            upload = self.standin.upload(file_id)
            if upload is None or upload.data is None:
                continue
            path = self.folder / "files" / f"{file_id}-{upload.filename}"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(upload.data)
            self.out.print(Text(f"📎 {upload.filename} → {path}"), soft_wrap=True)

    def _image(self, block: dict[str, Any]) -> str:
        """A chart as a PNG file in the playground's folder (`charts/` beside its database; a throwaway
        session's folder lasts as long as the session), its path beside its title."""
        file_id = str((block.get("slack_file") or {}).get("id", ""))
        data = self.standin.uploaded(file_id)
        title = str((block.get("title") or {}).get("text") or block.get("alt_text", ""))
        if data is None:
            return f"[image: {title}]"
        path = self.folder / "charts" / f"{file_id}.png"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        return f"🖼 {title} → {path}"

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


def indented(text: Text) -> Text:
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
