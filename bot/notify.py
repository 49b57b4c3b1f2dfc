"""Sending what the bot says on its own (channel announcements) to Slack.

The client carries slack_sdk's rate-limit retry handler, which waits out a 429's Retry-After.
"""

from __future__ import annotations

from typing import Any, Protocol

from slack_sdk import WebClient


class ChannelPoster(Protocol):
    def post(self, channel: str, message: dict[str, Any]) -> str: ...

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None: ...


class SlackPoster:
    """Posts and updates channel messages with a Web API client; errors are SlackApiError."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, channel: str, message: dict[str, Any]) -> str:
        answer = self.client.chat_postMessage(channel=channel, unfurl_links=False, **message)
        return str(answer["ts"])

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        self.client.chat_update(channel=channel, ts=ts, **message)
