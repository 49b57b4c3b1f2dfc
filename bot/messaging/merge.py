"""What a merge says on its own: the duplicate's owner hears where their customer went."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import events, notify
from bot.env import Env
from bot.i18n import lang
from bot.services.merge import CustomerMerged
from bot.services.people import directory
from bot.views import merge as views
from store.sql import Bind

MERGED_DM = "merged_away"  # its subject is the survivor's id


@events.on(CustomerMerged)
def tell_previous_owner(env: Env, bind: Bind, merged: CustomerMerged) -> Sequence[str]:
    if merged.taken_from is None:
        return []
    at = f"{env.clock.now().timestamp():.6f}"
    return [
        notify.enqueue(
            env, workspace_id=merged.workspace_id, kind=MERGED_DM, recipient=merged.taken_from,
            subject=str(merged.survivor_id), period=at, message=_said(env, merged), session=bind,
        )
    ]  # fmt: skip


def _said(env: Env, merged: CustomerMerged) -> dict[str, Any]:
    reader = directory(env, merged.workspace_id).by_id(merged.taken_from or "")
    return views.merged_away(
        reader.lang if reader is not None else lang(merged.by_locale),
        by=merged.by, duplicate=merged.duplicate_name, survivor=merged.survivor_name,
        survivor_id=merged.survivor_id, owner_id=merged.owner_id,
    )  # fmt: skip
