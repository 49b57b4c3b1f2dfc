"""Following Slack: profiles kept as Slack says (user_change and team_join events, and the nightly
`people` job, once a day per workspace)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.env import Env
from bot.rules.calendar import zone
from bot.services.people_actors import Profile, profile_from_slack, profile_values
from store import jobmarks
from store import people as people_store

SYNC_JOB = "people"


def apply_slack_user(env: Env, *, workspace_id: str, user: Mapping[str, Any]) -> bool:
    """A user_change or team_join: the person's profile as Slack says now. Only someone the bot knows
    is updated (True): a new member becomes a person of the CRM at their first contact."""
    user_id = str(user.get("id") or "")
    if not user_id:
        return False
    profile = {**profile_values(profile_from_slack(user)), "profile_synced": True}
    with env.db.session() as session:
        return people_store.update_profile(
            session=session,
            workspace_id=workspace_id,
            user_id=user_id,
            profile=profile,
            checked_at=env.clock.now(),
        )


def sync_day(env: Env, workspace_id: str) -> str | None:
    """The workspace's today (in its zone) when its people were not yet synced today; else None."""
    with env.db.session() as session:
        workspace = people_store.get_workspace(session=session, workspace_id=workspace_id)
        if workspace is None:
            return None
        day = env.clock.now().astimezone(zone(workspace.timezone)).date().isoformat()
        done = people_store.job_done(session=session, workspace_id=workspace_id, job=SYNC_JOB, period=day)
    return None if done else day


def sync_profiles(env: Env, workspace_id: str, profiles: Mapping[str, Profile], *, day: str) -> int | None:
    """Every known person's profile as Slack lists it (by user id), in one transaction with the day's
    mark: how many changed, or None when another run did the day first."""
    now = env.clock.now()
    with env.db.session() as session:
        if not jobmarks.mark_once(
            session=session, workspace_id=workspace_id, job=SYNC_JOB, period=day, now=now
        ):
            return None
        stored = people_store.stored_profiles(session=session, workspace_id=workspace_id)
        changed = _changed_profiles(stored, profiles)
        people_store.update_profiles(session=session, workspace_id=workspace_id, rows=changed, checked_at=now)
    return len(changed)


def _changed_profiles(
    stored: Mapping[str, dict[str, Any]], profiles: Mapping[str, Profile]
) -> list[dict[str, Any]]:
    """Whole rows (the same columns for each: one statement writes them all) for the people whose
    profile differs; what Slack leaves out (no zone, no e-mail) stays as stored."""
    changed = []
    for user_id, current in stored.items():
        profile = profiles.get(user_id)
        if profile is None:
            continue
        wanted = {**current, **profile_values(profile), "profile_synced": True}
        if wanted != current:
            changed.append({**wanted, "user_id": user_id})
    return changed
