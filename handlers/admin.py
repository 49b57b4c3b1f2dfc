"""`/crm`: help, language, roles and teams; and the help answer for anything not handled yet."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from slack_bolt import App

from bot import notify
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.messaging import reports as report_messaging
from bot.messaging.channels import channel_problem
from bot.rules.commands import mentioned_users
from bot.services import opportunities, opportunity_stages, people, reports, settings
from bot.views import admin as views
from bot.views import blocks as b
from bot.views import opportunity_stages as stage_views
from bot.views import reports as report_views
from bot.views import settings as settings_views
from bot.views.common import help_message
from bot.views.ids import Callback, Command
from bot.views.text import say, unescape_slack
from handlers.kit import Call, Kit, just_ack, lazy, listener
from handlers.state import form_values, text_of

HELP_WORDS = {"", "help", "?", "帮助"}
SLACK_WORK = {"role", "team"}  # these may look people up in Slack: done in the lazy function


@dataclass(frozen=True)
class AdminWork:
    """An admin's /crm verb the ack allowed, for the lazy step to do (it may call Slack)."""

    verb: str


@dataclass(frozen=True)
class SettingsSaved:
    changes: tuple[settings.SettingChange, ...]


def register(app: App, kit: Kit) -> None:
    app.command(Command.CRM)(
        ack=listener(kit, crm_command), lazy=[lazy(kit, crm_admin_work, when_deferred=True)]
    )
    app.view(Callback.SETTINGS)(
        ack=listener(kit, submit_settings), lazy=[lazy(kit, confirm_settings, when_deferred=True)]
    )
    app.view(Callback.OPPORTUNITY_STAGES)(
        ack=listener(kit, submit_stages), lazy=[lazy(kit, confirm_stages, when_deferred=True)]
    )


def register_fallbacks(app: App, kit: Kit) -> None:
    """Any other command, button or shortcut gets an answer, never a 404."""
    app.command(re.compile(r".*"))(listener(kit, help_command))
    app.action(re.compile(r".*"))(listener(kit, just_ack))
    app.shortcut(re.compile(r".*"))(listener(kit, just_ack))
    app.view(re.compile(r".*"))(listener(kit, just_ack))


def help_command(call: Call) -> None:
    call.ack(**help_message(call.lang, is_admin=call.me.is_admin))


def _words(call: Call) -> list[str]:
    return unescape_slack(call.text).split()


def crm_command(call: Call) -> None:
    words = _words(call)
    verb = words[0].lower() if words else ""
    if verb in HELP_WORDS:
        call.ack(**help_message(call.lang, is_admin=call.me.is_admin))
    elif verb in {"lang", "language", "语言"}:
        _choose_language(call, words[1:])
    elif verb == "team" and len(words) == 1:
        call.ack(**views.team_listing(call.lang, people.list_teams(call.env, call.me)))
    elif verb in REPORT_WORDS:
        found = _found_report(call, words[1:])
        call.hand_over(ReportAsked(found))  # the lazy step sends this one, with its charts
        call.ack(**_report_answer(call, found))
    elif verb in {"settings", "设置"}:
        settings.require_admin(call.me)
        call.hand_over(AdminWork("settings"))
        call.ack()
    elif verb in STAGES_WORDS:
        settings.require_admin(call.me)
        call.hand_over(AdminWork("stages"))
        call.ack()
    elif verb in SLACK_WORK:
        people.require_admin(call.me)
        call.hand_over(AdminWork(verb))
        call.ack()
    else:
        call.ack(**help_message(call.lang, is_admin=call.me.is_admin, unknown=" ".join(words)))


REPORT_WORDS = {"report", "报告", "报表"}
STAGES_WORDS = {"stages", "阶段", "商机阶段"}
PERIOD_WORDS = {
    "week": "week",
    "周": "week",
    "month": "month",
    "月": "month",
    "quarter": "quarter",
    "季度": "quarter",
}


@dataclass(frozen=True)
class ReportAsked:
    """A report read in the ack, for the lazy step to send with its charts."""

    report: reports.Report


def _report_answer(call: Call, found: reports.Report) -> dict[str, Any]:
    """`/crm report [week|month|quarter] [@person]`: the figures in words, in the ack (the charts
    follow in the person's DM)."""
    message = report_views.report_message(call.lang, found)
    note = say(
        call.lang, N_("The charts and a CSV file of the figures are on their way to your direct messages.")
    )
    return {**message, "blocks": [*message["blocks"], b.context(note)]}


def _found_report(call: Call, words: list[str]) -> reports.Report:
    named = mentioned_users(" ".join(words))
    periods = [PERIOD_WORDS[w.lower()] for w in words if w.lower() in PERIOD_WORDS]
    unknown = [w for w in words if w.lower() not in PERIOD_WORDS and not w.startswith("<@")]
    if unknown or len(named) > 1 or len(periods) > 1:
        raise InvalidInput(N_("Use: /crm report [week|month|quarter] [@manager]"))
    return reports.report(call.env, call.me, periods[0] if periods else "week", named[0] if named else None)


def _send_report_charts(call: Call, found: reports.Report) -> None:
    """The same report with its charts, then its figures as a CSV file, to the person's DM (through
    the outbox: each upload once)."""
    when = f"{call.env.clock.now().timestamp():.6f}"
    keys = [
        report_messaging.queue_report(call.env, call.me, found, report_messaging.ASKED, when),
        report_messaging.queue_report_csv(call.env, call.me, found, when),
    ]
    notify.deliver_now(call.env, call.client, keys, workspace_id=call.me.workspace_id)


def _choose_language(call: Call, words: list[str]) -> None:
    if not words:
        raise InvalidInput(N_("Choose en, zh or auto: /crm lang zh"))
    people.choose_language(call.env, call.me, choice=words[0])
    call.actor = people.resolve_actor(
        call.env,
        workspace_id=call.me.workspace_id,
        user_id=call.me.user_id,
        lookup=call.kit.lookup(call.me.workspace_id),
    )
    call.ack(**views.language_set(call.lang))


def crm_admin_work(call: Call) -> None:
    words = _words(call)
    verb = words[0].lower() if words else ""
    if verb == "role":
        _set_role(call, words[1:])
    elif verb == "team" and len(words) > 1:
        _change_team(call, words[1:])
    elif (asked := call.handed_if(ReportAsked)) is not None:
        _send_report_charts(call, asked.report)
    elif call.handed(AdminWork).verb == "settings":
        _open_settings(call)
    elif call.handed(AdminWork).verb == "stages":
        view = stage_views.stages_modal(
            call.lang, opportunities.stages(call.env, call.me.workspace_id), call.metadata()
        )
        call.client.views_open(trigger_id=call.trigger_id, view=view)


def _open_settings(call: Call) -> None:
    current = settings.load(call.env, call.me.workspace_id)
    recent = settings.recent_changes(call.env, call.me)
    view = settings_views.settings_modal(call.lang, current, recent, call.me.timezone)
    call.client.views_open(
        trigger_id=call.trigger_id, view={**view, "private_metadata": json.dumps(call.metadata())}
    )


def _answers(call: Call) -> dict[str, Any]:
    values = form_values(call.body)
    answers: dict[str, Any] = {}
    for spec in settings.SPECS:
        if spec.key in values or spec.kind in (settings.Kind.SWITCH, settings.Kind.CHANNEL):
            value = values.get(spec.key)
            answers[spec.key] = bool(value) if spec.kind is settings.Kind.SWITCH else value
    return answers


def submit_settings(call: Call) -> None:
    answers = _answers(call)
    current = settings.load(call.env, call.me.workspace_id)
    channel = answers.get("pool_channel")
    if channel and channel != current.pool_channel:
        _require_postable(call, str(channel))
    changes = settings.save(call.env, call.me, answers)
    call.hand_over(SettingsSaved(tuple(changes)))
    call.ack(response_action="clear")


def _require_postable(call: Call, channel: str) -> None:
    """A private channel needs the bot invited; Slack says "not found" for one it was not invited to."""
    problem = channel_problem(call.client, channel)
    if problem is not None:
        raise InvalidInput(problem, field="pool_channel")


def confirm_settings(call: Call) -> None:
    call.tell(settings_views.settings_saved(call.lang, call.handed(SettingsSaved).changes))


def _set_role(call: Call, words: list[str]) -> None:
    users = mentioned_users(" ".join(words))
    roles = [w.lower() for w in words if w.lower() in {"manager", "rep", "admin"}]
    if len(users) != 1 or len(roles) != 1:
        raise InvalidInput(N_("Use: /crm role @person manager|rep|admin"))
    change = people.set_role(
        call.env, call.me, user_id=users[0], role=roles[0], lookup=call.kit.lookup(call.me.workspace_id)
    )
    call.tell(views.role_set(call.lang, change))


def _change_team(call: Call, words: list[str]) -> None:
    users = mentioned_users(" ".join(words))
    verbs = [w.lower() for w in words if w.lower() in {"add", "remove"}]
    if len(users) < 2 or len(verbs) != 1:
        raise InvalidInput(N_("Use: /crm team @manager add|remove @rep …"))
    change = people.change_team(
        call.env,
        call.me,
        manager_id=users[0],
        add=verbs[0] == "add",
        rep_ids=users[1:],
        lookup=call.kit.lookup(call.me.workspace_id),
    )
    call.tell(views.team_changed(call.lang, change, added=verbs[0] == "add"))


@dataclass(frozen=True)
class StagesSaved:
    changed: int


def submit_stages(call: Call) -> None:
    """`/crm stages`: every stage's fields, a new one, the ones retired."""
    values = form_values(call.body)
    retired = {int(one) for one in values.get(stage_views.RETIRE) or [] if str(one).isdigit()}
    edits = [
        opportunity_stages.StageEdit(
            stage.id, text_of(values, f"stage_name_{stage.id}"), text_of(values, f"stage_probability_{stage.id}"),
            text_of(values, f"stage_idle_{stage.id}"), text_of(values, f"stage_position_{stage.id}"),
            stage.id in retired,
        )
        for stage in opportunities.stages(call.env, call.me.workspace_id)
        if f"stage_name_{stage.id}" in values
    ]  # fmt: skip
    new = opportunity_stages.NewStage(
        text_of(values, "new_name"), text_of(values, "new_probability"), text_of(values, "new_idle")
    )
    changed = opportunity_stages.save_stages(call.env, call.me, edits, new)
    call.hand_over(StagesSaved(changed))
    call.ack(response_action="clear")


def confirm_stages(call: Call) -> None:
    call.tell(stage_views.stages_saved(call.lang, call.handed(StagesSaved).changed))
