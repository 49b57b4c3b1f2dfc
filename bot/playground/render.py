"""Block Kit as a terminal shows it: the playground's renderer.

Turns exactly what the bot sends (messages, modals, Home tabs) into a `rich.text.Text` and the list of
interactive elements, numbered so that a person at the terminal can press or choose them by number.
Pure: no I/O and no Slack.

Every string from a payload goes in through `Text.append`, never through rich markup, so a customer
called `[bold]Acme[/]` shows as typed. Every meaning is in the characters as well as in the styles,
because the transcript and the tests read `.plain`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from rich.cells import cell_len
from rich.text import Text

from bot.i18n import N_

Words = Callable[[str], str]  # the reader's gettext, for the few words the renderer adds itself
Names = Callable[[str], str]  # user or channel id → display name ("mei", "customer-pool"); unknown: the id

RULE_WIDTH = 40
FIELD_COLUMN = 40  # where the second of two section fields starts
RIGHT_FIELD_WIDTH = 50  # wider, and two columns would not fit a 90-column terminal
INDENT = "  "

MENTION = "cyan"
LINK = "underline"
URL = "dim"
CODE = "magenta"
QUIET = "dim"
ERROR = "red"
STYLE_OF_BUTTON = {"primary": "green", "danger": "red"}

CHOOSERS = {  # elements that open a list or a picker: shown with ▾ after their label
    "static_select",
    "external_select",
    "users_select",
    "conversations_select",
    "channels_select",
    "multi_static_select",
    "multi_external_select",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
    "overflow",
    "datepicker",
    "timepicker",
    "datetimepicker",
}

# The shortcodes the bot's texts use (bot/views, bot/locale), and a few common ones. Others stay as typed.
EMOJI = {
    "arrows_counterclockwise": "🔄",
    "bell": "🔔",
    "calendar": "📆",
    "chart_with_downwards_trend": "📉",
    "chart_with_upwards_trend": "📈",
    "eyes": "👀",
    "heavy_check_mark": "✔️",
    "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳",
    "information_source": "ℹ️",
    "large_green_circle": "🟢",
    "large_orange_circle": "🟠",
    "large_yellow_circle": "🟡",
    "leftwards_arrow_with_hook": "↩️",
    "lock": "🔒",
    "memo": "📝",
    "ocean": "🌊",
    "raising_hand": "🙋",
    "red_circle": "🔴",
    "rotating_light": "🚨",
    "stopwatch": "⏱️",
    "sunny": "☀️",
    "tada": "🎉",
    "thumbsup": "👍",
    "+1": "👍",
    "unlock": "🔓",
    "warning": "⚠️",
    "wave": "👋",
    "white_check_mark": "✅",
    "white_circle": "⚪",
    "x": "❌",
    "zzz": "💤",
}
_SHORTCODE = re.compile(r":([a-z0-9_+\-]+):")
_FENCE = re.compile(r"```(.*?)```", re.DOTALL)
_ATOMIC = re.compile(r"<([^<>\n]+)>|`([^`\n]+)`")  # links, mentions and inline code: never emphasised inside
_MASK = "\x00"  # stands in for atomic spans while looking for emphasis: neither a word character nor a space
_EMPHASIS = {"*": "bold", "_": "italic", "~": "strike"}


def _emphasis_pattern(mark: str) -> re.Pattern[str]:
    """Slack's rule: the marks hug the words (no space inside) and do not touch a word outside,
    so `snake_case_names` and `2*3*4` stay as typed."""
    m = re.escape(mark)
    return re.compile(rf"(?<![\w{m}]){m}(?=\S)(.+?)(?<=\S){m}(?![\w{m}])")


_EMPHASIS_PATTERNS = {mark: _emphasis_pattern(mark) for mark in _EMPHASIS}


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


# -- mrkdwn ------------------------------------------------------------------------------------------
def unescape(text: str) -> str:
    """Slack's three entities, `&amp;` last so that `&amp;lt;` stays `&lt;`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def emojize(text: str) -> str:
    return _SHORTCODE.sub(lambda match: EMOJI.get(match.group(1), match.group(0)), text)


def mrkdwn(text: str, names: Names) -> Text:
    """Slack mrkdwn as styled text: emphasis, code, quotes, mentions, links; entities decoded last."""
    out = Text()
    position = 0
    for fence in _FENCE.finditer(text):
        _prose(text[position : fence.start()], names, out)
        _code_block(fence.group(1), out)
        position = fence.end()
        if text[position:] and not text[position:].startswith("\n"):
            out.append("\n")
    _prose(text[position:], names, out)
    return out


def _code_block(code: str, out: Text) -> None:
    """A ``` block on lines of its own, as Slack shows it; nothing inside is formatting."""
    if out.plain and not out.plain.endswith("\n"):
        out.append("\n")
    out.append(unescape(code.strip("\n")), style=CODE)


def _prose(text: str, names: Names, out: Text) -> None:
    """Text outside code blocks, line by line: a quote is a line starting with a literal `>` (the bot
    escapes people's text, so their `>` arrives as `&gt;` and is never a quote)."""
    for index, line in enumerate(text.split("\n")):
        if index:
            out.append("\n")
        if line.startswith(">"):
            out.append("│ ", style=QUIET)
            line = line[1:].removeprefix(" ")
        _Inline(line, names, out).render(0, len(line), "")


class _Inline:
    """One line of mrkdwn: emphasis is found on a copy where links and code are masked, so a `_` in
    a URL or a `*` in code never starts one; the masked spans are then rendered whole."""

    def __init__(self, line: str, names: Names, out: Text) -> None:
        self.line = line
        self.names = names
        self.out = out
        self.atoms = list(_ATOMIC.finditer(line))
        masked = list(line)
        for atom in self.atoms:
            masked[atom.start() : atom.end()] = _MASK * (atom.end() - atom.start())
        self.masked = "".join(masked)

    def render(self, start: int, end: int, style: str) -> None:
        while start < end:
            found = self._first_emphasis(start, end)
            if found is None:
                self._plain(start, end, style)
                return
            mark, match = found
            self._plain(start, match.start(), style)
            self.render(match.start(1), match.end(1), _with(style, _EMPHASIS[mark]))
            start = match.end()

    def _first_emphasis(self, start: int, end: int) -> tuple[str, re.Match[str]] | None:
        found = [
            (mark, match)
            for mark, pattern in _EMPHASIS_PATTERNS.items()
            if (match := pattern.search(self.masked, start, end))
        ]
        return min(found, key=lambda pair: pair[1].start(), default=None)

    def _plain(self, start: int, end: int, style: str) -> None:
        """Text without emphasis, with the atoms inside it rendered as links, mentions or code."""
        for atom in self.atoms:
            if atom.end() <= start or atom.start() >= end:
                continue
            self.out.append(unescape(emojize(self.line[start : atom.start()])), style=style or None)
            if atom.group(1) is not None:
                _angle(atom.group(1), self.names, self.out, style)
            else:
                self.out.append(unescape(atom.group(2)), style=_with(style, CODE))
            start = atom.end()
        self.out.append(unescape(emojize(self.line[start:end])), style=style or None)


def _with(style: str, more: str) -> str:
    return f"{style} {more}".strip()


def _angle(inside: str, names: Names, out: Text, style: str) -> None:
    """`<...>`: a mention, a channel, a special (`<!date…>`, `<!subteam…>`) or a link."""
    target, _, label = inside.partition("|")
    if target.startswith("@"):
        out.append("@" + names(target[1:]), style=_with(style, MENTION))
    elif target.startswith("#"):
        out.append("#" + (unescape(label) if label else names(target[1:])), style=_with(style, MENTION))
    elif target.startswith("!"):
        out.append(_special(target[1:], label), style=_with(style, MENTION))
    else:
        _link(unescape(target), unescape(label), out, style)


def _special(command: str, label: str) -> str:
    """`!date^…|fallback` shows its fallback; `!subteam^ID|@team` its handle; `!here` as `@here`."""
    kind, _, rest = command.partition("^")
    if label:
        return unescape(label)
    if kind == "subteam":
        return "@" + rest
    return "@" + kind if kind in ("here", "channel", "everyone") else unescape(command)


def _link(url: str, label: str, out: Text, style: str) -> None:
    if not label or label == url or url == "mailto:" + label:
        out.append(label or url, style=_with(style, LINK))
        return
    out.append(label, style=_with(style, LINK))
    out.append(f" ({url})", style=_with(style, URL))


def text_object(obj: Any, names: Names) -> Text:
    """A Block Kit text object: mrkdwn parsed, plain_text shown as is (entities and emoji decoded)."""
    if isinstance(obj, str):
        return mrkdwn(obj, names)
    if not isinstance(obj, dict):
        return Text()
    if obj.get("type") == "mrkdwn":
        return mrkdwn(str(obj.get("text", "")), names)
    return Text(unescape(emojize(str(obj.get("text", "")))))


def _as_is(identifier: str) -> str:
    return identifier


def _plain_of(obj: Any) -> str:
    return text_object(obj, _as_is).plain


# -- labels ------------------------------------------------------------------------------------------
def option_label(option: dict[str, Any]) -> str:
    """An option's visible text."""
    return _plain_of(option.get("text"))


def element_label(element: dict[str, Any]) -> str:
    """A button's text / a select's placeholder (or its initial option's text)."""
    return _label(element, _as_is)


def _label(element: dict[str, Any], names: Names, gettext: Words = str) -> str:
    kind = element.get("type", "")
    chosen = _chosen(element, names)
    if chosen:
        return chosen
    if kind == "button":
        return _plain_of(element.get("text"))
    if kind == "overflow":
        return "⋯"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    if kind in ("checkboxes", "radio_buttons"):
        return _ticks(element)
    return _placeholder(element, gettext)


def _placeholder(element: dict[str, Any], gettext: Words = str) -> str:
    if "placeholder" in element:
        return _plain_of(element["placeholder"])
    empty = _EMPTY_LABEL.get(str(element.get("type", "")))
    return gettext(empty) if empty else ""


_EMPTY_LABEL = {
    "datepicker": N_("pick a date"),
    "timepicker": N_("pick a time"),
    "datetimepicker": N_("pick a date and time"),
    "users_select": N_("choose a person"),
    "conversations_select": N_("choose a conversation"),
    "channels_select": N_("choose a channel"),
}


def _chosen(element: dict[str, Any], names: Names) -> str:
    """What the element holds before anyone touches it: its initial option, person, date, text..."""
    if element.get("type") in ("checkboxes", "radio_buttons"):
        return ""  # always shown with every option ticked or not
    if "initial_option" in element:
        return option_label(element["initial_option"])
    if element.get("initial_options"):
        return ", ".join(option_label(option) for option in element["initial_options"])
    if element.get("initial_user"):
        return "@" + names(element["initial_user"])
    if element.get("initial_users"):
        return ", ".join("@" + names(user) for user in element["initial_users"])
    for key in ("initial_conversation", "initial_channel"):
        if element.get(key):
            return "#" + names(element[key])
    for key in ("initial_conversations", "initial_channels"):
        if element.get(key):
            return ", ".join("#" + names(channel) for channel in element[key])
    for key in ("initial_date", "initial_time", "initial_value"):
        if element.get(key):
            return str(element[key])
    return ""


def _ticks(element: dict[str, Any]) -> str:
    """Every option with its box: ☑/☐ for checkboxes, ◉/○ for radio buttons."""
    initial = element.get("initial_options") or [element.get("initial_option")]
    ticked = {option.get("value") for option in initial if option}
    on, off = ("☑", "☐") if element.get("type") == "checkboxes" else ("◉", "○")
    return "  ".join(
        f"{on if option.get('value') in ticked else off} {option_label(option)}"
        for option in element.get("options", [])
    )


# -- blocks ------------------------------------------------------------------------------------------
@dataclass
class _Screen:
    """What one render builds up: the numbered controls and, in a modal, the fields."""

    names: Names
    next_number: int
    gettext: Words = str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    in_modal: bool = False
    controls: list[Control] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)

    def control(self, block: dict[str, Any], element: dict[str, Any]) -> Text:
        """Number an element and show it: `[3] Claim`, `[4] Set level ▾`."""
        label = _label(element, self.names, self.gettext)
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
            return Text(f"[image: {block.get('alt_text', '')}]", style=QUIET)
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
                shown = Text(_label(accessory, self.names), style=QUIET)
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
        out = Text(_plain_of(block.get("label")) + ": ")
        out.append_text(self.control(block, block.get("element") or {}))
        return out

    def modal_input(self, block: dict[str, Any]) -> Text:
        """`  (2) Customer*: Acme Trading ▾`, the hint below it and any error under that in red."""
        element = block.get("element") or {}
        entry = Field(
            block_id=str(block.get("block_id", "")),
            label=_plain_of(block.get("label")),
            element=element,
            optional=bool(block.get("optional", False)),
            hint=_plain_of(block.get("hint")) if block.get("hint") else "",
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
        shown = typed if typed is not None else _chosen(entry.element, self.names)
        if not shown and kind in ("checkboxes", "radio_buttons"):
            shown = _ticks(entry.element)
        out = Text()
        if shown:
            out.append(shown)
        else:
            out.append(
                "‹" + (_placeholder(entry.element, self.gettext) or self.gettext(N_("empty"))) + "›",
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
    message: dict[str, Any], *, names: Names, first_number: int = 1, gettext: Words = str
) -> Rendered:
    """A message as posted (chat.postMessage, chat.update, chat.postEphemeral, a response_url post):
    its blocks, or its text when it has none. Attachments are ignored (the bot sends none).
    `gettext` translates the renderer's own few words ("empty", "pick a date", "Home"...)."""
    screen = _Screen(names, first_number, gettext)
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
    screen = _Screen(names, first_number, gettext, dict(values or {}), dict(errors or {}), in_modal=True)
    parts = [_heading(_plain_of(view.get("title"))), screen.blocks(view.get("blocks") or [])]
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
    close = _plain_of(view["close"]) if view.get("close") else gettext(N_("Cancel"))
    out = Text("─" * RULE_WIDTH + "\n", style=QUIET)
    if view.get("submit"):
        out.append("[Enter] ", style="bold")
        out.append(_plain_of(view["submit"]), style="green")
        out.append(" · ")
    out.append(close)
    return out
