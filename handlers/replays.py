"""Replays: a request Slack sends again, or a person sends twice, writes nothing the second time.

Slack sends an event again when it got no answer in time (X-Slack-Retry-Num, the same body), and a
person can submit a modal twice before it closes. A global middleware, registered before every
listener, marks each request by what identifies a repeat of it, in its own short transaction (the
insert decides, so of two copies arriving at once exactly one goes through):

- a slash command, global or message shortcut: its `trigger_id`, which Slack makes anew for every
  invocation and sends again unchanged in a replay;
- a block action: its `trigger_id` with the action's `action_id` and `action_ts`. Slack's payloads
  carry one trigger per interaction and one action per click, so the trigger alone would do today;
  the action's id and time keep two different clicks apart should two ever share a trigger, and
  cost nothing in a replay, which repeats them all;
- a modal submission: the view's `id` and `hash`. The hash changes whenever the view does, so a
  double-click on Submit repeats it, while a submission after the view was updated does not;
- an event: its `event_id`, unchanged in Slack's retries.

Type-ahead (block_suggestion), closed modals and anything else carry no identity and pass unmarked: a
type-ahead writes nothing and asks again with every keystroke.

A repeated event is answered 200 at once. Any other repeat reaches its listener with
`context["replay"]` set to the first answer (or None) and the kit answers it without running the
listener (see `handlers.kit`). After the first run the kit keeps its answer on the mark, or deletes
the mark when the listener failed, so the person's next try goes through. Marks are forgotten after
an hour by the outbox job.

A request that dies between its mark and its answer (the process killed) is taken as done when
Slack retries it: the price of marking before the work, which is what keeps two copies from both
writing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from slack_bolt import App, BoltContext, BoltResponse

from bot.env import Env
from bot.services import replays

if TYPE_CHECKING:
    from handlers.kit import Kit

log = logging.getLogger("tidewater.replays")

MARK = "request_mark"  # context: the mark of a first request, for the kit to settle
REPLAY = "replay"  # context: present on a replay; the first answer, or None
KEY_LIMIT = 200  # request_mark.key
TRIGGERED = {"command", "shortcut", "message_action"}


class Mark(NamedTuple):
    workspace_id: str
    key: str


def identity(body: dict[str, Any]) -> str | None:
    """What a repeat of this request carries unchanged; None for requests never marked."""
    kind = "command" if "command" in body else str(body.get("type", ""))
    if kind == "event_callback":
        parts = [body.get("event_id")]
    elif kind in TRIGGERED:
        parts = [body.get("trigger_id")]
    elif kind == "block_actions":
        action = (body.get("actions") or [{}])[0]
        parts = [body.get("trigger_id"), action.get("action_id"), action.get("action_ts")]
    elif kind == "view_submission":
        view = body.get("view") or {}
        parts = [view.get("id"), view.get("hash")]
    else:
        return None
    if not all(parts):
        return None
    return _bounded(":".join([kind, *map(str, parts)]))


def _bounded(key: str) -> str:
    """The key as is when it fits the column (readable in the table), else its digest."""
    if len(key) <= KEY_LIMIT:
        return key
    return key.split(":", 1)[0] + ":sha256:" + hashlib.sha256(key.encode()).hexdigest()


def register(app: App, kit: Kit) -> None:
    app.middleware(_recognising(kit.env))


def _recognising(env: Env) -> Callable[..., BoltResponse | None]:
    def recognise_replays(
        body: dict[str, Any], context: BoltContext, next: Callable[[], None]
    ) -> BoltResponse | None:
        key = identity(body)
        if key is None:
            next()
            return None
        mark = Mark(context.team_id or context.enterprise_id or "", key)
        seen = replays.mark(env, mark.workspace_id, mark.key)
        if seen is None:
            context[MARK] = mark
        elif key.startswith("event_callback:"):
            log.info("event %s again: answered without handling it", key)
            return BoltResponse(status=200, body="")
        else:
            log.info("request %s again: answered as the first time", key)
            context[REPLAY] = json.loads(seen.answer) if seen.answer else None
        next()
        return None

    return recognise_replays


def settle(env: Env, context: BoltContext, *, answer: dict[str, Any] | None, failed: bool) -> None:
    """After a first request's ack function: keep its answer for replays, or forget the request when
    it did not go through (a refusal, a failure, a modal sent back with errors) so it can be tried
    again. Replays of a modal sent back with errors would carry the same view hash as the corrected
    submission."""
    mark = context.get(MARK)
    if not isinstance(mark, Mark):
        return
    went_through = not failed and (answer or {}).get("response_action") != "errors"
    replays.settle(env, mark.workspace_id, mark.key, answer=_json(answer), went_through=went_through)


def _json(answer: dict[str, Any] | None) -> str | None:
    if not answer:
        return None
    try:
        return json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    except (
        TypeError,
        ValueError,
    ) as error:  # an answer that is not JSON is not kept; it is sent all the same
        log.warning("could not keep an answer for replays: %s", error)
        return None
