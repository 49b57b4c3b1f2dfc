"""Slack's mrkdwn as a terminal shows it: emphasis, links, mentions, code and emoji, into a
`rich.text.Text` (every string through `Text.append`, never rich markup)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rich.text import Text

Words = Callable[[str], str]  # the reader's gettext, for the few words the renderer adds itself
Names = Callable[[str], str]  # user or channel id → display name ("mei", "customer-pool"); unknown: the id

INDENT = "  "

MENTION = "cyan"
LINK = "underline"
URL = "dim"
CODE = "magenta"
QUIET = "dim"
ERROR = "red"
STYLE_OF_BUTTON = {"primary": "green", "danger": "red"}

# The shortcodes the bot's texts use (bot/views, bot/locale), and a few common ones. Others stay as typed.
EMOJI = {
    "arrows_counterclockwise": "🔄",
    "bell": "🔔",
    "calendar": "📆",
    "chart_with_downwards_trend": "📉",
    "chart_with_upwards_trend": "📈",
    "dart": "🎯",
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


def as_is(identifier: str) -> str:
    return identifier


def plain_of(obj: Any) -> str:
    return text_object(obj, as_is).plain
