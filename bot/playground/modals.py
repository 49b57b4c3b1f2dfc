"""Modals in the playground, filled field by field: Enter keeps a field as it is, `-` empties it, `.`
leaves the remaining fields as they are, `cancel` closes the modal; then submit, close or press."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from bot.i18n import N_
from bot.playground import forms, render
from bot.playground.pressing import CANCEL_WORDS, Filling, Pressing
from bot.playground.screen import Target, indented

REST_AS_IS = "."
EMPTY = "-"


class Modals(Pressing):
    """The modal a person has open, filled until submitted or closed (`session.Playground` is the whole)."""

    _modal_targets: dict[int, Target]
    _modal_fields: list[render.Field]

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
        self.out.print(indented(shown.text))
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
