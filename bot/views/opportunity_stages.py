"""`/crm stages`: the workspace's opportunity stages in one form — each stage's name, probability, the
days an open one may sit idle before its owner is reminded, and the open ones' order; a new stage;
open stages retired."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.i18n import N_, Lang
from bot.rules import opportunities as rules
from bot.views import blocks as b
from bot.views.ids import Callback
from bot.views.opportunities import stage_name
from bot.views.text import say
from store.models import OpportunityStage

RETIRE = "stage_retire"


def stages_modal(lang: Lang, stages: Sequence[OpportunityStage], metadata: dict[str, Any]) -> dict[str, Any]:
    _ = lang.gettext
    active = [stage for stage in stages if stage.retired_at is None]
    blocks: list[b.Block] = [b.context(say(lang, N_(
        "Renaming, reordering or retiring a stage keeps every opportunity's history. A stage with open "
        "opportunities cannot be retired: move them first."
    )))]  # fmt: skip
    for stage in active:
        blocks += _stage_blocks(lang, stage)
    opened = [stage for stage in active if stage.outcome == rules.OPEN]
    if len(opened) > 1:
        options = [b.option(stage_name(stage, lang), str(stage.id)) for stage in opened]
        blocks.append(b.input_block(RETIRE, _("Retire"), {"type": "checkboxes", "action_id": RETIRE,
                                                          "options": options}, optional=True))  # fmt: skip
    blocks += [
        b.header(_("A new open stage")),
        b.input_block("new_name", _("Name"), b.text_input("new_name", max_length=80), optional=True),
        b.input_block("new_probability", _("Probability (%)"), b.text_input("new_probability", max_length=4),
                      optional=True),
        b.input_block("new_idle", _("Days idle before a reminder"), b.text_input("new_idle", max_length=3),
                      optional=True),
    ]  # fmt: skip
    return b.modal(
        title=_("Opportunity stages"),
        blocks=blocks,
        callback_id=Callback.OPPORTUNITY_STAGES,
        submit=_("Save"),
        close=_("Cancel"),
        private_metadata=json.dumps(metadata, ensure_ascii=False),
    )


OUTCOME_NAMES = {rules.WON: N_("Won"), rules.LOST: N_("Lost")}  # as the default stages are named


def _stage_blocks(lang: Lang, stage: OpportunityStage) -> list[b.Block]:
    _ = lang.gettext
    sid = stage.id
    kind = (
        lang.gettext(OUTCOME_NAMES[stage.outcome]) if stage.outcome in OUTCOME_NAMES else str(stage.position)
    )
    blocks = [
        b.header(f"{kind} · {stage_name(stage, lang)}"),
        b.input_block(f"stage_name_{sid}", _("Name"),
                      b.text_input(f"stage_name_{sid}", initial=stage_name(stage, lang), max_length=80)),
        b.input_block(f"stage_probability_{sid}", _("Probability (%)"),
                      b.text_input(f"stage_probability_{sid}", initial=str(stage.probability), max_length=4)),
    ]  # fmt: skip
    if stage.outcome == rules.OPEN:
        blocks += [
            b.input_block(f"stage_position_{sid}", _("Order"),
                          b.text_input(f"stage_position_{sid}", initial=str(stage.position), max_length=2)),
            b.input_block(f"stage_idle_{sid}", _("Days idle before a reminder"),
                          b.text_input(f"stage_idle_{sid}", initial=str(stage.idle_days), max_length=3),
                          hint=_("0: never.")),
        ]  # fmt: skip
    return blocks


def stages_saved(lang: Lang, changed: int) -> dict[str, Any]:
    text = say(lang, N_("Stages saved: %(count)s changed."), count=changed)
    return b.message(text, [b.section(text)])
