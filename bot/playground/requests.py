"""Correctly signed Slack requests: slash commands, block actions, view submissions, options, events,
shortcuts. They go either straight into `App.dispatch` or over HTTP to a running web process."""

from __future__ import annotations

import itertools
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.playground import forms
from bot.playground.standin import SlackStandIn
from bot.playground.validation import message_problems, view_problems

FORM = "application/x-www-form-urlencoded"
Transport = Callable[[str, dict[str, str]], tuple[int, str]]
_SERIAL = itertools.count(1)


def fresh_id(prefix: str = "") -> str:
    """An id no earlier request carried, as Slack makes a new trigger id, event id and view hash for
    each: the bot takes a repeated one for a replay. Random as well as counted, so a playground run on
    a database kept from an earlier run repeats none either."""
    return f"{prefix}{next(_SERIAL)}.{secrets.token_hex(8)}"


def action_ts() -> str:
    """An action's time as Slack writes it: seconds with microseconds."""
    return f"{time.time():.6f}"


@dataclass
class Reply:
    """What the bot answered in the HTTP response (the ack)."""

    status: int
    raw: str

    @property
    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.raw)) if self.raw.strip().startswith("{") else {}

    @property
    def text(self) -> str:
        """The ack's visible text: its blocks' text joined, or its plain text."""
        body = self.json
        parts = [body.get("text", "")]
        parts += [_block_text(block) for block in body.get("blocks", [])]
        return "\n".join(p for p in parts if p)

    def problems(self) -> list[str]:
        body = self.json
        if "view" in body:
            return view_problems(body["view"])
        if "blocks" in body or "text" in body:
            return message_problems(body)
        return []


def _block_text(block: dict[str, Any]) -> str:
    texts = []
    if isinstance(block.get("text"), dict):
        texts.append(block["text"].get("text", ""))
    texts += [f.get("text", "") for f in block.get("fields", [])]
    texts += [e.get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    texts += [e["text"].get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), dict)]
    if isinstance(block.get("accessory"), dict) and isinstance(block["accessory"].get("text"), dict):
        texts.append(block["accessory"]["text"].get("text", ""))
    return "\n".join(texts)


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body) or "",
    }


def in_process(app: App) -> Transport:
    def send(body: str, headers: dict[str, str]) -> tuple[int, str]:
        response = app.dispatch(BoltRequest(body=body, headers={k: [v] for k, v in headers.items()}))
        return response.status, response.body

    return send


def over_http(url: str, timeout: float = 10.0) -> Transport:
    def send(body: str, headers: dict[str, str]) -> tuple[int, str]:
        # The app under test, at the http://127.0.0.1 address the playground gave it: no other scheme.
        request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (see above)
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    return send


@dataclass(frozen=True)
class Posted:
    """The message an interaction happens on, as Slack describes it to the app."""

    response_url: str
    channel: str = "C0SALES"
    channel_name: str = "sales"
    ts: str = "1.0"
    message: dict[str, Any] | None = None  # its text and blocks; None for an ephemeral message


class SlackRequests:
    """Builds each kind of request as Slack sends it, signs it and delivers it."""

    def __init__(self, *, secret: str, standin: SlackStandIn, transport: Transport) -> None:
        self.secret = secret
        self.standin = standin
        self.transport = transport
        self.team_id = standin.team_id
        self.enterprise_id: str | None = None  # a workspace of an Enterprise Grid organisation
        self.replies: list[Reply] = []

    def send_raw(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> Reply:
        all_headers = {
            "content-type": content_type,
            **(headers if headers is not None else sign(self.secret, body)),
        }
        status, raw = self.transport(body, all_headers)
        reply = Reply(status, raw)
        self.replies.append(reply)
        return reply

    def interactive(self, payload: dict[str, Any]) -> Reply:
        """Any interactive payload (block_actions, view_submission, block_suggestion...), as Slack posts it."""
        body = "payload=" + quote(json.dumps(payload, ensure_ascii=False))
        return self.send_raw(body, FORM)

    def _user(self, user_id: str) -> dict[str, str]:
        return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": self.team_id}

    def command_body(
        self,
        user_id: str,
        command: str,
        text: str = "",
        *,
        channel: str = "C0SALES",
        response_url: str | None = None,
        trigger_id: str | None = None,
    ) -> str:
        """The form body Slack sends for a slash command (unsigned)."""
        return urlencode(
            {
                "token": "legacy",
                "team_id": self.team_id,
                "team_domain": "tide",
                "channel_id": channel,
                "channel_name": "sales",
                "user_id": user_id,
                "user_name": user_id.lower(),
                "command": command,
                "text": text,
                "api_app_id": "A0TIDE",
                **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
                "is_enterprise_install": "true" if self.enterprise_id else "false",
                "response_url": response_url or self.standin.response_url(f"cmd-{user_id}"),
                "trigger_id": trigger_id or fresh_id(),
            }
        )

    def command(self, user_id: str, command: str, text: str = "", *, channel: str = "C0SALES") -> Reply:
        return self.send_raw(self.command_body(user_id, command, text, channel=channel), FORM)

    def button(
        self, user_id: str, action_id: str, value: str = "", *, view: dict[str, Any] | None = None
    ) -> Reply:
        """A button press in a message (or, with `view`, in a modal or on the Home tab)."""
        action = {"action_id": action_id, "block_id": "b", "type": "button", "value": value}
        return self.act(user_id, {**action, "action_ts": action_ts()}, view=view)

    def _base(self, kind: str, user_id: str, trigger_id: str | None = None) -> dict[str, Any]:
        """What every interactive payload carries: who, in which team, for which app."""
        return {
            "type": kind,
            "user": self._user(user_id),
            "team": {"id": self.team_id, "domain": "tide"},
            "api_app_id": "A0TIDE",
            "token": "legacy",
            "trigger_id": trigger_id or fresh_id(),
            "is_enterprise_install": False,
        }

    def act(
        self,
        user_id: str,
        action: dict[str, Any],
        *,
        view: dict[str, Any] | None = None,
        on: Posted | None = None,
        trigger_id: str | None = None,
    ) -> Reply:
        """Any interaction with an element (a button, a select, a date picker...), `action` as Slack
        sends it: in `view` (a modal or the Home tab), or on a message (`on`; by default an ephemeral
        one in #sales)."""
        payload = {**self._base("block_actions", user_id, trigger_id), "actions": [action]}
        if view is not None:
            payload.update(container={"type": "view", "view_id": view.get("id")}, view=view)
            return self.interactive(payload)
        on = on or Posted(response_url=self.standin.response_url(f"btn-{user_id}"))
        payload.update(
            container={
                "type": "message",
                "message_ts": on.ts,
                "channel_id": on.channel,
                "is_ephemeral": on.message is None,
            },
            channel={"id": on.channel, "name": on.channel_name},
            response_url=on.response_url,
            state={"values": {}},
        )
        if on.message is not None:  # Slack leaves an ephemeral message out
            payload["message"] = {"type": "message", "ts": on.ts, "user": "U0BOT", **on.message}
        return self.interactive(payload)

    def select_in_view(
        self, user_id: str, view: dict[str, Any], values: dict[str, Any], action_id: str
    ) -> Reply:
        """Choosing an option of a dispatching select inside a modal."""
        filled = with_values(view, values)
        block_id, element = _find_element(view, action_id)
        state = filled["state"]["values"][block_id][element["action_id"]]
        action = {
            "action_id": action_id,
            "block_id": block_id,
            "type": element["type"],
            "action_ts": action_ts(),
            **state,
        }
        return self.act(user_id, action, view=filled)

    def submit(
        self,
        user_id: str,
        view: dict[str, Any],
        values: dict[str, Any] | None = None,
        *,
        trigger_id: str | None = None,
        view_hash: str | None = None,
    ) -> Reply:
        """Submit a modal the bot opened: with its `state` as given, or with `values` keyed by block id
        prefix (field name) over the initial ones. Each submission is a new one (a fresh view hash, as
        if the modal had been opened anew) unless `view_hash` repeats an earlier one's."""
        filled = view if "state" in view and values is None else with_values(view, values or {})
        filled = {**filled, "hash": view_hash or fresh_id(f"{int(time.time())}.")}
        payload = {**self._base("view_submission", user_id, trigger_id), "view": filled, "response_urls": []}
        return self.interactive(payload)

    def options(
        self,
        user_id: str,
        action_id: str,
        typed: str,
        *,
        view: dict[str, Any] | None = None,
        block_id: str = "customer",
    ) -> Reply:
        """A type-ahead asking for its options (block_suggestion), `typed` so far."""
        payload = {
            **self._base("block_suggestion", user_id),
            "action_id": action_id,
            "block_id": block_id,
            "value": typed,
            "container": {"type": "view", "view_id": (view or {}).get("id", "V0")},
        }
        if view is not None:
            payload["view"] = view
        return self.interactive(payload)

    def message_shortcut(
        self,
        user_id: str,
        callback_id: str,
        message_text: str,
        *,
        on: Posted | None = None,
        trigger_id: str | None = None,
    ) -> Reply:
        """A message shortcut on a message saying `message_text` (by default someone's, in #sales)."""
        on = on or Posted(response_url=self.standin.response_url(f"sc-{user_id}"))
        payload = {
            **self._base("message_action", user_id, trigger_id),
            "callback_id": callback_id,
            "channel": {"id": on.channel, "name": on.channel_name},
            "message": {"type": "message", "text": message_text, "user": "U0OTHER", "ts": on.ts},
            "message_ts": on.ts,
            "response_url": on.response_url,
        }
        return self.interactive(payload)

    def event(self, user_id: str, event: dict[str, Any]) -> Reply:
        return self.send_raw(self.event_body(user_id, event), "application/json")

    def event_body(self, user_id: str, event: dict[str, Any], *, event_id: str | None = None) -> str:
        """The JSON body Slack sends for an event (unsigned); a retry of it repeats its `event_id`."""
        organisation = {"enterprise_id": self.enterprise_id} if self.enterprise_id else {}
        authorization = {"team_id": self.team_id, "user_id": "U0BOT", "is_bot": True}
        return json.dumps(
            {
                "token": "legacy",
                "team_id": self.team_id,
                **organisation,
                "api_app_id": "A0TIDE",
                "event": {"user": user_id, **event},
                "type": "event_callback",
                "event_id": event_id or fresh_id("Ev"),
                "event_time": int(time.time()),
                # An organisation's workspace is served by its organisation-wide install here.
                "authorizations": [
                    {**authorization, **organisation, "is_enterprise_install": bool(self.enterprise_id)}
                ],
            }
        )

    def open_home(self, user_id: str) -> Reply:
        return self.event(
            user_id, {"type": "app_home_opened", "channel": "D0HOME", "tab": "home", "event_ts": "1"}
        )


def _find_element(view: dict[str, Any], name: str) -> tuple[str, dict[str, Any]]:
    for block in view.get("blocks", []):
        element = block.get("element") or {}
        block_id = str(block.get("block_id", ""))
        if block_id.split(".")[0] == name or element.get("action_id") == name:
            return block_id, element
    raise KeyError(f"no input {name!r} in the view")


def with_values(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of `view` whose state holds the initial values overlaid with `values` (by field name)."""
    state: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        name = str(block["block_id"]).split(".")[0]
        if name in values:
            shown = _element_state(element, values[name])
        else:
            initial = forms.initial_choice(element)
            shown = initial.state if initial else forms.empty_state(element)
        state[block["block_id"]] = {element["action_id"]: shown}
    return {**view, "state": {"values": state}}


def _element_state(element: dict[str, Any], value: Any) -> dict[str, Any]:
    """The state Slack submits for `value` typed or chosen in `element` (an option by its value)."""
    kind = element["type"]
    if value is None or value == "":
        return forms.empty_state(element)
    if kind in ("static_select", "external_select"):
        text = next((o["text"] for o in element.get("options", []) if o["value"] == str(value)), None)
        option = {"text": text or {"type": "plain_text", "text": str(value)}, "value": str(value)}
        return {"type": kind, "selected_option": option}
    if kind == "datepicker":
        return {"type": kind, "selected_date": str(value)}
    if kind == "checkboxes":  # value: the ticked options' values
        ticked = [o for o in element.get("options", []) if o["value"] in value]
        return {"type": kind, "selected_options": ticked}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": value}
    if kind == "timepicker":
        return {"type": kind, "selected_time": value}
    return {"type": kind, "value": str(value)}
