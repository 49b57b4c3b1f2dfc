"""The manager's morning digest: each working morning, at the digest time in each manager's own zone,
one message per manager about their team (admins: the reps who have no manager). Two missed days give
one digest, today's: a catch-up only ever sends the current day's. And the nudge a manager sends a rep
from it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot import events, notify
from bot.env import Env
from bot.i18n import lang
from bot.messaging.mornings import Due, day_and_zone, due_this_morning, grouped, queue_all
from bot.notify import Outgoing
from bot.rules.pool import PoolRules
from bot.services import digest
from bot.services import settings as settings_service
from bot.services.home_types import Warned
from bot.services.people import Directory, directory
from bot.views import digest as views
from store.digest import team_churn_changes
from store.sql import Bind

KIND = "digest"
NUDGE = "nudge"

DueSoon = Mapping[str, Sequence[Warned]]
SoonOf = Callable[[Env, str, PoolRules], DueSoon]  # per owner: back in the pool within digest.SOON


def send_digests(env: Env, workspace_id: str, soon_of: SoonOf) -> int:
    """Queue this morning's digest for each lead due one; returns how many."""
    settings = settings_service.load(env, workspace_id)
    people = directory(env, workspace_id)
    at, country = settings.digest_at, settings.country
    due = due_this_morning(
        env, digest.leads(people), kind=KIND, at=at, country=country, workspace_id=workspace_id
    )
    if not due:
        return 0
    soon = soon_of(env, workspace_id, settings.pool_rules())
    messages = []
    for (today, timezone), morning in grouped(due, day_and_zone).items():
        when = digest.Morning(today, timezone, country, views.ROWS_SHOWN)
        messages += _digests(
            env, workspace_id, when, morning, _Team(people, settings.weekly_visit_target, soon)
        )
    queue_all(env, messages)
    return len(due)


@dataclass(frozen=True)
class _Team:
    """What every team's digest of a run shares: the people, the weekly target, who is back in the pool soon."""

    people: Directory
    target: int
    soon: DueSoon


def _digests(
    env: Env, workspace_id: str, when: digest.Morning, due: list[Due], shared: _Team
) -> list[Outgoing]:
    teams = {one.person.user_id: digest.Team.of(shared.people, one.person) for one in due}
    figures = digest.figures(env, workspace_id, when, teams)
    messages = []
    for one in due:
        team = _team_digest(teams[one.person.user_id], figures, shared.target, shared.soon)
        messages.append(one.outgoing(views.digest(one.person.lang, team, one.person.timezone)))
    return messages


def _team_digest(team: digest.Team, figures: digest.Figures, target: int, soon: DueSoon) -> views.TeamDigest:
    rep_ids = team.rep_ids
    pool_in, pool_out = figures.moves.of_team(rep_ids)
    orphans, orphan_count = figures.orphans.get(team.lead.user_id, ([], 0))
    complaints = figures.complaints.of_team([*rep_ids, *team.gone], views.ROWS_SHOWN)
    due_soon = sorted((w for rep in rep_ids for w in soon.get(rep, [])), key=lambda w: w.recycle.at)
    deals = figures.deals.get(team.lead.user_id, digest.TeamDeals([], []))
    return views.TeamDigest(
        today=figures.today,
        last_day=figures.last_day,
        reps=[(rep.user_id, rep.name) for rep in team.reps],
        visits={rep: figures.visits[rep] for rep in rep_ids if rep in figures.visits},
        overdue={rep: figures.overdue[rep] for rep in rep_ids if rep in figures.overdue},
        target=target,
        due_soon=due_soon,
        pool_in=pool_in,
        pool_out=pool_out,
        churn=team_churn_changes(figures.churn, rep_ids, views.ROWS_SHOWN),
        orphans=orphans,
        orphan_count=orphan_count,
        complaints_open=complaints.open_count,
        breached=complaints.breached,
        deal_changes=deals.changes,
        slipped=deals.slipped,
        stages=figures.stages,
        currency=team.lead.currency,
    )


@events.on(digest.RepNudged)
def queue_nudge(env: Env, bind: Bind, nudged: digest.RepNudged) -> Sequence[str]:
    """The rep's DM, once per rep, customer and the rep's day."""
    message = views.nudge(lang(nudged.rep_locale), nudged.manager_id, nudged.customer_id, nudged.name)
    key = notify.enqueue(
        env,
        workspace_id=nudged.workspace_id,
        kind=NUDGE,
        recipient=nudged.rep_id,
        subject=str(nudged.customer_id),
        period=nudged.day.isoformat(),
        message=message,
        session=bind,
    )
    return [key]
