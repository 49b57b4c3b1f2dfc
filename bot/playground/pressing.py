"""Pressing in the playground: what a numbered button or select sends (its confirmation or choice asked
first), and what the ack answered and what followed, shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from bot.i18n import N_
from bot.playground import forms, render
from bot.playground.requests import Posted, Reply, SlackRequests
from bot.playground.screen import Ask
from bot.playground.timeline import Timeline
from bot.playground.world import Origin, Post

CANCEL_WORDS = {"cancel", "取消"}


@dataclass
class Filling:
    """A modal being filled: the answers so far, by block id, and the errors the bot gave."""

    chosen: dict[str, forms.Choice] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


class Pressing(Timeline):
    """Buttons, selects and the answers they bring (`session.Playground` is the whole session)."""

    ask: Ask
    slack: SlackRequests

    def _posted(self, origin: Origin, post: Post | None = None) -> Posted:
        """How Slack describes the message of an interaction, with a response_url leading back."""
        return Posted(
            response_url=self.world.response_url_for(origin),
            channel=origin.channel,
            channel_name=self.lookups.name_of(origin.channel),
            ts=origin.message_ts or "1.000001",
            message=post.message if post is not None and post.visible_to is None else None,
        )

    def _after(self, reply: Reply, origin: Origin) -> None:
        """What a request's ack said (an ephemeral answer, or nothing), then what followed."""
        answer = reply.json
        happenings = [self.world.answer(origin, answer)] if ("text" in answer or "blocks" in answer) else []
        self._show_happenings(happenings + self._settle())

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
