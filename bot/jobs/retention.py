"""`retention`: forgets what only the machinery needed, past its age (bot/services/retention.py says what
is kept and for how long). Installation-wide, every few hours: each run deletes what has aged since."""

from __future__ import annotations

from bot import notify
from bot.env import Env
from bot.services import retention
from bot.services.job_runs import INSTALLATION, Tally


def run(env: Env) -> Tally:
    forgotten = retention.forget_old(env, kept_kinds=notify.answered_later())
    tally = Tally()
    tally.add(INSTALLATION, messages=forgotten.messages, marks=forgotten.marks)
    return tally.said("forgot {messages} sent messages and {marks} job marks")
