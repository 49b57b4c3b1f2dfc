"""Several contacts per customer through signed requests: added from the card, one primary (kept on
the customer's row for lists and search), phones and e-mails only for those who see contact details,
the duplicate check over every contact's phone, corrected, made primary, removed (kept in the history);
and bad input, other people's customers and stale forms changing nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlmodel import col, select

from bot.playground.requests import action_ts
from bot.services import bulk
from bot.views.ids import Action
from store.models import Contact, Customer, CustomerChange, Person
from tests import builders
from tests.conftest import CHINESE_REP, MANAGER, OTHER_REP, REP
from tests.test_followups import team


def add_form(slack, standin, user: str, customer: Customer) -> dict[str, Any]:
    seen = standin.count("views.open")
    assert slack.button(user, Action.CONTACT_ADD, str(customer.id)).status == 200
    return dict(standin.next_call("views.open", after=seen)["view"])


def add(slack, standin, customer: Customer, user: str = REP, **values: Any) -> dict[str, Any]:
    return slack.submit(user, add_form(slack, standin, user, customer), values).json


def menu(slack, user: str, choice: str) -> None:
    option = {"text": {"type": "plain_text", "text": choice}, "value": choice}
    action = {
        "action_id": Action.CONTACT_MENU, "block_id": "b", "type": "overflow",
        "selected_option": option, "action_ts": action_ts(),
    }  # fmt: skip
    assert slack.act(user, action).status == 200


def menu_form(slack, standin, user: str, choice: str) -> dict[str, Any]:
    seen = standin.count("views.open")
    menu(slack, user, choice)
    return dict(standin.next_call("views.open", after=seen)["view"])


def contacts_of(env, customer: Customer) -> list[tuple[str, str, bool]]:
    with env.db.session() as session:
        rows = session.exec(
            select(Contact).where(col(Contact.customer_id) == customer.id).order_by(col(Contact.id))
        ).all()
    return [(row.name, row.phone, row.is_primary) for row in rows]


def contact_id(env, name: str) -> int:
    with env.db.session() as session:
        found = session.exec(select(Contact).where(col(Contact.name) == name)).one()
        return found.id or 0


def stored(env, customer: Customer) -> Customer:
    with env.db.session() as session:
        found = session.get(Customer, customer.id)
        assert found is not None
        session.expunge(found)
        return found


def test_contacts_are_added_one_is_primary_and_the_row_shows_it(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    assert add(slack, standin, acme, name="Tina Zhang", title="Owner", phone="138 0013 8000") == {
        "response_action": "clear"
    }
    assert add(
        slack, standin, acme, name="Li Cai", title="Purchasing", phone="139 1234 5678", note="Orders"
    ) == {"response_action": "clear"}
    assert contacts_of(env, acme) == [
        ("Tina Zhang", "138 0013 8000", True),
        ("Li Cai", "139 1234 5678", False),
    ]
    assert (stored(env, acme).contact_person, stored(env, acme).phone) == ("Tina Zhang", "138 0013 8000")

    card = slack.command(REP, "/customer", "Acme Trading").text
    assert "*Tina Zhang* · Owner · primary" in card
    assert "*Li Cai* · Purchasing\n139 1234 5678\n_Orders_" in card
    assert f"<@{REP}> added the contact “Li Cai”" in card
    colleague = slack.command(OTHER_REP, "/customer", "Acme Trading").text
    assert "*Li Cai* · Purchasing" in colleague
    assert "139 1234" not in colleague, "phones only for those who see contact details"

    menu(slack, REP, f"primary:{contact_id(env, 'Li Cai')}")
    standin.wait_for_response(f"btn-{REP}")
    assert [primary for *_, primary in contacts_of(env, acme)] == [False, True]
    assert (stored(env, acme).contact_person, stored(env, acme).phone_key) == ("Li Cai", "8613912345678")


def test_the_duplicate_check_looks_at_every_contacts_phone(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    add(slack, standin, acme, name="Tina Zhang", phone="138 0013 8000")
    add(slack, standin, acme, name="Li Cai", phone="139 1234 5678")
    view = builders.open_form(slack, standin, "/customer", user=OTHER_REP)
    asked = slack.submit(OTHER_REP, view, {"name": "Zenith Foods", "phone": "139-1234-5678"}).json
    assert asked["response_action"] == "push"
    assert "Acme Trading" in str(asked["view"]["blocks"])


def test_a_contact_is_corrected_and_removed_and_the_history_keeps_it(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    add(slack, standin, acme, name="Tina Zhang", phone="138 0013 8000")
    add(slack, standin, acme, name="Li Cai", phone="139 1234 5678")
    form = menu_form(slack, standin, REP, f"edit:{contact_id(env, 'Tina Zhang')}")
    assert slack.submit(REP, form, {"phone": "138 0013 9999"}).json == {"response_action": "clear"}
    assert stored(env, acme).phone == "138 0013 9999", "the primary contact is the row's"
    stale = slack.submit(MANAGER, form, {"phone": "138 0013 7777"}).json
    assert "Someone changed this contact" in str(stale["errors"])

    removal = menu_form(slack, standin, REP, f"remove:{contact_id(env, 'Tina Zhang')}")
    assert slack.submit(REP, removal, {}).json == {"response_action": "clear"}
    assert contacts_of(env, acme) == [("Li Cai", "139 1234 5678", True)], "the next one becomes primary"
    assert stored(env, acme).contact_person == "Li Cai"
    with env.db.session() as session:
        removed = session.exec(
            select(CustomerChange).where(col(CustomerChange.field) == "contact_removed")
        ).one()
    assert '"phone": "138 0013 9999"' in removed.old_value
    assert (
        f"<@{REP}> removed the contact “Tina Zhang”" in slack.command(REP, "/customer", "Acme Trading").text
    )


def test_editing_the_customers_phone_moves_its_primary_contact_too(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    add(slack, standin, acme, name="Tina Zhang", phone="138 0013 8000")
    seen = standin.count("views.open")
    slack.button(REP, Action.CUSTOMER_EDIT, str(acme.id))
    edit = dict(standin.next_call("views.open", after=seen)["view"])
    slack.submit(REP, edit, {"phone": "138 0013 1111"})
    assert contacts_of(env, acme) == [("Tina Zhang", "138 0013 1111", True)]


def test_only_those_who_may_edit_change_contacts_and_bad_input_changes_nothing(env, slack, standin):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    card = str(slack.command(OTHER_REP, "/customer", "Acme Trading").json)
    assert Action.CONTACT_ADD not in card
    slack.button(OTHER_REP, Action.CONTACT_ADD, str(acme.id))  # a forged press
    assert "can change the contacts of Acme Trading" in str(standin.wait_for_response(f"btn-{OTHER_REP}")[-1])

    form = add_form(slack, standin, REP, acme)
    assert "name" in slack.submit(REP, form, {}).json["errors"], "a name, a phone or an e-mail"
    refused = slack.submit(REP, form, {"name": "x" * 101, "email": "nope", "phone": "12"}).json["errors"]
    assert set(refused) == {"name", "email", "phone"}
    assert contacts_of(env, acme) == []
    add(slack, standin, acme, name="<!channel> & <@U0LI>")
    shown = slack.command(REP, "/customer", "Acme Trading").text
    assert "<!channel>" not in shown
    assert "*&lt;!channel&gt; &amp; &lt;@U0LI&gt;*" in shown


def test_in_chinese_the_contacts_read_as_written(env, slack, standin):
    slack.command(CHINESE_REP, "/crm", "help")
    with env.db.session() as session:
        wang = session.get(Person, (builders.WORKSPACE, CHINESE_REP))
        assert wang is not None
    acme = builders.customer(env, "上海华东贸易有限公司", owner=CHINESE_REP)
    form = add_form(slack, standin, CHINESE_REP, acme)
    assert form["title"]["text"] == "添加联系人"
    slack.submit(CHINESE_REP, form, {"name": "王经理", "title": "采购"})
    card = slack.command(CHINESE_REP, "/customer", "上海华东贸易有限公司").text
    assert "*王经理* · 采购 · 主要联系人" in card
    assert f"<@{CHINESE_REP}> 添加了联系人“王经理”" in card


def test_contacts_are_imported_and_exported_and_read_back_in(env, tmp_path):
    team(env)
    acme = builders.customer(env, "Acme Trading", owner=REP)
    builders.customer(env, "华东机械", owner=OTHER_REP)
    path = tmp_path / "contacts.csv"
    path.write_text(
        "客户,姓名,职务,电话,主要联系人,备注\n"
        "Acme Trading,Tina Zhang,Owner,138 0013 8000,,\n"
        "Acme Trading,Li Cai,Purchasing,139 1234 5678,是,orders\n"
        "华东机械,王经理,采购,,,\n"
        "Nobody Ltd,Ghost,,,,\n"
        "Acme Trading,,,,,\n",
        encoding="utf-8",
    )
    workspace = bulk.workspace_for(env, None)
    report = bulk.import_file(env, "contacts", path, workspace=workspace, options=bulk.ImportOptions())
    assert report.added == 3
    assert {outcome.line for outcome in report.outcomes if outcome.status == "rejected"} == {5, 6}
    assert contacts_of(env, acme) == [
        ("Tina Zhang", "138 0013 8000", False),
        ("Li Cai", "139 1234 5678", True),
    ]
    assert (stored(env, acme).contact_person, stored(env, acme).phone_key) == ("Li Cai", "8613912345678")

    out = io.StringIO()
    assert bulk.export(env, "contacts", out, workspace=workspace) == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["customer"], r["name"], r["primary"]) for r in rows] == [
        ("Acme Trading", "Tina Zhang", "no"), ("Acme Trading", "Li Cai", "yes"), ("华东机械", "王经理", "yes"),
    ]  # fmt: skip
