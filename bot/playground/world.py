"""What Slack would show each person, kept from the calls the bot made to the stand-in.

The stand-in records every Web API call and every post to a response_url; `World.absorb` reads the
new ones and keeps the conversations (channel posts, DMs, ephemeral answers, thread replies, edits),
each person's open modals and their App Home, and returns what happened, in order, for the
playground to show. A response_url made by `response_url_for` remembers where the interaction came
from (who, in which conversation, on which message), so `respond()` lands there as in Slack.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.playground.requests import fresh_id
from bot.playground.standin import Recorded, SlackStandIn


class Change(StrEnum):
    POSTED = "posted"
    UPDATED = "updated"  # chat.update, or a response_url post replacing the original
    DELETED = "deleted"
    VIEW = "view"  # a modal opened, pushed or updated


@dataclass
class Post:
    channel: str  # C… for a channel, D<user id> for a person's DM with the bot
    ts: str
    message: dict[str, Any]  # text and blocks as the bot sent them
    visible_to: str | None = None  # an ephemeral message: the one person who sees it
    thread_ts: str | None = None
    deleted: bool = False

    @property
    def dm_of(self) -> str | None:
        return self.channel[1:] if self.channel.startswith("D") else None

    def seen_by(self, user_id: str) -> bool:
        """Whether `user_id` sees this message in Slack (channels are open to everyone here)."""
        if self.visible_to is not None:
            return self.visible_to == user_id
        return self.dm_of in (None, user_id)


@dataclass(frozen=True)
class Origin:
    """Where an interaction came from: its response_url answers there."""

    user_id: str
    channel: str
    message_ts: str | None = None  # the message holding the pressed button; None for a slash command


@dataclass(frozen=True)
class Happening:
    change: Change
    user_id: str = ""  # whose modal (VIEW)
    post: Post | None = None
    view: dict[str, Any] | None = None


@dataclass
class World:
    standin: SlackStandIn
    posts: dict[str, Post] = field(default_factory=dict)  # by ts
    modals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # each person's stack
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)
    _origins: dict[str, Origin] = field(default_factory=dict)
    _triggers: dict[str, str] = field(default_factory=dict)
    _numbers: itertools.count[int] = field(default_factory=itertools.count)
    _seen: int = 0

    # -- what the playground hands out ------------------------------------------------------------
    def trigger_for(self, user_id: str) -> str:
        trigger = fresh_id(f"{user_id}.")  # never one an earlier run on the same database used
        self._triggers[trigger] = user_id
        return trigger

    def response_url_for(self, origin: Origin) -> str:
        key = f"pg{next(self._numbers)}"
        self._origins[key] = origin
        return self.standin.response_url(key)

    def ephemeral_ts(self) -> str:
        return f"9{next(self._numbers):09d}.000000"

    # -- what the bot did ---------------------------------------------------------------------------
    def absorb(self) -> list[Happening]:
        calls = self.standin.calls[self._seen :]
        self._seen += len(calls)
        happenings: list[Happening] = []
        for call in calls:
            if call.status == 200 and call.answer.get("ok", True):
                happenings += self._apply(call)
        return happenings

    def skip_past(self) -> None:
        """Forget what the bot did so far (the sample workspace's making)."""
        self._seen = len(self.standin.calls)

    def _apply(self, call: Recorded) -> list[Happening]:
        method, args, answer = call.method, call.args, call.answer
        if method == "chat.postMessage":
            thread = str(args["thread_ts"]) if args.get("thread_ts") else None
            return [
                self._post(Post(str(answer["channel"]), str(answer["ts"]), _message(args), thread_ts=thread))
            ]
        if method == "chat.postEphemeral":
            post = Post(
                str(args["channel"]), self.ephemeral_ts(), _message(args), visible_to=str(args["user"])
            )
            return [self._post(post)]
        if method == "chat.update":
            return self._replace(str(args.get("ts")), _message(args))
        if method == "respond":
            return self._respond(call.path.rsplit("/", 1)[-1], args)
        if method in ("views.open", "views.push", "views.update"):
            return self._view(method, args, answer["view"])
        if method == "views.publish":
            self.homes[str(args["user_id"])] = answer["view"]
        return []

    def _post(self, post: Post) -> Happening:
        self.posts[post.ts] = post
        return Happening(Change.POSTED, post=post)

    def _replace(self, ts: str, message: dict[str, Any]) -> list[Happening]:
        post = self.posts.get(ts)
        if post is None:
            return []
        post.message = message
        return [Happening(Change.UPDATED, post=post)]

    def _respond(self, key: str, args: dict[str, Any]) -> list[Happening]:
        origin = self._origins.get(key)
        if origin is None:
            return []
        original = self.posts.get(origin.message_ts or "")
        if args.get("delete_original") and original:
            original.deleted = True
            return [Happening(Change.DELETED, post=original)]
        if _true(args.get("replace_original")) and original:
            return self._replace(original.ts, _message(args))
        return [self.answer(origin, args)]

    def answer(self, origin: Origin, message: dict[str, Any]) -> Happening:
        """A message the bot answered with (in an ack or at a response_url): ephemeral unless
        in_channel, in the conversation the interaction came from."""
        public = message.get("response_type") == "in_channel"
        ts = self.ephemeral_ts()
        return self._post(
            Post(origin.channel, ts, _message(message), visible_to=None if public else origin.user_id)
        )

    def _view(self, method: str, args: dict[str, Any], view: dict[str, Any]) -> list[Happening]:
        if method == "views.update":
            owner = self._owner_of(str(view.get("id")))
            if owner is None:
                return []
            stack = self.modals[owner]
            stack[:] = [view if open_view.get("id") == view.get("id") else open_view for open_view in stack]
            return [Happening(Change.VIEW, user_id=owner, view=view)]
        owner = self._triggers.get(str(args.get("trigger_id")), "")
        stack = self.modals.setdefault(owner, [])
        if method == "views.open":
            stack.clear()
        stack.append(view)
        return [Happening(Change.VIEW, user_id=owner, view=view)]

    def _owner_of(self, view_id: str) -> str | None:
        for user_id, stack in self.modals.items():
            if any(open_view.get("id") == view_id for open_view in stack):
                return user_id
        return None

    # -- modals the playground's person answers ----------------------------------------------------
    def top_modal(self, user_id: str) -> dict[str, Any] | None:
        stack = self.modals.get(user_id) or []
        return stack[-1] if stack else None

    def replace_top(self, user_id: str, view: dict[str, Any]) -> None:
        stack = self.modals.setdefault(user_id, [])
        if stack:
            stack[-1] = {**view, "id": stack[-1].get("id")}
        else:
            stack.append(view)

    def push(self, user_id: str, view: dict[str, Any]) -> None:
        self.modals.setdefault(user_id, []).append({**view, "id": f"VPUSH{next(self._numbers)}"})

    def close_top(self, user_id: str) -> None:
        stack = self.modals.get(user_id) or []
        if stack:
            stack.pop()

    def close_all(self, user_id: str) -> None:
        self.modals.pop(user_id, None)

    def conversation(self, channel: str, user_id: str) -> list[Post]:
        return [
            post
            for post in self.posts.values()
            if post.channel == channel and not post.deleted and post.seen_by(user_id)
        ]


def _message(args: dict[str, Any]) -> dict[str, Any]:
    return {key: args[key] for key in ("text", "blocks") if key in args}


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
