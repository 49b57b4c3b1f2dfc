"""The bot's OAuth scopes, in one place: the install flow asks for these, and `manifest.yml` lists the
same (a test holds them equal). Why each is needed is said beside it."""

from __future__ import annotations

BOT_SCOPES = (
    "commands",  # the slash commands
    "chat:write",  # replies, DMs, announcements
    "chat:write.public",  # the pool and complaints channels without joining them first
    "im:write",  # opening a DM with a person
    "users:read",  # names, zones and locales of the people in the team
    "users:read.email",  # matching people by e-mail in the import
    "channels:read",  # checking a chosen channel exists
    "groups:read",  # the same for a private channel
    "channels:history",  # looking for a post in doubt before sending it again (the outbox)
    "groups:history",
    "im:history",
    "files:write",  # the reports' charts and CSV files
)
