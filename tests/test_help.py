from tests.conftest import CHINESE_REP, REP


def test_crm_help_answers_in_the_ack(slack):
    reply = slack.command(REP, "/crm", "help")
    assert reply.status == 200
    assert "/customer" in reply.text
    assert "/visit" in reply.text
    assert reply.problems() == []


def test_empty_and_unknown_input_answer_with_help(slack):
    assert "/visit" in slack.command(REP, "/crm", "").text
    reply = slack.command(REP, "/crm", "frobnicate <!channel>")
    assert reply.status == 200
    assert "frobnicate &lt;!channel&gt;" in reply.text
    assert reply.problems() == []


def test_a_command_the_bot_does_not_handle_yet_answers_with_help(slack):
    reply = slack.command(REP, "/frobnicate", "")
    assert reply.status == 200
    assert "/customer" in reply.text


def test_help_is_in_chinese_for_a_chinese_slack_user(slack):
    reply = slack.command(CHINESE_REP, "/crm", "help")
    assert "客户" in reply.text
