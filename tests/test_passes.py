"""A job's passes over the workspaces: several at once on PostgreSQL, one after another on SQLite."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from bot.jobs import passes
from store import people as people_store

WORKSPACES = ["T0ONE", "T0TWO", "T0THREE"]


@pytest.fixture
def three(env):
    with env.db.session() as session:
        for workspace_id in WORKSPACES:
            people_store.add_workspace_if_missing(
                session=session, values={"id": workspace_id, "timezone": "UTC", "created_at": env.clock.now()}
            )
    return replace(env, settings=env.settings.model_copy(update={"job_threads": 3}))


def test_each_workspace_is_passed_over_once_and_counted_as_its_own(three):
    threads: dict[str, str] = {}
    arrived = threading.Barrier(len(WORKSPACES), timeout=10) if not three.db.is_sqlite else None

    def count(workspace_id: str) -> dict[str, int]:
        threads[workspace_id] = threading.current_thread().name
        if arrived is not None:
            arrived.wait()  # on PostgreSQL all three run at once, or this times out
        return {"seen": 1, "letters": len(workspace_id)}

    tally = passes.over_workspaces(three, count)
    assert tally.counts == {one: {"seen": 1, "letters": len(one)} for one in WORKSPACES}
    if three.db.is_sqlite:
        assert set(threads.values()) == {threading.current_thread().name}, "in the job's own thread"
    else:
        assert all(name.startswith("workspace-pass") for name in threads.values())


def test_a_failed_pass_fails_the_job_after_the_others_have_ended(three):
    ended: list[str] = []

    def fail_one(workspace_id: str) -> dict[str, int]:
        if workspace_id == "T0TWO":
            raise RuntimeError("T0TWO went wrong")
        ended.append(workspace_id)
        return {"seen": 1}

    with pytest.raises(RuntimeError, match="T0TWO went wrong"):
        passes.over_workspaces(three, fail_one)
    assert sorted(ended) == ["T0ONE", "T0THREE"]


def test_a_command_line_run_for_one_team_passes_over_it_alone(three):
    tally = passes.over_workspaces(replace(three, only_workspace="T0TWO"), lambda one: {"seen": 1})
    assert tally.counts == {"T0TWO": {"seen": 1}}
