"""Block Kit as a terminal shows it: the playground's renderer.

Turns exactly what the bot sends (messages, modals, Home tabs) into a `rich.text.Text` and the list of
interactive elements, numbered so that a person at the terminal can press or choose them by number.
Pure: no I/O and no Slack.

Every string from a payload goes in through `Text.append`, never through rich markup, so a customer
called `[bold]Acme[/]` shows as typed. Every meaning is in the characters as well as in the styles,
because the transcript and the tests read `.plain`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from rich.cells import cell_len
from rich.text import Text

from bot.i18n import N_
from bot.playground.render_elements import CHOOSERS as CHOOSERS
from bot.playground.render_elements import chosen_of as chosen_of
from bot.playground.render_elements import element_label as element_label
from bot.playground.render_elements import label_of as label_of
from bot.playground.render_elements import option_label as option_label
from bot.playground.render_elements import placeholder_of as placeholder_of
from bot.playground.render_elements import ticks_of as ticks_of
from bot.playground.render_text import ERROR as ERROR
from bot.playground.render_text import INDENT as INDENT
from bot.playground.render_text import QUIET as QUIET
from bot.playground.render_text import STYLE_OF_BUTTON as STYLE_OF_BUTTON
from bot.playground.render_text import Names as Names
from bot.playground.render_text import Words as Words
from bot.playground.render_text import emojize as emojize
from bot.playground.render_text import mrkdwn as mrkdwn
from bot.playground.render_text import plain_of as plain_of
from bot.playground.render_text import text_object as text_object
from bot.playground.render_text import unescape as unescape

RULE_WIDTH = 40
FIELD_COLUMN = 40  # where the second of two section fields starts
RIGHT_FIELD_WIDTH = 50  # wider, and two columns would not fit a 90-column terminal


@dataclass(frozen=True)
class Control:
    """One numbered interactive element."""

    number: int
    block_id: str  # the block's block_id ("" when the bot set none)
    element: dict[str, Any]  # the element's JSON exactly as the bot sent it
    label: str  # what the user sees: a button's text, a select's placeholder, ...


@dataclass(frozen=True)
class Field:
    """One input block of a modal, in order (modals only)."""

    block_id: str
    label: str
    element: dict[str, Any]
    optional: bool
    hint: str  # "" when none
    dispatches: bool  # the input block has dispatch_action: true


@dataclass
class Rendered:
    text: Text
    controls: list[Control]  # numbered first_number, first_number+1, ... in reading order
    fields: list[Field]  # empty for messages and Home


@dataclass
class _Screen:
    """What one render builds up: the numbered controls and, in a modal, the fields."""

    names: Names
    next_number: int
    gettext: Words = str
    image_shown: Callable[[dict[str, Any]], str] | None = None  # an image block as the terminal shows it
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    in_modal: bool = False
    controls: list[Control] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)

    def control(self, block: dict[str, Any], element: dict[str, Any]) -> Text:
        """Number an element and show it: `[3] Claim`, `[4] Set level ▾`."""
        label = label_of(element, self.names, self.gettext)
        number = self.next_number
        self.next_number += 1
        self.controls.append(Control(number, str(block.get("block_id", "")), element, label))
        shown = Text(f"[{number}] ", style="bold")
        shown.append(label, style=STYLE_OF_BUTTON.get(str(element.get("style", ""))))
        if element.get("type") in CHOOSERS:
            shown.append(" ▾")
        if element.get("url"):
            shown.append(" ↗", style=QUIET)  # opens a page rather than telling the bot
        return shown

    def blocks(self, blocks: list[dict[str, Any]]) -> Text:
        rendered = [(block, self.block(block)) for block in blocks]
        out = Text()
        for index, (block, text) in enumerate(rendered):
            if index:
                out.append(_gap(rendered[index - 1], (block, text)))
            out.append_text(text)
        return out

    def block(self, block: dict[str, Any]) -> Text:
        kind = block.get("type")
        if kind == "section":
            return self.section(block)
        if kind == "header":
            return _header(block, self.names)
        if kind == "context":
            return self.context(block)
        if kind == "divider":
            return Text("─" * RULE_WIDTH, style=QUIET)
        if kind == "actions":
            return Text("  ").join(self.control(block, element) for element in block.get("elements", []))
        if kind == "input":
            return self.modal_input(block) if self.in_modal else self.inline_input(block)
        if kind == "image":
            shown = self.image_shown(block) if self.image_shown else f"[image: {block.get('alt_text', '')}]"
            return Text(shown, style=QUIET)
        if kind == "rich_text":
            return Text(_rich_text_plain(block))
        return Text(f"[{kind} block]", style=QUIET)

    def section(self, block: dict[str, Any]) -> Text:
        parts = []
        if block.get("text"):
            parts.append(text_object(block["text"], self.names))
        if block.get("fields"):
            parts.append(self.section_fields(block["fields"]))
        out = Text("\n").join(parts)
        accessory = block.get("accessory")
        if accessory:
            if accessory.get("type") == "image":
                shown = Text(label_of(accessory, self.names), style=QUIET)
            else:
                shown = self.control(block, accessory)
            out.append("  " if out.plain else "")
            out.append_text(shown)
        return out

    def section_fields(self, texts: list[dict[str, Any]]) -> Text:
        fields = [text_object(text, self.names) for text in texts]
        lines: list[Text] = []
        for index in range(0, len(fields), 2):
            lines.extend(_side_by_side(fields[index : index + 2]))
        return Text("\n").join(lines)

    def context(self, block: dict[str, Any]) -> Text:
        parts = []
        for element in block.get("elements", []):
            if element.get("type") == "image":
                parts.append(Text(f"[image: {element.get('alt_text', '')}]"))
            else:
                parts.append(text_object(element, self.names))
        out = Text("  ").join(parts)
        out.stylize(QUIET)
        return out

    def inline_input(self, block: dict[str, Any]) -> Text:
        """An input block outside a modal (Home, messages): its element is a control like any other."""
        out = Text(plain_of(block.get("label")) + ": ")
        out.append_text(self.control(block, block.get("element") or {}))
        return out

    def modal_input(self, block: dict[str, Any]) -> Text:
        """`  (2) Customer*: Acme Trading ▾`, the hint below it and any error under that in red."""
        element = block.get("element") or {}
        entry = Field(
            block_id=str(block.get("block_id", "")),
            label=plain_of(block.get("label")),
            element=element,
            optional=bool(block.get("optional", False)),
            hint=plain_of(block.get("hint")) if block.get("hint") else "",
            dispatches=bool(block.get("dispatch_action", False)),
        )
        self.fields.append(entry)
        out = Text(f"{INDENT}({len(self.fields)}) ", style="bold")
        out.append(entry.label + ("" if entry.optional else "*") + ": ")
        out.append_text(self.field_value(entry))
        if entry.hint:
            out.append(f"\n{INDENT * 3}{entry.hint}", style=QUIET)
        error = self.errors.get(entry.block_id)
        if error:
            out.append(f"\n{INDENT * 3}⚠ {error}", style=ERROR)
        return out

    def field_value(self, entry: Field) -> Text:
        """What the person has typed or chosen, else the element's initial value, else its placeholder
        in ‹ › (so that an empty field never reads as filled in, even without colour)."""
        kind = entry.element.get("type")
        typed = self.values.get(entry.block_id)
        shown = typed if typed is not None else chosen_of(entry.element, self.names)
        if not shown and kind in ("checkboxes", "radio_buttons"):
            shown = ticks_of(entry.element)
        out = Text()
        if shown:
            out.append(shown)
        else:
            out.append(
                "‹" + (placeholder_of(entry.element, self.gettext) or self.gettext(N_("empty"))) + "›",
                style=QUIET,
            )
        if kind in CHOOSERS:
            out.append(" ▾")
        return out


def _side_by_side(pair: list[Text]) -> list[Text]:
    """Two fields as Slack's two columns, line beside line (a field is often `*Label*\nvalue`); one
    under the other when the left is too wide for its column or the right would run off a terminal."""
    if len(pair) < 2:
        return pair
    columns = [list(field.split("\n", allow_blank=True)) for field in pair]
    widest = [max(cell_len(line.plain) for line in lines) for lines in columns]
    if widest[0] > FIELD_COLUMN - 2 or widest[1] > RIGHT_FIELD_WIDTH:
        return pair
    rows = []
    for left, right in zip_longest(*columns, fillvalue=Text()):
        row = Text.assemble(left, " " * (FIELD_COLUMN - cell_len(left.plain)), right)
        row.rstrip()  # a left line with nothing beside it
        rows.append(row)
    return rows


def _gap(before: tuple[dict[str, Any], Text], after: tuple[dict[str, Any], Text]) -> str:
    """A blank line between two sections when either has several lines (a pool entry, a card body),
    so that entries do not run together; one-line rows stay packed like a list."""
    both_sections = before[0].get("type") == after[0].get("type") == "section"
    several_lines = "\n" in before[1].plain or "\n" in after[1].plain
    return "\n\n" if both_sections and several_lines else "\n"


def _header(block: dict[str, Any], names: Names) -> Text:
    title = text_object(block.get("text"), names)
    title.stylize("bold")
    return Text.assemble(title, "\n", ("━" * min(max(cell_len(title.plain), 3), RULE_WIDTH), QUIET))


def _heading(title: str) -> Text:
    """The first line of a modal or the Home tab: its name over a double rule."""
    return Text.assemble((title, "bold"), "\n", ("═" * RULE_WIDTH, QUIET))


def _rich_text_plain(block: dict[str, Any]) -> str:
    """rich_text (the bot sends none; people's messages may): its words, without styling."""

    def words(node: Any) -> str:
        if isinstance(node, dict):
            if "text" in node and isinstance(node["text"], str):
                return node["text"]
            return "".join(words(child) for child in node.get("elements", []))
        return ""

    return words(block)


# -- entry points ------------------------------------------------------------------------------------
def render_message(
    message: dict[str, Any],
    *,
    names: Names,
    first_number: int = 1,
    gettext: Words = str,
    image_shown: Callable[[dict[str, Any]], str] | None = None,
) -> Rendered:
    """A message as posted (chat.postMessage, chat.update, chat.postEphemeral, a response_url post):
    its blocks, or its text when it has none. Attachments are ignored (the bot sends none).
    `gettext` translates the renderer's own few words ("empty", "pick a date", "Home"...)."""
    screen = _Screen(names, first_number, gettext, image_shown)
    blocks = message.get("blocks")
    text = screen.blocks(blocks) if blocks else mrkdwn(str(message.get("text", "")), names)
    return Rendered(text, screen.controls, [])


def render_view(
    view: dict[str, Any],
    *,
    names: Names,
    first_number: int = 1,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    gettext: Words = str,
) -> Rendered:
    """A modal (title, blocks with its inputs as numbered form lines, submit and close) or a Home tab.

    Form lines are numbered (1), (2)... by their position in `fields`; the other interactive elements
    are `[n]` controls from `first_number`. `values` (block_id → display text) override what the bot
    preset; `errors` (block_id → message) show under their field. Errors for block_ids the view does not
    have are listed at the end, as Slack would refuse them."""
    if view.get("type") != "modal":
        screen = _Screen(names, first_number, gettext)
        body = screen.blocks(view.get("blocks") or [])
        return Rendered(Text("\n").join([_heading(gettext(N_("Home"))), body]), screen.controls, [])
    screen = _Screen(
        names, first_number, gettext, None, dict(values or {}), dict(errors or {}), in_modal=True
    )
    parts = [_heading(plain_of(view.get("title"))), screen.blocks(view.get("blocks") or [])]
    strays = _stray_errors(screen)
    if strays.plain:
        parts.append(strays)
    parts.append(_buttons(view, gettext))
    return Rendered(Text("\n").join(parts), screen.controls, screen.fields)


def _stray_errors(screen: _Screen) -> Text:
    known = {entry.block_id for entry in screen.fields}
    lines = [f"⚠ {block_id}: {error}" for block_id, error in screen.errors.items() if block_id not in known]
    return Text("\n".join(lines), style=ERROR)


def _buttons(view: dict[str, Any], gettext: Words) -> Text:
    """`[Enter] Save · Cancel` (a modal without submit has only its close button)."""
    close = plain_of(view["close"]) if view.get("close") else gettext(N_("Cancel"))
    out = Text("─" * RULE_WIDTH + "\n", style=QUIET)
    if view.get("submit"):
        out.append("[Enter] ", style="bold")
        out.append(plain_of(view["submit"]), style="green")
        out.append(" · ")
    out.append(close)
    return out
