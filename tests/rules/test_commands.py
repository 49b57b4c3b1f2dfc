from bot.rules.commands import mentioned_users, split_one_line_visit
from bot.rules.followups import follow_up_after_visit, suggested_follow_up


def test_one_line_visit_splits_on_the_first_ascii_or_full_width_colon():
    first = split_one_line_visit("Acme: called: about renewal")
    assert first is not None
    assert (first.customer_query, first.note) == ("Acme", "called: about renewal")
    line = split_one_line_visit("华东贸易：电话沟通续约")
    assert line is not None
    assert (line.customer_query, line.note) == ("华东贸易", "电话沟通续约")
    assert split_one_line_visit("Acme") is None


def test_mentions_are_read_from_escaped_command_text():
    assert mentioned_users("<@U123|mei> add <@U456> <@U123|mei>") == ["U123", "U456"]


def test_follow_up_cadence_by_level():
    from datetime import date

    visit = date(2026, 11, 23)
    assert suggested_follow_up("A", visit) == date(2026, 12, 7)
    assert suggested_follow_up("B", visit) == date(2026, 12, 23)
    assert suggested_follow_up("C", visit) == date(2027, 1, 22)


def test_a_visit_fulfils_a_due_follow_up_and_keeps_a_later_promise():
    from datetime import date

    visit = date(2026, 11, 23)
    assert follow_up_after_visit(current=date(2026, 11, 20), chosen=None, visited_on=visit) is None
    assert follow_up_after_visit(current=date(2026, 12, 1), chosen=None, visited_on=visit) == date(
        2026, 12, 1
    )
    assert follow_up_after_visit(current=None, chosen=date(2027, 1, 1), visited_on=visit) == date(2027, 1, 1)
