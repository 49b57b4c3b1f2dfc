"""What every listener shares: the acting person, one wrapper for errors, and ways to answer.

Acks are inline (`process_before_response=True`): an ack function does the database work and answers
in the ack; anything that calls Slack runs in a lazy function afterwards. Both run through `listener`,
which turns domain errors into friendly text in the person's language and any other failure into a
logged reference id, and which always acks.

A request Slack or the person sent before (see `handlers.replays`) runs no listener: the ack function
gives the first answer again, or says it was already done, and the lazy function does nothing.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot import logs, metrics
from bot.env import Env
from bot.errors import GuestRefused, InvalidFields, UserError
from bot.i18n import N_, Lang, lang
from bot.services.people import Actor, ProfileLookup, resolve_actor
from bot.views import common
from bot.views import errors as error_views
from bot.views.text import Mrkdwn, escape
from handlers import replays

log = logging.getLogger("tidewater.handlers")

T = TypeVar("T")
HANDED = "tidewater_handed"  # the ack's typed result, for the lazy step
REFUSAL = (
    "tidewater_refusal"  # what the ack refused, for the lazy step to tell (interactive acks carry no text)
)
ACTOR = "tidewater_actor"  # the acting person, resolved once per request (by the ack)

ALREADY_DONE = N_("That was already done.")


@dataclass(frozen=True)
class Kit:
    env: Env
    profiles: Callable[[str], ProfileLookup]  # a workspace's users.info, with its own token

    def lookup(self, workspace_id: str) -> ProfileLookup:
        return self.profiles(workspace_id)


@dataclass
class Call:
    """One Slack request, as the listeners see it."""

    kit: Kit
    body: dict[str, Any]
    context: BoltContext
    client: WebClient
    ack_fn: Ack | None
    actor: Actor | None = None
    acked: bool = field(default=False)
    answer: dict[str, Any] | None = None  # what the ack said, for a replay to say again
    failed: bool = False

    @property
    def env(self) -> Env:
        return self.kit.env

    @property
    def me(self) -> Actor:
        assert self.actor is not None
        return self.actor

    @property
    def lang(self) -> Lang:
        return self.actor.lang if self.actor else lang("en")

    @property
    def kind(self) -> str:
        if "command" in self.body:
            return "command"
        return str(self.body.get("type", ""))

    @property
    def text(self) -> str:
        return str(self.body.get("text", "")).strip()

    @property
    def action_value(self) -> str:
        """A button's value, or the option chosen in an overflow menu or a select."""
        action = (self.body.get("actions") or [{}])[0]
        return str(action.get("value") or (action.get("selected_option") or {}).get("value") or "")

    @property
    def trigger_id(self) -> str:
        return str(self.body.get("trigger_id", ""))

    def ack(self, **kwargs: Any) -> None:
        if self.ack_fn is not None and not self.acked:
            self.ack_fn(**kwargs)
            self.answer = kwargs
        self.acked = True

    def refuse_later(self, text: str) -> None:
        """An interactive ack carries no message: the lazy step tells the person this (safe mrkdwn)."""
        self.context[REFUSAL] = str(text)

    def hand_over(self, outcome: object) -> None:
        """Hand the ack's result to the lazy step: one frozen dataclass per kind of outcome (Bolt
        deep-copies the context for the lazy step, after the ack function returned)."""
        self.context[HANDED] = outcome

    def handed_if(self, kind: type[T]) -> T | None:
        """What the ack handed over, if it is of this kind (an ack with two outcomes)."""
        outcome = self.context.get(HANDED)
        return outcome if isinstance(outcome, kind) else None

    def handed(self, kind: type[T]) -> T:
        """What the ack handed over, as the type the lazy step expects."""
        outcome = self.context.get(HANDED)
        if not isinstance(outcome, kind):
            raise TypeError(f"the ack handed over {type(outcome).__name__}, not {kind.__name__}")
        return outcome

    @property
    def has_handed_over(self) -> bool:
        return HANDED in self.context or REFUSAL in self.context

    def metadata(self) -> dict[str, Any]:
        """Where a modal was opened from, so its confirmation can go back there."""
        return {"ru": self.body.get("response_url", "")}

    def view_metadata(self) -> dict[str, Any]:
        raw = (self.body.get("view") or {}).get("private_metadata") or "{}"
        try:
            return dict(json.loads(raw))
        except ValueError:
            return {}

    def tell(self, message: dict[str, Any], *, replace: bool = False) -> None:
        """Say something to the person from a lazy function, wherever the request came from."""
        response_url = self.body.get("response_url") or self.view_metadata().get("ru")
        if response_url:
            payload = {"response_type": "ephemeral", "replace_original": replace, **message}
            answer = WebhookClient(response_url, timeout=10).send_dict(payload)
            if answer.status_code == 200:
                return
            log.warning("response_url answered %s; telling the person by direct message", answer.status_code)
        self.client.chat_postMessage(channel=self.me.user_id, **message)


def _ids(body: dict[str, Any]) -> tuple[str, str]:
    if "command" in body:
        return body["team_id"], body["user_id"]
    if body.get("type") == "event_callback" or "event" in body:
        user = body["event"]["user"]
        if isinstance(user, dict):  # user_change and team_join carry the whole user
            return body["team_id"], str(user["id"])
        return body["team_id"], str(user)
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or body.get("team_id", "")
    return team, user["id"]


def _actor(kit: Kit, body: dict[str, Any]) -> Actor:
    team_id, user_id = _ids(body)
    actor = resolve_actor(kit.env, workspace_id=team_id, user_id=user_id, lookup=kit.lookup(team_id))
    if actor.is_guest:
        raise GuestRefused(
            N_("Sorry, guests of the workspace cannot use Tidewater. Ask a member of your team.")
        )
    return actor


Handler = Callable[[Call], None]


def _first_input_block(body: dict[str, Any]) -> str:
    for block in (body.get("view") or {}).get("blocks", []):
        if block.get("type") == "input":
            return str(block.get("block_id"))
    return ""


def _view_errors(call: Call, problems: list[tuple[str | None, str]]) -> None:
    """Each problem under its field's input (a problem of no field under the first input)."""
    block_ids = {block.get("block_id") for block in call.body["view"].get("blocks", [])}
    errors: dict[str, str] = {}
    for field_name, text in problems:
        target = next(
            (bid for bid in block_ids if bid and field_name and bid.split(".")[0] == field_name), None
        )
        errors.setdefault(target or _first_input_block(call.body), text)
    call.ack(response_action="errors", errors=errors)


def _explain(call: Call, error: UserError) -> None:
    if call.kind == "view_submission" and not call.acked:
        each = error.problems if isinstance(error, InvalidFields) else [error]
        _view_errors(call, [(problem.field, error_views.plain(problem, call.lang)) for problem in each])
        return
    text = error_views.mrkdwn(error, call.lang)
    if call.kind == "block_suggestion":
        call.ack(options=[])
    elif call.ack_fn is not None and call.kind == "command" and not call.acked:
        call.ack(**common.problem(text))
    elif call.ack_fn is None:
        call.tell(common.problem(text))
    else:
        # Interactive acks carry no message: the lazy twin tells the person (deferred as safe mrkdwn).
        call.refuse_later(str(text))
        call.ack()


def _fail(call: Call, error: Exception) -> None:
    reference = secrets.token_hex(4)
    log.error(
        "listener failed (ref %s): %s", reference, error, exc_info=error, extra={"reference": reference}
    )
    if call.ack_fn is None:
        metrics.LAZY_FAILURES.inc()
    text = common.failure_text(call.lang, reference)
    try:
        if call.kind == "view_submission" and not call.acked:
            _view_errors(call, [(None, text)])
        elif call.ack_fn is not None and call.kind == "command" and not call.acked:
            call.ack(**common.problem(text))
        elif call.ack_fn is None and call.actor is not None:
            call.tell(common.problem(text))
        else:
            call.refuse_later(escape(text))
    except (SlackApiError, OSError) as tell_error:  # telling failed too: the log has the reference
        log.error("could not tell the person about ref %s: %s", reference, tell_error)


def _acting(kit: Kit, call: Call) -> Actor:
    """The acting person: resolved by the ack function, carried to the lazy step in the context."""
    known = call.context.get(ACTOR)
    if isinstance(known, Actor):
        return known
    actor = _actor(kit, call.body)
    call.context[ACTOR] = actor
    return actor


def _run(kit: Kit, handler: Handler, call: Call) -> None:
    with logs.scoped(workspace=_team_of(call.body), user=_user_of(call.body), listener=handler.__name__):
        _handle(kit, handler, call)


def _team_of(body: dict[str, Any]) -> str | None:
    return body.get("team_id") or (body.get("team") or {}).get("id")


def _user_of(body: dict[str, Any]) -> str | None:
    return body.get("user_id") or (body.get("user") or {}).get("id")


def _handle(kit: Kit, handler: Handler, call: Call) -> None:
    try:
        call.actor = _acting(kit, call)
        handler(call)
    except GuestRefused as error:
        call.failed = True
        if call.ack_fn is not None:  # the ack already told the guest; the lazy twin stays quiet
            _explain(call, error)
    except UserError as error:
        call.failed = True
        _explain(call, error)
    except Exception as error:
        call.failed = True
        _fail(call, error)
    finally:
        call.ack()


def listener(kit: Kit, handler: Handler) -> Callable[..., None]:
    """An ack function: answers within Slack's 3 seconds with database work only."""

    def ack_function(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if replays.REPLAY in context:
            _answer_again(kit, ack, body, context[replays.REPLAY])
            return
        call = Call(kit=kit, body=body, context=context, client=client, ack_fn=ack)
        _run(kit, handler, call)
        replays.settle(kit.env, context, answer=call.answer, failed=call.failed)

    ack_function.__name__ = f"ack_{handler.__name__}"
    return ack_function


def lazy(kit: Kit, handler: Handler, *, when_deferred: bool = False) -> Callable[..., None]:
    """A lazy function: runs after the ack, may call Slack, and tells the person if it fails.

    With `when_deferred`, it does nothing unless the ack function deferred work to it, so a command
    answered whole in the ack (a search) costs no second look-up of the person.
    """

    def lazy_function(body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if replays.REPLAY in context:
            return  # the first request's lazy work was done (or is under way)
        call = Call(kit=kit, body=body, context=context, client=client, ack_fn=None)
        if when_deferred and not call.has_handed_over:
            return
        problem = context.get(REFUSAL)
        if problem:
            try:
                call.actor = _acting(kit, call)
                call.tell(common.problem(Mrkdwn(problem)))
            except Exception as error:
                _fail(call, error)
            if HANDED not in context:
                return  # nothing else was handed over: the refusal was the whole answer
        _run(kit, handler, call)

    lazy_function.__name__ = f"lazy_{handler.__name__}"
    return lazy_function


def _answer_again(kit: Kit, ack: Ack, body: dict[str, Any], first: dict[str, Any] | None) -> None:
    """A replay's answer: the first one, or for a command a word that it was done; other interactions
    are acknowledged bare (a modal closes), as their first answer came by other means."""
    if first is not None:
        ack(**first)
    elif "command" in body:
        ack(**common.notice(escape(_replay_lang(kit, body).gettext(ALREADY_DONE))))
    else:
        ack()


def _replay_lang(kit: Kit, body: dict[str, Any]) -> Lang:
    try:
        return _actor(kit, body).lang
    except Exception as error:  # a word in English beats no answer within Slack's 3 seconds
        log.warning("no language for a replay's answer: %s", error)
        return lang("en")


def just_ack(call: Call) -> None:
    call.ack()


def nothing(_call: Call) -> None:
    """A lazy twin with nothing to do beyond reporting what the ack deferred."""
