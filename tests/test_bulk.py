"""Bulk import, export and backup from the command line (bot.services.bulk and `python -m bot ...`)."""

from __future__ import annotations

import csv
import io
import sqlite3
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col

from bot.__main__ import main
from bot.rules import csv_rows, names
from bot.services import bulk, opportunities
from bot.services.customers import search
from bot.services.opportunities import OpportunityDraft
from bot.services.orders import OrderDraft, log_order
from bot.services.people import Actor
from bot.services.visits import VisitDraft, log_visit
from store import bulk as store_bulk
from store.db import create_db_engine
from store.models import Customer, Person
from tests import builders
from tests.conftest import NOW, OTHER_REP, POSTGRES_URL, REP

TODAY = date(2026, 11, 23)
ENGLISH = "name,contact_person,phone,email,region,industry,products,tags,source,level,owner"
CHINESE = "客户名称,联系人,电话,邮箱,地区,行业,产品,标签,来源,等级,负责人"
GONE = "U0GONE"


@pytest.fixture
def team(env):
    """Mei (by id) and Li (by e-mail) own customers; Gone was deactivated in Slack."""
    builders.person(env, REP, name="Mei")
    builders.person(env, OTHER_REP, name="Li")
    builders.person(env, GONE, name="Gone")
    with env.db.session() as session:
        for user_id, email in ((REP, "mei@example.com"), (OTHER_REP, "Li@Example.com")):
            session.execute(sa.update(Person).where(col(Person.user_id) == user_id).values(email=email))
        session.execute(sa.update(Person).where(col(Person.user_id) == GONE).values(is_deleted=True))
    return env


def write(path: Path, header: str, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding=encoding)
    return path


def run(env, kind: str, path: Path, **options) -> bulk.ImportReport:
    workspace = bulk.workspace_for(env, None)
    return bulk.import_file(env, kind, path, workspace=workspace, options=bulk.ImportOptions(**options))


def customers(env) -> dict[str, Customer]:
    with env.db.session() as session:
        return {c.name: c for c in session.query(Customer).all()}


def snapshot(env) -> dict[str, list[tuple]]:
    tables = ("customer", "customer_term", "customer_order", "visit")
    with env.db.engine.connect() as connection:
        return {
            table: sorted(map(tuple, connection.execute(sa.text(f"SELECT * FROM {table}")).all()), key=repr)
            for table in tables
        }


def outcomes(report: bulk.ImportReport) -> dict[int, str]:
    return {outcome.line: f"{outcome.status}: {outcome.reason}" for outcome in report.outcomes}


# -- A large file -------------------------------------------------------------------------------------

BAD_LINES = [
    (",Someone {n},,,,,,,,,", "name: Give the customer a name"),
    ("Firma {n},,,not-an-email,,,,,,,", "email: That does not look like an e-mail address"),
    ("Firma {n},,12,,,,,,,,", "phone: That does not look like a phone number"),
    ("Firma {n},,,,,,,,,D,", "level: The level must be A, B or C"),
    ("Firma {n},,,,,,,,,,U0NOBODY", "owner: nobody in this workspace has the Slack user id U0NOBODY"),
    ("Firma {n},,,,,,,,,,who@example.com", "owner: nobody in this workspace has the e-mail who@example.com"),
    ("Firma {n},,,,,,,,,,U0GONE", "owner: Gone (U0GONE) is deactivated"),
    ("Firma {n},,,,,,,,,,,,extra", "13 cells but the header has 11"),
    ("x" * 151 + "{n},,,,,,,,,,", "name: This is too long: at most 150 characters"),
]


def big_file(path: Path, rows: int, every: int) -> tuple[Path, dict[int, str], Counter[str | None]]:
    """`rows` lines: good ones owned by id, by e-mail or in the pool, and a bad one every `every` lines."""
    owners = (REP, "li@example.com", "")
    lines, expected, owned = [], {}, Counter[str | None]()
    for n in range(rows):
        line = n + 2  # the header is line 1
        if n % every == every - 1:
            text, reason = BAD_LINES[(n // every) % len(BAD_LINES)]
            lines.append(text.format(n=f"{n:06d}"))
            expected[line] = reason
        else:
            level = "ABC"[n % 3]
            lines.append(
                f"Firma {n:06d},Contact {n},138{n:08d},c{n}@example.com,上海,,,,,{level},{owners[n % 3]}"
            )
            owned[(REP, OTHER_REP, None)[n % 3]] += 1
    return write(path, ENGLISH, lines), expected, owned


def test_a_100000_line_file_is_imported_and_every_bad_line_reported_with_its_number(team, tmp_path):
    path, expected, owned = big_file(tmp_path / "big.csv", 100_000, every=333)
    started = time.perf_counter()
    report = run(team, "customers", path)
    elapsed = time.perf_counter() - started
    assert report.committed
    assert report.lines == 100_000
    assert len(expected) == 300
    assert report.added == 100_000 - 300
    assert {o.line for o in report.outcomes} == set(expected)
    for outcome in report.outcomes:
        assert outcome.status == "rejected"
        assert expected[outcome.line] in outcome.reason
    with team.db.engine.connect() as connection:
        counts = connection.execute(
            sa.text("SELECT owner_id, COUNT(*) FROM customer GROUP BY owner_id ORDER BY owner_id")
        ).all()
    assert dict(counts) == owned
    assert elapsed < 60, f"100,000 lines took {elapsed:.0f} s"


def test_a_database_error_half_way_leaves_the_database_exactly_as_it_was(team, tmp_path, monkeypatch):
    builders.customer(team, "Firma 000004", owner=REP)
    before = snapshot(team)
    path, _, _ = big_file(tmp_path / "some.csv", 5000, every=100)
    calls = []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 8:  # terms, orders and visits go through insert_rows: this is the 8th batch's
            raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))
        original(**kwargs)

    original = store_bulk.insert_rows
    monkeypatch.setattr(store_bulk, "insert_rows", failing)
    with pytest.raises(
        bulk.BulkError, match=r"lines \d+-\d+ \(disk I/O error\): the whole import was rolled back"
    ):
        run(team, "customers", path, batch_size=500)
    assert snapshot(team) == before


def test_strict_writes_nothing_when_a_line_is_rejected(team, tmp_path):
    before = snapshot(team)
    path = write(tmp_path / "c.csv", ENGLISH, ["Acme,,,,,,,,,,", "Bad,,,oops,,,,,,,", "Blue,,,,,,,,,,"])
    report = run(team, "customers", path, strict=True)
    assert not report.committed
    assert report.aborted == "--strict is on and 1 line was rejected"
    assert outcomes(report) == {
        3: "rejected: email: That does not look like an e-mail address (name@example.com)."
    }
    assert snapshot(team) == before
    assert run(team, "customers", path).committed
    assert set(customers(team)) == {"Acme", "Blue"}


def test_a_dry_run_writes_nothing_and_reports_what_the_import_would(team, tmp_path):
    builders.customer(team, "Acme Trading", owner=REP)
    before = snapshot(team)
    path = write(
        tmp_path / "c.csv", ENGLISH, ["Acme Trading Co.,,,,,,,,,,", "Blue,,,,,,,,,,", "BLUE,,,,,,,,,,"]
    )
    dry = run(team, "customers", path, dry_run=True)
    assert not dry.committed
    assert dry.added == 1
    assert snapshot(team) == before
    real = run(team, "customers", path)
    assert real.committed
    assert outcomes(real) == outcomes(dry)
    assert real.added == dry.added


# -- Duplicates and owners -----------------------------------------------------------------------------


def test_duplicates_are_skipped_naming_the_owner_the_pool_or_the_earlier_line(team, tmp_path):
    acme = builders.customer(team, "Acme Trading Ltd", owner=REP)
    harbor = builders.customer(team, "Blue Harbor", owner=None, phone="021-5555 0101")
    path = write(
        tmp_path / "c.csv",
        ENGLISH,
        [
            "ACME Trading Co.，Ltd.,,,,,,,,,,",  # the same key: case, punctuation and suffix aside
            "Harbor Blue,,+86 21 5555 0101,,,,,,,,",  # another name, the same phone
            "Zeta,,,,,,,,,,",
            "zeta ltd,,,,,,,,,,",
        ],
    )
    report = run(team, "customers", path)
    assert outcomes(report) == {
        2: f"duplicate: duplicate of “Acme Trading Ltd” (#{acme.id}, owned by Mei (U0MEI)), same name",
        3: f"duplicate: duplicate of “Blue Harbor” (#{harbor.id}, in the pool), same phone",
        5: "duplicate: duplicate of line 4 “Zeta” (in the pool), same name",
    }
    assert report.added == 1
    assert len(customers(team)) == 3


def test_a_duplicate_in_an_earlier_batch_names_its_line(team, tmp_path):
    path = write(tmp_path / "c.csv", ENGLISH, ["Zeta,,,,,,,,,,", "Other,,,,,,,,,,", "ZETA,,,,,,,,,,"])
    report = run(team, "customers", path, batch_size=1)
    assert outcomes(report) == {4: "duplicate: duplicate of line 2 “Zeta” (in the pool), same name"}


def test_merge_fills_only_the_empty_fields_of_the_customer_already_there(team, tmp_path):
    acme = builders.customer(team, "Acme Trading", owner=REP, contact_person="Wang", region="上海")
    path = write(
        tmp_path / "c.csv",
        ENGLISH,
        [
            "Acme Trading,Li,138 0013 8000,ops@acme.example,北京,Machinery,,,,A,",
            "acme trading,Zhao,,,,,,vip,,,",
            "Zeta,,,,,,,,,,",
            "Zeta,Kim,,,,,,,,,",
        ],
    )
    report = run(team, "customers", path, on_duplicate="merge")
    assert outcomes(report) == {
        2: f"merged: merged into “Acme Trading” (#{acme.id}, owned by Mei (U0MEI)), same name: "
        "filled phone, email, industry",
        3: f"merged: merged into “Acme Trading” (#{acme.id}, owned by Mei (U0MEI)), same name: filled tags",
        5: "merged: merged into line 4 “Zeta” (in the pool), same name: filled contact_person",
    }
    merged, zeta = customers(team)["Acme Trading"], customers(team)["Zeta"]
    assert (merged.contact_person, merged.region, merged.level) == ("Wang", "上海", "B"), "never overwritten"
    assert (merged.phone, merged.email, merged.industry, merged.tags) == (
        "138 0013 8000",
        "ops@acme.example",
        "Machinery",
        "vip",
    )
    assert merged.phone_key == names.phone_key("138 0013 8000", "CN")
    assert zeta.contact_person == "Kim"


def test_owners_by_slack_id_or_email_and_the_pool_for_the_others(team, tmp_path):
    path = write(
        tmp_path / "c.csv",
        ENGLISH,
        [
            "Mine,,,,,,,,,,u0mei",
            "Lis,,,,,,,,,,LI@example.COM",
            "Pooled,,,,,,,,,b,",
            "Bad,,,,,,,,,,Li",
            "Also pooled,,,,,,,,,,公海",
        ],
    )
    report = run(team, "customers", path)
    assert outcomes(report) == {
        5: "rejected: owner: 'Li' is neither a Slack user id (U…) nor an e-mail address"
    }
    rows = customers(team)
    mine, lis, pooled = rows["Mine"], rows["Lis"], rows["Pooled"]
    assert (mine.owner_id, lis.owner_id, pooled.owner_id, rows["Also pooled"].owner_id) == (
        REP,
        OTHER_REP,
        None,
        None,
    )
    assert mine.owned_since == mine.recycle_clock_from == NOW
    assert mine.pool_since is None
    assert pooled.pool_since == NOW
    assert pooled.owned_since is None
    assert pooled.recycle_clock_from is None
    assert (mine.level, pooled.level, mine.created_by) == ("C", "B", "import")
    hits = {c.name for c in search(team, workspace_id=builders.WORKSPACE, query="Pool")}
    assert hits == {"Pooled", "Also pooled"}, "the type-ahead finds imported customers (their search terms)"


# -- Encodings and headers -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_chinese_files_from_spreadsheet_tools_with_chinese_headers(team, tmp_path, encoding):
    path = write(
        tmp_path / "c.csv",
        CHINESE,
        ["上海华东贸易有限公司,王伟,13800138000,wang@example.com,上海,化工,,,展会,A,U0MEI"],
        encoding,
    )
    report = run(team, "customers", path)
    assert report.encoding == ("gb18030" if encoding == "gb18030" else "utf-8-sig")
    assert report.added == 1
    row = customers(team)["上海华东贸易有限公司"]
    assert (row.contact_person, row.region, row.industry, row.source, row.level, row.owner_id) == (
        "王伟",
        "上海",
        "化工",
        "展会",
        "A",
        REP,
    )


def test_an_encoding_can_be_named_and_a_wrong_one_is_a_clear_error(team, tmp_path):
    path = write(tmp_path / "c.csv", CHINESE, ["华南机械,,,,,,,,,,"], "gb18030")
    assert run(team, "customers", path, encoding="GBK").added == 1
    with pytest.raises(bulk.BulkError, match="not utf-8"):
        run(team, "customers", path, encoding="utf-8")
    with pytest.raises(bulk.BulkError, match="unknown encoding"):
        run(team, "customers", path, encoding="klingon")


def test_a_file_without_the_name_column_is_refused_whole(team, tmp_path):
    with pytest.raises(bulk.BulkError, match="no column for name"):
        run(team, "customers", write(tmp_path / "c.csv", "company,phone", ["Acme,123456"]))
    with pytest.raises(bulk.BulkError, match="empty"):
        run(team, "customers", write(tmp_path / "e.csv", "", []))
    with pytest.raises(bulk.BulkError, match="there is no file"):
        run(team, "customers", tmp_path / "missing.csv")


# -- Orders and visits -----------------------------------------------------------------------------------


def actor(user_id: str) -> Actor:
    return Actor(builders.WORKSPACE, user_id, user_id, "rep", None, "Asia/Shanghai", "en")


FACTS = ("dealt_at", "stage", "first_order_on", "last_order_on", "order_count")


def test_orders_keep_the_deal_and_order_facts_as_logging_them_in_the_app_would(team, tmp_path):
    imported = builders.customer(team, "Acme Trading", owner=REP)
    logged = builders.customer(team, "Twin Logged", owner=REP)
    builders.customer(team, "Same Name", owner=REP)
    builders.customer(team, "Same Name Ltd", owner=OTHER_REP)
    orders = [
        ("1,200.50", "", "", "2026-10-02"),
        ("99", "USD", "7.1", "2026/11/20"),
        ("5", "", "", "2026-09-30"),
    ]
    header, missing = "customer,customer_id,amount,currency,rate,date,product", (logged.id or 0) + 100
    lines = [f'Acme Trading,,"{a}",{c},{r},{d},Widgets' for a, c, r, d in orders]
    lines += [
        f",{missing},5,,,2026-11-01,",
        "Nobody,,5,,,2026-11-01,",
        "same name,,5,,,2026-11-01,",
        "Acme Trading,,5,USD,,2026-11-01,",
        "Acme Trading,,-5,,,2026-11-01,",
        "Acme Trading,,5,,,2027-01-01,",
        "Acme Trading,,5,,,,",
    ]
    report = run(team, "orders", write(tmp_path / "o.csv", header, lines))
    assert outcomes(report) == {
        5: f"rejected: customer_id: there is no customer #{missing} in this workspace",
        6: "rejected: customer: no customer is named 'Nobody'",
        7: "rejected: customer: 2 customers are named 'same name'; give customer_id instead",
        8: "rejected: rate: Give the rate: how many CNY is one USD?",
        9: "rejected: amount: The amount must be more than zero.",
        10: "rejected: ordered_on: The order date is in the future.",
        11: "rejected: date: missing",
    }
    for amount, currency, rate, day in orders:
        draft = OrderDraft(
            logged.id or 0, amount, currency, date.fromisoformat(day.replace("/", "-")), "Widgets", rate
        )
        log_order(team, actor(REP), draft)
    rows = customers(team)
    assert [getattr(rows["Acme Trading"], f) for f in FACTS] == [
        getattr(rows["Twin Logged"], f) for f in FACTS
    ]
    assert rows["Acme Trading"].order_count == 3
    assert rows["Acme Trading"].stage == "new"
    with team.db.engine.connect() as connection:
        amounts = connection.execute(
            sa.text(
                "SELECT customer_id, amount_minor, currency, rate, amount_base_minor, author_id FROM customer_order"
            )
        ).all()
    mine = sorted(row[1:] for row in amounts if row[0] == imported.id)
    assert mine == sorted(row[1:] for row in amounts if row[0] == logged.id)
    assert (9900, "USD", "7.1", 70290, REP) in mine


def test_orders_of_several_customers_in_one_batch_each_keep_their_own_facts(team, tmp_path):
    for name in ("Acme Trading", "Blue River Foods", "Cedar Works"):
        builders.customer(team, name, owner=REP)
    lines = [
        "Acme Trading,100,2026-10-02",
        "Blue River Foods,200,2026-09-01",
        "Acme Trading,50,2026-11-02",
        "Cedar Works,75,2026-08-15",
    ]
    report = run(team, "orders", write(tmp_path / "o.csv", "customer,amount,date", lines))
    assert report.committed
    assert report.added == 4
    rows = customers(team)
    facts = {
        name: (row.order_count, str(row.first_order_on), str(row.last_order_on), row.stage)
        for name, row in rows.items()
    }
    assert facts == {
        "Acme Trading": (2, "2026-10-02", "2026-11-02", "new"),
        "Blue River Foods": (1, "2026-09-01", "2026-09-01", "new"),
        "Cedar Works": (1, "2026-08-15", "2026-08-15", "new"),
    }


VISIT_FACTS = (
    "last_visit_on",
    "last_satisfaction",
    "last_satisfaction_on",
    "recycle_clock_from",
    "next_follow_up",
)


def test_visits_keep_the_visit_facts_as_logging_them_in_the_app_would(team, tmp_path):
    owned_since = NOW - timedelta(days=90)
    imported = builders.customer(team, "Acme Trading", owner=REP, next_follow_up=TODAY - timedelta(days=3))
    logged = builders.customer(team, "Twin Logged", owner=REP, next_follow_up=TODAY - timedelta(days=3))
    with team.db.session() as session:
        session.execute(sa.update(Customer).values(owned_since=owned_since, recycle_clock_from=owned_since))
    visits = [
        ("U0MEI", "电话", "2026-11-01", "called", "4", ""),
        ("mei@example.com", "on-site", "2026-11-10", "visited", "", "2026-12-20"),
        ("U0MEI", "meeting", "2026-10-01", "older", "2", ""),
    ]
    header = "客户编号,拜访人,方式,日期,备注,满意度,下次跟进"
    lines = [f"#{imported.id},{a},{k},{d},{n},{s},{f}" for a, k, d, n, s, f in visits]
    lines += [f"#{imported.id},,call,2026-11-01,,,", f"#{imported.id},U0MEI,dance,2026-11-01,,,"]
    lines += [f"#{imported.id},U0MEI,call,2026-11-01,,9,", f"#{imported.id},U0MEI,call,2025-01-01,,,"]
    lines += [f"#{imported.id},U0MEI,call,2026-11-01,,4.5,", f"#{imported.id},U0MEI,call,2026-11-02,,5.0,"]
    report = run(team, "visits", write(tmp_path / "v.csv", header, lines))
    assert outcomes(report) == {
        5: "rejected: author: missing (the Slack user id or e-mail of who was in touch)",
        6: "rejected: kind: Choose how you were in touch: call, on-site visit, email, message or meeting.",
        7: "rejected: satisfaction: Satisfaction is a number from 1 to 5.",
        8: "rejected: visited_on: The visit date is more than a year ago.",
        9: "rejected: satisfaction: '4.5' is not a number from 1 to 5",
    }
    for _, kind, day, note, satisfaction, follow_up in [*visits, ("", "call", "2026-11-02", "", "5", "")]:
        draft = VisitDraft(
            logged.id or 0,
            csv_rows.visit_kind(kind),
            date.fromisoformat(day),
            note,
            int(satisfaction) if satisfaction else None,
            date.fromisoformat(follow_up) if follow_up else None,
        )
        log_visit(team, actor(REP), draft)
    rows = customers(team)
    facts = [getattr(rows["Acme Trading"], f) for f in VISIT_FACTS]
    assert facts == [getattr(rows["Twin Logged"], f) for f in VISIT_FACTS]
    assert facts[:3] == [date(2026, 11, 10), 5, date(2026, 11, 2)]
    assert facts[4] == date(2026, 12, 20)


# -- Export ----------------------------------------------------------------------------------------------


def test_export_writes_a_bom_keeps_chinese_and_reads_back_in(team, tmp_path, monkeypatch, capsysbinary):
    monkeypatch.setenv("DATABASE_URL", str(team.db.engine.url.render_as_string(hide_password=False)))
    builders.customer(
        team, "上海华东贸易有限公司", owner=REP, phone="+86 138 0013 8000", contact_person="王伟"
    )
    builders.customer(team, "=HYPERLINK(1)", owner=None)
    out = tmp_path / "customers.csv"
    with pytest.raises(SystemExit) as exit_code:
        main(["export", "customers", "--out", str(out)])
    assert exit_code.value.code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "上海华东贸易有限公司,王伟,'+86 138 0013 8000" in raw.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["上海华东贸易有限公司", "'=HYPERLINK(1)"], "formulas are not run"
    assert rows[0]["owner"] == REP
    assert rows[0]["owner_name"] == "Mei"
    assert rows[1]["pool_since"].endswith("+08:00")
    again = run(team, "customers", out)
    assert again.count("duplicate") == 2, "the export reads back: every line a duplicate"
    assert again.added == 0, "the export reads back: every line a duplicate"
    assert {"id", "owner_name", "stage"} <= set(again.ignored_columns)

    with pytest.raises(SystemExit):
        main(["export", "customers"])
    assert capsysbinary.readouterr().out == raw, "standard output gets the same bytes"


def test_orders_visits_and_complaints_export_with_their_customer(team):
    acme = builders.customer(team, "华东机械", owner=REP)
    log_order(team, actor(REP), OrderDraft(acme.id or 0, "99.5", "USD", TODAY, "泵", "7.1"))
    log_visit(team, actor(REP), VisitDraft(acme.id or 0, "call", TODAY, "多行\n备注", 5))
    workspace = bulk.workspace_for(team, None)
    exported = {}
    for what in bulk.EXPORTS:
        out = io.StringIO()
        assert bulk.export(team, what, out, workspace=workspace) == (
            0 if what in ("complaints", "contacts", "opportunities") else 1
        )
        exported[what] = list(csv.DictReader(io.StringIO(out.getvalue())))
    order, visit = exported["orders"][0], exported["visits"][0]
    assert (order["customer"], order["amount"], order["currency"], order["amount_base"]) == (
        "华东机械",
        "99.50",
        "USD",
        "706.45",
    )
    assert (visit["customer"], visit["author"], visit["note"], visit["date"]) == (
        "华东机械",
        REP,
        "多行\n备注",
        "2026-11-23",
    )


def test_opportunities_export_with_their_customer_stage_and_amounts(team):
    acme = builders.customer(team, "华东机械", owner=REP)
    draft = OpportunityDraft(
        acme.id or 0, "=HYPERLINK(1)", "1200.50", TODAY + timedelta(days=30), "USD", "7.1"
    )
    opened = opportunities.open_opportunity(team, actor(REP), draft)
    opportunities.mark_lost(team, actor(REP), opened.id, seen_version=1, reason_key="price", words="贵了")
    out = io.StringIO()
    assert bulk.export(team, "opportunities", out, workspace=bulk.workspace_for(team, None)) == 1
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["number"], row["customer"], row["stage"], row["probability"]) == (
        "1",
        "华东机械",
        "lost",
        "0",
    )
    assert (row["amount"], row["currency"], row["amount_base"]) == ("1200.50", "USD", "8523.55")
    assert (row["lost_reason"], row["lost_note"], row["owner"]) == ("price", "贵了", REP)
    assert row["title"] == "'=HYPERLINK(1)", "never a formula in a spreadsheet"


# -- The command line, workspaces and backups --------------------------------------------------------------


def test_the_import_command_prints_and_writes_its_report(team, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", str(team.db.engine.url.render_as_string(hide_password=False)))
    path = write(
        tmp_path / "c.csv", CHINESE, ["华南机械,,,,,,,,,,", "坏,,,bad,,,,,,,", "华南机械有限公司,,,,,,,,,,"]
    )
    report = tmp_path / "report.csv"
    with pytest.raises(SystemExit) as exit_code:
        main(["import", "customers", str(path), "--report", str(report), "--team", builders.WORKSPACE])
    printed = capsys.readouterr().out
    assert exit_code.value.code == 0
    assert "line 3: rejected: email: That does not look like an e-mail address" in printed
    assert "line 4: duplicate: duplicate of line 2 “华南机械” (in the pool), same name" in printed
    assert "3 lines (utf-8-sig): 1 added, 0 merged, 1 duplicates skipped, 1 rejected." in printed
    assert ("SQLite: the import is one transaction" in printed) == (not POSTGRES_URL)
    assert report.read_bytes().startswith(b"\xef\xbb\xbfline,status,reason\r\n3,rejected,")

    with pytest.raises(SystemExit) as exit_code:
        main(["import", "customers", str(path), "--strict", "--dry-run"])
    assert exit_code.value.code == 1
    assert "Nothing was written: --strict is on and 1 line was rejected." in capsys.readouterr().out


def test_the_workspace_is_the_only_one_or_named_with_team(team):
    env = team
    assert bulk.workspace_for(env, None).id == builders.WORKSPACE
    assert bulk.workspace_for(env, builders.WORKSPACE.lower()).id == builders.WORKSPACE
    with env.db.session() as session:
        session.execute(sa.text("INSERT INTO workspace (id, name, timezone, country, currency, created_at) "
                                "VALUES ('T0OTHER', 'Other', 'UTC', 'US', 'USD', '2026-01-01 00:00:00')"))  # fmt: skip
    with pytest.raises(
        bulk.BulkError, match=r"2 workspaces: choose one with --team \(T0OTHER \(Other\), T0TIDE\)"
    ):
        bulk.workspace_for(env, None)
    with pytest.raises(bulk.BulkError, match="no workspace T9; workspaces here: T0OTHER"):
        bulk.workspace_for(env, "T9")


def test_without_a_workspace_the_commands_say_so_and_what_to_do(env):
    with pytest.raises(bulk.BulkError, match="no workspace in this database yet") as refused:
        bulk.workspace_for(env, None)
    assert "act on DATABASE_URL (by default tidewater.db in this folder)" in str(refused.value)
    assert "start the bot and use any command once" in str(refused.value)


@pytest.mark.parametrize(
    ("where", "said"),
    [
        (
            "missing/customers.csv",
            "the folder {tmp}/missing does not exist: create it, or give a file in another folder",
        ),
        ("", "{tmp} is a folder: give a file name, such as {tmp}/customers.csv"),
    ],
)
def test_an_export_to_a_place_it_cannot_write_says_so_and_writes_nothing(
    team, tmp_path, monkeypatch, capsys, where, said
):
    monkeypatch.setenv("DATABASE_URL", str(team.db.engine.url.render_as_string(hide_password=False)))
    builders.customer(team, "Acme Trading", owner=REP)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(SystemExit) as exit_code:
        main(["export", "customers", "--out", str(folder / where) if where else str(folder)])
    assert exit_code.value.code == 1
    printed = capsys.readouterr()
    assert f"Nothing was done: {said.format(tmp=folder)}." in printed.err
    assert "Traceback" not in printed.err
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(bool(POSTGRES_URL), reason="the backup copies the embedded SQLite database")
def test_a_backup_taken_while_the_bot_writes_is_consistent(team, tmp_path):
    path, _, _ = big_file(tmp_path / "c.csv", 20_000, every=1000)
    run(team, "customers", path)
    writer_engine = create_db_engine(str(team.db.engine.url))
    stop, written, errors = threading.Event(), list[int](), list[Exception]()

    def keep_writing() -> None:
        try:
            while not stop.is_set():
                with writer_engine.begin() as connection:  # a customer and its search term, together
                    n = len(written)
                    builders_row = {"name": f"Live {n}", "key": f"live{n}"}
                    connection.execute(
                        sa.text(
                            "INSERT INTO customer (workspace_id, name, name_key, contact_person, phone, email, "
                            "region, industry, products, tags, source, level, level_by_hand, stage, lost_reason, "
                            "order_count, created_by, created_at, updated_at) VALUES ('T0TIDE', :name, :key, "
                            "'', '', '', '', '', '', '', '', 'C', false, 'prospect', '', 0, 'test', "
                            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                        ),
                        builders_row,
                    )
                    connection.execute(
                        sa.text(
                            "INSERT INTO customer_term (customer_id, term, workspace_id) "
                            "SELECT MAX(id), :key, 'T0TIDE' FROM customer"
                        ),
                        builders_row,
                    )
                written.append(1)
        except Exception as error:  # asserted to be none below
            errors.append(error)

    thread = threading.Thread(target=keep_writing)
    thread.start()
    while len(written) < 5:
        time.sleep(0.01)
    copies = []
    for number in range(3):
        target = tmp_path / f"backup-{number}.db"
        assert bulk.backup(team, target) == target.stat().st_size
        copies.append(target)
    stop.set()
    thread.join()
    writer_engine.dispose()
    assert errors == []
    assert len(written) > 5
    for copy in copies:
        with sqlite3.connect(copy) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            live, terms = connection.execute(
                "SELECT COUNT(*), (SELECT COUNT(*) FROM customer_term WHERE term LIKE 'live%') "
                "FROM customer WHERE name LIKE 'Live %'"
            ).fetchone()
            assert live == terms, "each customer with its search term: a snapshot, not a mix"
            assert connection.execute("SELECT COUNT(*) FROM customer").fetchone()[0] >= 19_980
    with pytest.raises(bulk.BulkError, match="is the database itself"):
        bulk.backup(team, Path(str(team.db.engine.url.database)))


@pytest.mark.skipif(bool(POSTGRES_URL), reason="the backup copies the embedded SQLite database")
def test_the_backup_command(team, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", str(team.db.engine.url))
    builders.customer(team, "华东机械", owner=REP)
    with pytest.raises(SystemExit) as exit_code:
        main(["backup", str(tmp_path / "copy.db")])
    assert exit_code.value.code == 0
    assert "a consistent copy" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("SELECT name FROM customer").fetchall() == [("华东机械",)]


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL only")
def test_a_backup_of_postgresql_points_to_pg_dump(env, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", env.db.engine.url.render_as_string(hide_password=False))
    with pytest.raises(SystemExit) as exit_code:
        main(["backup", str(tmp_path / "x.db")])
    assert exit_code.value.code == 1
    assert "this one is PostgreSQL: use pg_dump" in capsys.readouterr().err


# -- The CSV rules -----------------------------------------------------------------------------------------


def test_records_carry_the_line_they_start_on_across_quoted_line_breaks_and_blank_lines():
    text = 'name,note\nAcme,"two\nlines"\n\nBlue,x\r\n'
    records = list(csv_rows.read_records(io.StringIO(text, newline="")))
    assert [(r.line, r.cells) for r in records] == [
        (1, ["name", "note"]),
        (2, ["Acme", "two\nlines"]),
        (5, ["Blue", "x"]),
    ]


def test_headers_are_read_in_english_or_chinese_however_they_are_spelled():
    header = ["\ufeffCustomer Name", "Contact-Person *", "电话：", "等级", "负责人", "notes"]
    columns = csv_rows.map_columns(header, "customers")
    assert dict(columns.positions) == {"name": 0, "contact_person": 1, "phone": 2, "level": 3, "owner": 4}
    assert columns.ignored == ["notes"]
    with pytest.raises(csv_rows.BadFile, match="two columns mean name"):
        csv_rows.map_columns(["name", "客户名称"], "customers")
    with pytest.raises(csv_rows.BadFile, match="no column for date, customer or customer_id"):
        csv_rows.map_columns(["amount"], "orders")


@pytest.mark.parametrize(
    ("text", "day"),
    [("2026-11-03", date(2026, 11, 3)), ("2026/1/9", date(2026, 1, 9)), ("2026年11月3日", date(2026, 11, 3)),
     ("2026.11.03 10:30", date(2026, 11, 3)), ("２０２６-11-03", date(2026, 11, 3))],
)  # fmt: skip
def test_days_as_spreadsheets_write_them(text, day):
    assert csv_rows.parse_day(text, "date") == day


@pytest.mark.parametrize("text", ["11/03/2026", "2026-02-30", "soon"])
def test_days_that_are_not_days(text):
    with pytest.raises(csv_rows.RowError, match="date: "):
        csv_rows.parse_day(text, "date")


def test_formula_cells_are_escaped_on_export_and_restored_on_import():
    for text in ("=1+1", "+86 138", "-5", "@SUM(A1)", "plain", "'quoted"):
        assert csv_rows.unescape_cell(csv_rows.escape_cell(text)) == text
    assert csv_rows.escape_cell("=1+1") == "'=1+1"
    assert csv_rows.escape_cell("plain") == "plain"


def test_encodings_are_told_apart_even_when_a_chunk_splits_a_character():
    text = "上海华东".encode()
    assert csv_rows.decodes_as([text[:4], text[4:]], "utf-8-sig")
    assert not csv_rows.decodes_as(["上海华东".encode("gb18030")], "utf-8-sig")
    assert csv_rows.decodes_as(["上海华东".encode("gb18030")], "gb18030")


def test_an_imported_order_wins_back_a_lost_customer(team, tmp_path):
    from bot.services import tiers

    gone = builders.customer(team, "Gone Ltd", owner=REP)
    log_order(team, actor(REP), OrderDraft(gone.id or 0, "10", "", TODAY))
    tiers.mark_lost(team, actor(REP), gone.id or 0, "went elsewhere")
    run(team, "orders", write(tmp_path / "o.csv", "customer,amount,date", ["Gone Ltd,5,2026-11-20"]))
    with team.db.session() as session:
        back = session.get(Customer, gone.id)
    assert back is not None
    assert (back.stage, back.lost_at, back.lost_reason) == ("won_back", None, "")
