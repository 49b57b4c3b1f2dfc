"""The churn warning: on each owner's working morning at the reminder time, one DM listing the
customers whose band rose, and those still at risk or critical last told a week ago or more."""

from __future__ import annotations

from bot.env import Env
from bot.messaging.mornings import day_and_zone, due_at_reminder_time, grouped, queue_all
from bot.services import churn
from bot.services import settings as settings_service
from bot.views import churn as views

KIND = "churn_warning"


def warn_owners(env: Env, workspace_id: str, settings: settings_service.WorkspaceSettings) -> tuple[int, int]:
    """Queue this morning's warning for each owner due one; returns (owners, customers told)."""
    due = due_at_reminder_time(env, workspace_id, settings, KIND)
    messages, warned = [], []
    for (today, timezone), people in grouped(due, day_and_zone).items():
        owners = [one.person.user_id for one in people]
        rows = churn.warnings_due(env, workspace_id, churn.Morning(owners, today, timezone, views.ROWS_SHOWN))
        for one in people:
            mine = rows.get(one.person.user_id)
            if mine:
                messages.append(one.outgoing(views.warning(one.person.lang, mine)))
                warned += [w.row.customer_id for w in mine]
    queue_all(env, messages)
    churn.mark_warned(env, warned)
    return len(messages), len(warned)
