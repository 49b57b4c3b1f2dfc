"""The App Home's first version."""

from datetime import date

from tests import builders
from tests.conftest import OTHER_REP, REP


def test_home_lists_overdue_and_due_today_follow_ups(slack, standin, env):
    builders.customer(env, "Overdue Co", owner=REP, next_follow_up=date(2026, 11, 20))
    builders.customer(env, "Today Co", owner=REP, next_follow_up=date(2026, 11, 23))
    builders.customer(env, "Later Co", owner=REP, next_follow_up=date(2026, 12, 1))
    builders.customer(env, "Not Mine", owner=OTHER_REP, next_follow_up=date(2026, 11, 20))
    slack.open_home(REP)
    published = standin.last("views.publish")
    assert published["user_id"] == REP
    text = str(published["view"]["blocks"])
    assert "Overdue Co" in text and "Today Co" in text
    assert "Later Co" not in text and "Not Mine" not in text
    assert text.index("Overdue follow-ups") < text.index("Overdue Co") < text.index("Follow-ups due today")


def test_home_stays_under_the_block_cap_with_many_customers(slack, standin, env):
    for number in range(150):
        builders.customer(
            env, f"Customer {number:03}", owner=REP, next_follow_up=date(2026, 11, 1 + number % 23)
        )
    slack.open_home(REP)
    view = standin.last("views.publish")["view"]
    assert len(view["blocks"]) <= 100
    assert "and 130 more" in str(view["blocks"]) or "more" in str(view["blocks"])


def test_home_with_nothing_due_says_so(slack, standin):
    slack.open_home(REP)
    assert "Nothing due today" in str(standin.last("views.publish")["view"]["blocks"])


def test_a_customer_added_from_home_is_confirmed_by_direct_message(slack, standin):
    slack.button(REP, "customer.new", view={"id": "VHOME", "type": "home", "blocks": []})
    view = standin.last("views.open")["view"]
    assert slack.submit(REP, view, {"name": "Home Made Ltd"}).json == {"response_action": "clear"}
    message = standin.last("chat.postMessage")
    assert message["channel"] == REP and "Home Made Ltd" in str(message["blocks"])
