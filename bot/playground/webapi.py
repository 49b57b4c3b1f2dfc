"""The Web API methods the Slack stand-in answers: each payload validated (Block Kit, block caps, no
raw broadcast mentions), channels the bot may not see refused, users paged, views kept."""

from __future__ import annotations

import itertools
import time
from typing import Any

from bot.playground.conversations import Conversations, conversation_of
from bot.playground.validation import message_problems, view_problems

MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update"}
VIEW_METHODS = {"views.open", "views.update", "views.push", "views.publish"}


class WebApi(Conversations):
    """The stand-in's answers (`standin.SlackStandIn` is the whole stand-in)."""

    team_id: str
    users: dict[str, dict[str, Any]]
    channels: dict[str, dict[str, Any]]
    views: dict[str, dict[str, Any]]
    _ids: itertools.count[int]

    def _channel_refusal(self, method: str, args: dict[str, Any]) -> str | None:
        """What Slack answers for a channel the bot may not see or post in (None: no objection)."""
        channel = self.channels.get(str(args.get("channel", "")))
        if method == "conversations.info":
            if channel is None or (channel["is_private"] and not channel["is_member"]):
                return "channel_not_found"
        elif method in {"chat.postMessage", "chat.update"} and channel is not None:
            if channel["is_archived"]:
                return "is_archived"
            if channel["is_private"] and not channel["is_member"]:
                return "channel_not_found"
        return None

    def _problems(self, method: str, args: dict[str, Any]) -> list[str]:
        if method in MESSAGE_METHODS or method == "respond":
            return message_problems(args)
        if method in VIEW_METHODS:
            view = args.get("view")
            return view_problems(view) if isinstance(view, dict) else ["no view given"]
        return []

    def _result(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": "B0BOT",
                "team": "Tide",
            }
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "conversations.info":
            return {"ok": True, "channel": self.channels[str(args.get("channel"))]}
        if method == "users.list":
            return self._users_page(args)
        if method in {"conversations.history", "conversations.replies"}:
            return self._history(method, args)
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).split(",")[0]}}
        if method == "chat.update":
            self._keep_update(args)
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts"), "message": args}
        if method in MESSAGE_METHODS:
            channel = conversation_of(str(args.get("channel", "")))
            # Unique even for two posts in one microsecond: the playground keeps conversations by ts.
            ts = f"{int(time.time())}.{next(self._ids):06d}"
            if method == "chat.postMessage":
                self._keep_post(channel, ts, args)
            return {"ok": True, "channel": channel, "ts": ts, "message": args}
        if method in VIEW_METHODS:
            return {"ok": True, "view": self._store_view(method, args)}
        return {"ok": True}

    def _users_page(self, args: dict[str, Any]) -> dict[str, Any]:
        """users.list paged by cursor (the cursor is the offset), `limit` members at a time."""
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 200)
        with self._lock:
            members = list(self.users.values())
        page = members[start : start + limit]
        next_cursor = str(start + limit) if start + limit < len(members) else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _store_view(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        view = dict(args["view"])
        view_id = args.get("view_id") if method == "views.update" else f"V{next(self._ids):06d}"
        view.update(id=view_id, hash=f"h{next(self._ids)}", team_id=self.team_id, state={"values": {}})
        with self._lock:
            self.views[str(view_id)] = view
        return view
