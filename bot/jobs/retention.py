"""`retention`: forgets what only the machinery needed, past its age (bot/services/retention.py says what
is kept and for how long). Installation-wide, every few hours: each run deletes what has aged since."""

from __future__ import annotations

from bot import notify
from bot.env import Env
from bot.services import retention


def run(env: Env) -> str:
    forgotten = retention.forget_old(env, kept_kinds=notify.answered_later())
    return f"forgot {forgotten.messages} sent messages and {forgotten.marks} job marks"
