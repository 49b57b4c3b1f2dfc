"""Small messages used everywhere: notices, errors with a reference, help."""

from __future__ import annotations

from typing import Any

from bot.i18n import Lang
from bot.views import blocks as b
from bot.views.templating import render
from bot.views.text import Mrkdwn, clip, escape


def notice(text: str) -> dict[str, Any]:
    """A one-section message; `text` must already be safe mrkdwn."""
    return b.message(text, [b.section(text)])


def problem(text: str) -> dict[str, Any]:
    """A friendly refusal or error; plain `text` is escaped here, `Mrkdwn` passes as built."""
    safe_text = Mrkdwn(":warning: " + escape(text))
    return b.message(safe_text, [b.section(safe_text)])


def failure_text(lang: Lang, reference: str) -> str:
    _ = lang.gettext
    return _(
        "Something went wrong on our side, and nothing was saved. Please try again; "
        "if it keeps happening, give your admin this reference: %(ref)s"
    ) % {"ref": reference}


def help_message(lang: Lang, *, is_admin: bool, unknown: str | None = None) -> dict[str, Any]:
    _ = lang.gettext
    blocks = []
    if unknown:
        blocks.append(
            b.context(
                escape(
                    _("I don’t know “%(text)s” yet; here is what I can do.") % {"text": clip(unknown, 200)}
                )
            )
        )
    body = render("help.md.j2", lang, is_admin=is_admin)
    blocks.append(b.section(body))
    return b.message(_("Tidewater help"), blocks)
