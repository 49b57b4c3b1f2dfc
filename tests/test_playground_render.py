"""The playground's renderer: Block Kit as the bot sends it → readable text and numbered controls.

Payloads come from the bot's own builders, a few inline copies of what it posted, and, at the end,
straight from the running app through the Slack stand-in."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from rich.console import Console

from bot.playground.render import (
    Rendered,
    element_label,
    mrkdwn,
    option_label,
    render_message,
    render_view,
)
from bot.views import blocks as b
from bot.views.ids import Action
from tests import builders
from tests.conftest import REP
from tests.test_followups import team

PEOPLE_AND_CHANNELS = {"U0MEI": "mei", "U0LI": "li", "C0POOL": "customer-pool"}


def names(identifier: str) -> str:
    return PEOPLE_AND_CHANNELS.get(identifier, identifier)


def lines(rendered: Rendered) -> list[str]:
    return rendered.text.plain.split("\n")


def styles_of(rendered: Rendered, shown: str) -> set[str]:
    """The styles on the span that covers `shown` in the rendered text."""
    start = rendered.text.plain.index(shown)
    return {
        str(span.style)
        for span in rendered.text.spans
        if span.start <= start and span.end >= start + len(shown)
    }


def printed(rendered: Rendered) -> str:
    """The text as a terminal without colour prints it (what the transcript keeps)."""
    out = io.StringIO()
    Console(file=out, no_color=True, width=120).print(rendered.text)
    return out.getvalue()


def every_button_shown_with_its_number(rendered: Rendered) -> None:
    for control in rendered.controls:
        assert f"[{control.number}] {control.label}" in rendered.text.plain


# -- messages ----------------------------------------------------------------------------------------
# What /pool answered (trimmed): a title, one section per customer with its Claim button, the pager.
POOL_PAGE: dict[str, Any] = {
    "text": "The pool",
    "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*The pool*"}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*Beta &amp; Co* · B · regular\nlast visit — · in the pool since Nov 23, 2026",
            },
            "accessory": b.button("Claim", "pool.claim", '{"q":{},"c":2}', style="primary"),
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*Acme &lt;!channel&gt; [bold]x[/]* · B · regular · Shanghai\nlast visit — · in the pool since Nov 23, 2026",
            },
            "accessory": b.button("Claim", "pool.claim", '{"q":{},"c":1}', style="primary"),
        },
        b.actions(
            b.button("Older ›", "pool.page", '{"q":{},"a":[1,1]}'),
            b.button("Filter…", "pool.filter", '{"q":{}}'),
            block_id="pager",
        ),
    ],
}


def test_a_pool_page_numbers_its_buttons_in_reading_order_and_keeps_their_json():
    rendered = render_message(POOL_PAGE, names=names)
    assert [(c.number, c.label) for c in rendered.controls] == [
        (1, "Claim"),
        (2, "Claim"),
        (3, "Older ›"),
        (4, "Filter…"),
    ]
    assert [c.block_id for c in rendered.controls] == ["", "", "pager", "pager"]
    assert rendered.controls[1].element is POOL_PAGE["blocks"][2]["accessory"]  # exactly what the bot sent
    assert rendered.fields == []
    assert lines(rendered) == [
        "The pool",
        "",
        "Beta & Co · B · regular",
        "last visit — · in the pool since Nov 23, 2026  [1] Claim",
        "",
        "Acme <!channel> [bold]x[/] · B · regular · Shanghai",
        "last visit — · in the pool since Nov 23, 2026  [2] Claim",
        "[3] Older ›  [4] Filter…",
    ]
    assert "green" in styles_of(rendered, "Claim")  # style primary


def customer_card() -> dict[str, Any]:
    overflow = {
        "type": "overflow",
        "action_id": "customer.more",
        "options": [b.option("Mark lost", "lost"), b.option("Lock", "lock")],
    }
    level = b.static_select(
        "customer.level",
        [b.option("A · key", "3:A"), b.option("B · regular", "3:B")],
        placeholder="Set level",
    )
    delete = b.button("Delete", "customer.delete", "3", style="danger")
    delete["confirm"] = {
        "title": b.plain("Delete Acme?"),
        "text": b.plain("This cannot be undone."),
        "confirm": b.plain("Delete"),
        "deny": b.plain("Keep"),
    }
    return b.message(
        "Customer Acme Trading",
        [
            b.header("Acme Trading"),
            b.fields(
                "*Owner*\n<@U0MEI>",
                "*Level*\nA · key",
                "*Stage*\nprospect",
                "*Next follow-up*\n<!date^1796000000^{date_short}|Dec 2, 2026>",
                "*Products of interest*\nsteel coils, stainless sheets, aluminium profiles, and more",
            ),
            b.section("*Contact* Mr Zhang · 13800138000", accessory=overflow),
            b.context(":lock: Locked by <@U0LI>: never recycled."),
            b.divider(),
            b.actions(
                b.button("Log visit", "visit.open", "3", style="primary"),
                level,
                b.date_picker("customer.snooze", date(2026, 12, 2)),
                delete,
                block_id="card.3",
            ),
        ],
    )


def test_a_customer_card_shows_fields_in_two_columns_and_numbers_its_accessory_and_buttons():
    card = customer_card()
    rendered = render_message(card, names=names)
    assert lines(rendered)[:2] == ["Acme Trading", "━" * len("Acme Trading")]
    assert "bold" in styles_of(rendered, "Acme Trading")
    assert "Owner" + " " * 35 + "Level" in lines(rendered)
    assert "@mei" + " " * 36 + "A · key" in lines(rendered)
    assert "Dec 2, 2026" in lines(rendered)[5]  # a date shows its fallback
    # a field too wide for a column goes on lines of its own
    assert "steel coils, stainless sheets, aluminium profiles, and more" in lines(rendered)
    assert "Contact Mr Zhang · 13800138000  [1] ⋯ ▾" in lines(rendered)
    assert "🔒 Locked by @li: never recycled." in lines(rendered)
    assert "─" * 40 in lines(rendered)
    assert lines(rendered)[-1] == "[2] Log visit  [3] Set level ▾  [4] 2026-12-02 ▾  [5] Delete"
    assert [c.label for c in rendered.controls] == ["⋯", "Log visit", "Set level", "2026-12-02", "Delete"]
    assert [c.block_id for c in rendered.controls][1:] == ["card.3"] * 4
    assert rendered.controls[4].element["confirm"]["deny"]["text"] == "Keep"  # the session asks before
    assert "red" in styles_of(rendered, "Delete")
    assert "dim" in styles_of(rendered, "Locked by")


def test_numbers_can_continue_from_an_earlier_message_on_the_same_screen():
    rendered = render_message(customer_card(), names=names, first_number=7)
    assert [c.number for c in rendered.controls] == [7, 8, 9, 10, 11]
    assert "[7] ⋯ ▾" in rendered.text.plain
    assert "[11] Delete" in rendered.text.plain
    every_button_shown_with_its_number(rendered)


def test_a_message_with_only_text_shows_its_text_as_mrkdwn():
    rendered = render_message({"text": ":white_check_mark: *Acme* is yours, <@U0MEI>."}, names=names)
    assert rendered.text.plain == "✅ Acme is yours, @mei."
    assert rendered.controls == []
    assert rendered.fields == []


def test_empty_blocks_fall_back_to_the_text_and_attachments_are_ignored():
    message = {"text": "Saved.", "blocks": [], "attachments": [{"text": "old style"}]}
    assert render_message(message, names=names).text.plain == "Saved."


def test_an_image_shows_its_alt_text():
    message = {
        "text": "chart",
        "blocks": [
            {"type": "image", "image_url": "https://x/chart.png", "alt_text": "visits per week"},
            b.context("made by Tidewater"),
        ],
    }
    assert lines(render_message(message, names=names))[0] == "[image: visits per week]"


def test_plain_output_without_colour_carries_every_meaning():
    shown = printed(render_message(customer_card(), names=names))
    assert "[5] Delete" in shown
    assert "[3] Set level ▾" in shown
    assert "\x1b" not in shown


# -- modals ------------------------------------------------------------------------------------------
def visit_form() -> dict[str, Any]:
    customer = b.external_select(
        "customer.pick",
        initial=b.option("Acme Trading · Shanghai", "3"),
        placeholder="Type part of the name",
    )
    kinds = [b.option("call", "call"), b.option("on-site visit", "on_site")]
    return b.modal(
        title="Log a visit",
        blocks=[
            b.section("Log what happened; the follow-up date is suggested."),
            b.input_block("customer", "Customer", customer, dispatch_action=True),
            b.input_block("kind", "Type", b.static_select("kind", kinds, placeholder="Choose a type")),
            b.input_block("visited_on", "Date", b.date_picker("visited_on", date(2026, 11, 23))),
            b.input_block(
                "note",
                "Note",
                b.text_input("note", multiline=True, max_length=3000, placeholder="What was said"),
                optional=True,
            ),
            b.input_block(
                "next_follow_up.3",
                "Next follow-up",
                b.date_picker("next_follow_up"),
                optional=True,
                hint="Suggested from the customer's level.",
            ),
        ],
        callback_id="visit.log",
        submit="Log visit",
        close="Cancel",
    )


def test_a_modal_shows_its_title_its_inputs_as_numbered_form_lines_and_its_buttons():
    rendered = render_view(visit_form(), names=names)
    assert lines(rendered) == [
        "Log a visit",
        "═" * 40,
        "Log what happened; the follow-up date is suggested.",
        "  (1) Customer*: Acme Trading · Shanghai ▾",
        "  (2) Type*: ‹Choose a type› ▾",
        "  (3) Date*: 2026-11-23 ▾",
        "  (4) Note: ‹What was said›",
        "  (5) Next follow-up: ‹pick a date› ▾",
        "      Suggested from the customer's level.",
        "─" * 40,
        "[Enter] Log visit · Cancel",
    ]
    assert rendered.controls == []
    assert [(f.block_id, f.label, f.optional, f.dispatches) for f in rendered.fields] == [
        ("customer", "Customer", False, True),
        ("kind", "Type", False, False),
        ("visited_on", "Date", False, False),
        ("note", "Note", True, False),
        ("next_follow_up.3", "Next follow-up", True, False),
    ]
    assert rendered.fields[4].hint == "Suggested from the customer's level."
    assert rendered.fields[3].element["multiline"] is True
    assert "dim" in styles_of(rendered, "‹Choose a type›")


def test_typed_values_override_what_the_bot_preset_and_errors_show_under_their_field():
    rendered = render_view(
        visit_form(),
        names=names,
        values={"customer": "Beta & Co", "note": "Wants [bold]samples[/]", "visited_on": ""},
        errors={"visited_on": "The date cannot be in the future.", "nowhere": "Slack refuses this"},
    )
    shown = lines(rendered)
    assert "  (1) Customer*: Beta & Co ▾" in shown
    assert "  (4) Note: Wants [bold]samples[/]" in shown  # what people type is never markup
    assert "  (3) Date*: ‹pick a date› ▾" in shown  # cleared: the preset date no longer shows
    error_line = shown.index("      ⚠ The date cannot be in the future.")
    assert error_line == shown.index("  (3) Date*: ‹pick a date› ▾") + 1
    assert "red" in styles_of(rendered, "The date cannot be in the future.")
    assert "⚠ nowhere: Slack refuses this" in shown  # an error for no field is not lost


def test_the_bots_own_field_errors_render_under_the_field():
    reply: dict[str, Any] = {
        "response_action": "errors",
        "errors": {"description": "Describe the complaint."},
    }
    form = b.modal(
        title="File a complaint",
        blocks=[b.input_block("description", "What happened", b.text_input("description", multiline=True))],
        callback_id="complaint.file",
        submit="File",
    )
    shown = lines(render_view(form, names=names, errors=reply["errors"]))
    assert shown[2:4] == ["  (1) What happened*: ‹empty›", "      ⚠ Describe the complaint."]
    assert shown[-1] == "[Enter] File · Cancel"  # Slack's default close text


def test_settings_like_inputs_show_their_initial_values():
    channel = {"type": "conversations_select", "action_id": "pool_channel", "initial_conversation": "C0POOL"}
    switch = {"type": "checkboxes", "action_id": "dealt_exempt", "options": [b.option("Yes", "on")]}
    owner = {"type": "users_select", "action_id": "owner", "initial_user": "U0LI"}
    radio = {
        "type": "radio_buttons",
        "action_id": "band",
        "options": [b.option("watch", "w"), b.option("critical", "c")],
        "initial_option": b.option("critical", "c"),
    }
    form = b.modal(
        title="Settings",
        blocks=[
            b.header("Claims and locks"),
            b.input_block(
                "cap",
                "Customers one rep may hold",
                {
                    "type": "number_input",
                    "action_id": "cap",
                    "is_decimal_allowed": False,
                    "initial_value": "200",
                },
            ),
            b.input_block(
                "at", "Reminders at", {"type": "timepicker", "action_id": "at", "initial_time": "09:00"}
            ),
            b.input_block("pool_channel", "Pool channel", channel, optional=True),
            b.input_block("dealt_exempt", "Never recycle who ordered", switch, optional=True),
            b.input_block("owner", "Owner", owner),
            b.input_block("band", "Band", radio),
        ],
        callback_id="settings",
        submit="Save",
        close="Cancel",
    )
    shown = lines(render_view(form, names=names))
    assert shown[2:4] == ["Claims and locks", "━" * len("Claims and locks")]
    assert shown[4:] == [
        "  (1) Customers one rep may hold*: 200",
        "  (2) Reminders at*: 09:00 ▾",
        "  (3) Pool channel: #customer-pool ▾",
        "  (4) Never recycle who ordered: ☐ Yes",
        "  (5) Owner*: @li ▾",
        "  (6) Band*: ○ watch  ◉ critical",
        "─" * 40,
        "[Enter] Save · Cancel",
    ]


def test_buttons_in_a_modal_are_controls_and_a_modal_without_submit_shows_only_close():
    pager = b.actions(
        b.button("‹ Newer", "home.page", '{"o":0}'), b.button("Older ›", "home.page", '{"o":40}')
    )
    view = b.modal(
        title="Overdue follow-ups",
        blocks=[b.context("21–40 of 45"), b.section("Late 20 · level B"), pager],
        callback_id="home.list",
        close="Close",
    )
    rendered = render_view(view, names=names, first_number=3)
    assert [(c.number, c.label) for c in rendered.controls] == [(3, "‹ Newer"), (4, "Older ›")]
    assert lines(rendered)[-3:] == ["[3] ‹ Newer  [4] Older ›", "─" * 40, "Close"]
    assert rendered.fields == []


# -- Home --------------------------------------------------------------------------------------------
def test_the_home_tab_has_a_heading_and_numbered_buttons():
    view = b.home(
        [
            b.header("Your customers"),
            b.actions(
                b.button("Log visit", "visit.open", style="primary"), b.button("New customer", "customer.new")
            ),
            b.context("Claims left today: 10 · customers held: 0 of 200"),
            b.divider(),
            b.section("*Overdue follow-ups* (2)", accessory=b.button("See all", "home.see_all", "overdue")),
            b.section("*Acme* · follow-up Nov 20", accessory=b.button("Log visit", "visit.open", "3")),
            b.section("*Beta* · follow-up Nov 21", accessory=b.button("Log visit", "visit.open", "4")),
        ]
    )
    rendered = render_view(view, names=names)
    assert lines(rendered) == [
        "Home",
        "═" * 40,
        "Your customers",
        "━" * len("Your customers"),
        "[1] Log visit  [2] New customer",
        "Claims left today: 10 · customers held: 0 of 200",
        "─" * 40,
        "Overdue follow-ups (2)  [3] See all",
        "Acme · follow-up Nov 20  [4] Log visit",
        "Beta · follow-up Nov 21  [5] Log visit",
    ]
    assert rendered.fields == []
    assert [c.element.get("value") for c in rendered.controls] == [None, None, "overdue", "3", "4"]


def test_an_input_block_on_the_home_is_a_control():
    picker = b.static_select("home.filter", [b.option("Mine", "mine")], placeholder="Show")
    view = b.home([b.input_block("filter", "Filter", picker, dispatch_action=True)])
    rendered = render_view(view, names=names)
    assert lines(rendered)[-1] == "Filter: [1] Show ▾"
    assert rendered.controls[0].block_id == "filter"
    assert rendered.fields == []


# -- mrkdwn ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("Assigned to <@U0MEI> by <@U0NOBODY>", "Assigned to @mei by @U0NOBODY"),
        (
            "Posted in <#C0POOL>, <#C0X|complaints> and <#C0Y>",
            "Posted in #customer-pool, #complaints and #C0Y",
        ),
        (
            "See <https://example.com/a_b_c|the guide> or <https://example.com>",
            "See the guide (https://example.com/a_b_c) or https://example.com",
        ),
        ("Write to <mailto:ops@example.com|ops@example.com>", "Write to ops@example.com"),
        ("Due <!date^1796000000^{date_short}|Dec 2, 2026>", "Due Dec 2, 2026"),
        ("Ask <!subteam^S0SALES|@sales>", "Ask @sales"),
        ("Acme &lt;!channel&gt; &amp; Co", "Acme <!channel> & Co"),  # escaped by the bot: shows as typed
        ("&amp;lt;b&amp;gt;", "&lt;b&gt;"),  # decoded once, never twice
        ("[bold]Acme[/] *[red]x[/red]*", "[bold]Acme[/] [red]x[/red]"),
        ("*bold _both_* and ~gone~", "bold both and gone"),
        ("snake_case_name and 2*3*4 and a * b * c", "snake_case_name and 2*3*4 and a * b * c"),
        ("run `a_b *c*` now", "run a_b *c* now"),
        ("before ```x = <@U0MEI> *y*``` after", "before \nx = <@U0MEI> *y*\n after"),
        ("> quoted *line*\n&gt; not a quote", "│ quoted line\n> not a quote"),
        (":tada: :lock: :no_such_emoji: at 10:00+08:00", "🎉 🔒 :no_such_emoji: at 10:00+08:00"),
        ("*unclosed and_ half", "*unclosed and_ half"),
    ],
)
def test_mrkdwn_reads_as_slack_shows_it(source, shown):
    assert mrkdwn(source, names).plain == shown


def test_mrkdwn_nests_emphasis_and_styles_mentions():
    text = mrkdwn("*bold _both_ bold* <@U0MEI>", names)
    spans = {(text.plain[s.start : s.end], str(s.style)) for s in text.spans}
    assert {("bold ", "bold"), ("both", "bold italic"), (" bold", "bold"), ("@mei", "cyan")} <= spans


def test_mrkdwn_never_reads_rich_markup_in_peoples_text():
    text = mrkdwn("[bold red]Acme[/] [link=https://evil]x[/link]", names)
    assert text.plain == "[bold red]Acme[/] [link=https://evil]x[/link]"
    assert text.spans == []


def test_option_and_element_labels():
    select = b.static_select(
        "level", [b.option("A · key", "A"), b.option("B", "B")], initial="A", placeholder="Level"
    )
    assert option_label(b.option("Acme &amp; Co :tada:", "1")) == "Acme & Co 🎉"
    assert element_label(b.button("Claim", "pool.claim")) == "Claim"
    assert element_label(select) == "A · key"  # its initial option
    assert element_label(b.static_select("level", [], placeholder="Level")) == "Level"
    assert element_label(b.date_picker("on")) == "pick a date"
    assert element_label(b.date_picker("on", date(2026, 12, 2))) == "2026-12-02"
    assert element_label({"type": "users_select", "action_id": "u", "initial_user": "U0LI"}) == "@U0LI"


# -- payloads from the running app -------------------------------------------------------------------
def test_a_real_pool_page_renders_every_claim_button_with_its_number(slack, env):
    builders.customer(env, "Acme <!channel> [bold]Trading[/]", owner=None, region="Shanghai")
    builders.customer(env, "Beta & Co", owner=None)
    reply = slack.command(REP, "/pool")
    rendered = render_message(reply.json, names=names, first_number=4)
    every_button_shown_with_its_number(rendered)
    assert [c.element["action_id"] for c in rendered.controls] == ["pool.claim", "pool.claim", "pool.filter"]
    assert [c.number for c in rendered.controls] == [4, 5, 6]
    assert "Acme <!channel> [bold]Trading[/] · B" in rendered.text.plain
    assert "Beta & Co" in rendered.text.plain


def test_a_real_customer_card_renders_with_names_and_every_control(slack, standin, env):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP, region="Shanghai", tags="vip")
    slack.button(REP, Action.CUSTOMER_VIEW, str(acme.id))
    card = standin.wait_for_response(f"btn-{REP}")[-1]
    rendered = render_message(card, names=names)
    every_button_shown_with_its_number(rendered)
    assert lines(rendered)[0] == "Acme Trading"
    assert "Owner: @mei" in rendered.text.plain
    assert "<@" not in rendered.text.plain
    labels = [c.label for c in rendered.controls]
    assert labels[:3] == ["Log visit", "Log order", "Release"]
    assert "Set level" in labels
    assert "[4] Set level ▾" in rendered.text.plain


def test_a_real_home_and_a_real_form_with_the_bots_errors(slack, standin, env):
    team(env)
    builders.customer(env, "Acme Trading", owner=REP)
    slack.open_home(REP)
    home = render_view(standin.last("views.publish")["view"], names=names)
    every_button_shown_with_its_number(home)
    assert lines(home)[0] == "Home"
    assert "Your customers" in home.text.plain
    seen = standin.count("views.open")
    slack.command(REP, "/complaint", "Acme")
    form = standin.next_call("views.open", after=seen)["view"]
    reply = slack.submit(REP, form, {"category": "quality", "severity": "low", "description": ""})
    rendered = render_view(form, names=names, errors=reply.json["errors"])
    shown = lines(rendered)
    assert shown[0] == "File a complaint"
    assert shown[-1] == "[Enter] File · Cancel"
    assert "  (1) Customer*: Acme Trading ▾" in shown
    description = next(i for i, line in enumerate(shown) if "What happened*" in line)
    assert shown[description + 1].strip().startswith("⚠ ")
    assert [f.block_id for f in rendered.fields][:2] == ["customer", "category"]


def test_no_console_markup_is_ever_parsed(slack, env):
    """The rendered text printed with markup on still shows the brackets people typed."""
    builders.customer(env, "[bold]Acme[/bold]", owner=None)
    rendered = render_message(slack.command(REP, "/pool").json, names=names)
    assert "[bold]Acme[/bold] · B" in printed(rendered)
