"""The conversations the Slack stand-in keeps: what the bot posted and updated, read back as
conversations.history and conversations.replies answer (message metadata only when asked for)."""

from __future__ import annotations

import json
import threading
from typing import Any


def conversation_of(channel: str) -> str:
    """Where a post lands: a post to a user goes to their DM, a D… conversation."""
    return "D" + channel if channel[:1] in ("U", "W") else channel


class Conversations:
    """The stand-in's messages (`standin.SlackStandIn` is the whole stand-in)."""

    _lock: threading.Condition
    bot_user_id: str
    messages: dict[str, list[dict[str, Any]]]  # by conversation, oldest first
    history_refusal: str | None  # e.g. "missing_scope": conversations.history refused

    def _keep_post(self, channel: str, ts: str, args: dict[str, Any]) -> None:
        message = {"type": "message", "ts": ts, "text": args.get("text", ""), "user": self.bot_user_id}
        for key in ("blocks", "thread_ts"):
            if args.get(key):
                message[key] = args[key]
        if args.get("metadata"):
            metadata = args["metadata"]
            message["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
        with self._lock:
            self.messages.setdefault(channel, []).append(message)

    def _keep_update(self, args: dict[str, Any]) -> None:
        with self._lock:
            for message in self.messages.get(conversation_of(str(args.get("channel", ""))), []):
                if message["ts"] == args.get("ts"):
                    message.update({key: args[key] for key in ("text", "blocks") if key in args})

    def _history(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """Newest first (history) or the thread oldest first (replies); metadata only when asked for."""
        if self.history_refusal:
            return {"ok": False, "error": self.history_refusal}
        with self._lock:
            messages = [dict(m) for m in self.messages.get(str(args.get("channel", "")), [])]
        if method == "conversations.replies":
            parent = str(args.get("ts", ""))
            messages = [m for m in messages if parent in (m["ts"], m.get("thread_ts"))]
        else:
            messages = [m for m in reversed(messages) if m.get("thread_ts") in (None, m["ts"])]
            oldest = float(args.get("oldest") or 0)
            messages = [m for m in messages if float(m["ts"]) > oldest]
        if str(args.get("include_all_metadata", "")).lower() not in ("1", "true"):
            for message in messages:
                message.pop("metadata", None)
        limit = int(args.get("limit") or 100)
        return {"ok": True, "messages": messages[:limit], "has_more": len(messages) > limit}
