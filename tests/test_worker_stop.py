"""SIGTERM to a real `python -m bot worker` while its outbox job is sending: the job finishes within
STOP_SECONDS (and its run is recorded), or, past the deadline, the process ends at once with the cut-off
status, the message left in the outbox for the next sender."""

from __future__ import annotations

import signal
import time

import pytest
import sqlalchemy as sa
from sqlmodel import col

from bot import notify
from bot.stopping import CUT_OFF_STATUS
from store import job_runs
from store.models import OutboxMessage
from tests.test_leader import no_job_table_left_behind, start_worker  # noqa: F401  (a fixture)

pytestmark = pytest.mark.usefixtures("no_job_table_left_behind")


def queue_one(env) -> None:
    text = "Follow up with Acme"
    notify.enqueue(
        env,
        workspace_id="T0TIDE",
        kind="reminder",
        recipient="U0MEI",
        subject="acme",
        period="2026-11-23",
        message={"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]},
    )


def status_of_the_message(db) -> str:
    with db.session() as session:
        return str(session.scalars(sa.select(col(OutboxMessage.status))).one())


def stop_while_sending(worker, standin) -> float:
    assert standin.wait_for("chat.postMessage", timeout=30), worker.stdout.read()
    asked = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)
    return time.monotonic() - asked


def test_a_job_running_at_sigterm_finishes_and_is_recorded(database_url, db, env, standin):
    queue_one(env)
    standin.slow_answers("chat.postMessage", 2.0)
    worker = start_worker(database_url, standin.api_url, STOP_SECONDS="20")

    took = stop_while_sending(worker, standin)

    output = worker.communicate()[0]
    assert worker.returncode == 0, output
    assert 1.5 < took < 20, f"waited for the send (2 s), not the deadline: {took:.1f} s"
    assert status_of_the_message(db) == "sent"
    with db.connection() as connection:
        runs = {run.job: run for run in job_runs.latest_runs(connection)}
    assert runs["outbox"].succeeded, output
    assert runs["outbox"].summary.startswith("sent 1,")


def test_a_job_running_past_the_deadline_is_cut_off_and_its_message_waits(database_url, db, env, standin):
    queue_one(env)
    standin.slow_answers("chat.postMessage", 30.0)
    worker = start_worker(database_url, standin.api_url, STOP_SECONDS="2")

    took = stop_while_sending(worker, standin)

    output = worker.communicate()[0]
    assert worker.returncode == CUT_OFF_STATUS, output
    assert took < 2 + 3, f"ended at its deadline (2 s), not when Slack answered (30 s): {took:.1f} s"
    assert "did not stop within 2 s" in output
    assert status_of_the_message(db) == "pending", "left for the next sender, who looks for it first"
