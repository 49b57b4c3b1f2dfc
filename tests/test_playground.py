"""The playground replays its tours, in English and in Chinese, through the real app: every feature of
the tour shows in the transcript, nothing the bot sent would be refused by Slack, and no line of the
script went astray (an answer taken for a command, a command taken for an answer)."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from rich.console import Console

from bot.playground import cli
from bot.playground.session import Options, Playground

TOURS = Path(__file__).resolve().parent.parent / "bot" / "playground" / "tours"
START = datetime.fromisoformat("2026-11-23T09:30+08:00")  # a Monday morning in Shanghai

# What each tour must show, in order: the features of the issue, each by a line only it prints.
SHOWN_IN_ORDER = {
    "en": [
        "mei> /customer Acme",
        "Owner: @mei    Level: A · key",  # the card
        "Harbor Lights Trading",  # a new customer
        "Visit logged for Acme Trading (call, Nov 23, 2026).",
        "Visit logged for Northwind Supplies (meeting, Nov 23, 2026).",
        "Order logged for Acme Trading: CN¥18,000.00 · Corrugated boxes (Nov 20, 2026).",
        "#3 Annual packaging contract · Acme Trading",  # the opportunity's card (two are in the sample)
        "Needs analysis · 20%",  # moved along with Next
        "Open opportunities",  # /deal mine
        "@mei corrected an order: the amount from “CN¥18,000.00” to “CN¥180,000.00”",
        "@max merged the duplicate “Harbor Lights” into it",
        "Releasing Acme Trading needs your manager's approval: asked @max.",
        "@max declined releasing Acme Trading: it stays yours.",
        "@mei claimed it from the pool",  # Mei pressed Claim first: the card is hers
        "@mei claimed Blue River Foods first.",  # Li, a moment late
        "── #customer-pool ──",  # the release's announcement
        "Blue River Foods is back in the pool.",
        "Complaint #6 · Acme Trading",
        "@mei acknowledged it.",
        "@mei resolved it: Sent the missing boxes by express",
        "@mei closed it after the follow-up call: satisfaction 4 of 5.",
        "── App Home · @mei ──",
        "Follow-ups for today, Nov 23, 2026: 3",  # the morning reminder
        "🎯 1 of your opportunities need you",  # Evergreen's, idle in proposal
        "of your customers go back to the pool soon",  # a recycle warning
        "Acme Trading · critical",  # a churn warning
        "recycled from @mei: no visit in time",  # the recycle, announced
        "max> dm",
        "Report for the week of Nov 16, 2026 to Nov 22, 2026",  # the weekly report, its charts as files
        "🖼 Visits per person, Nov 16, 2026 to Nov 22, 2026 → ",
        "Your team on Nov 24, 2026",  # the manager digest
        "Churn warnings",
        "Opportunities on Nov 23, 2026",  # the team's opportunities moved the day before
        "max> channel #sales",
        "The team's champions, Nov 16, 2026 to Nov 22, 2026",  # the week's champions, thanked
        "🏆 Most visits: @",
        "🖼 Most visits → ",
        "recycled from @li: no first order in time",
    ],
    "zh": [
        "mei> /customer 明辉",
        "负责人: @mei    客户等级: A · 重点",
        "港灯贸易",
        "已记录对“明辉贸易”的拜访（电话，2026年11月23日）。",  # one sentence, Chinese punctuation
        "已记录对“北风商贸”的拜访（会议，2026年11月23日）。",
        "已记录“明辉贸易”的订单：¥18,000.00 · 瓦楞纸箱（2026年11月20日）。",
        "#3 年度包装合同 · 明辉贸易",
        "需求确定 · 20%",
        "进行中的商机",
        "@mei 更正了一笔订单：金额从“¥18,000.00”改为“¥28,000.00”",
        "@max 把重复客户“港灯”合并了进来",
        "释放明辉贸易需要经理批准：已请 @max 审批。",
        "@max 拒绝释放“明辉贸易”：它仍归你负责。",
        "@mei 从公海领取",
        "@mei 抢先领取了蓝河食品。",
        "── #customer-pool ──",
        "“蓝河食品”已回到公海。",
        "投诉 #6 · 明辉贸易",
        "@mei 已解决：已加急补发",
        "@mei 回访后关闭了投诉：满意度 4 分",
        "── App 首页 · @mei ──",
        "今天（2026年11月23日）的跟进：3",
        "🎯 你有 1 个商机需要跟进",
        "个客户即将回到公海",
        "明辉贸易 · 严重",
        "从 @mei 名下回收：未按时拜访",
        "max> dm",
        "周报：2026年11月16日至2026年11月22日",
        "🖼 每人拜访次数：2026年11月16日至2026年11月22日 → ",
        "2026年11月24日 团队日报",
        "2026年11月23日 的商机",
        "max> channel #sales",
        "团队冠军：2026年11月16日至2026年11月22日",
        "🏆 拜访最多：@",
        "🖼 拜访最多 → ",
    ],
}
NEVER_SHOWN = ["Not a playground command", "Choose one of", "There is no [", "Traceback", "went wrong"]


def replay(lang: str, script: str | None = None) -> tuple[str, Playground]:
    out = io.StringIO()
    console = Console(file=out, width=cli.TRANSCRIPT_WIDTH, no_color=True, highlight=False)
    script = script if script is not None else (TOURS / f"{lang}.txt").read_text(encoding="utf-8")
    ask = cli.replayed(iter(script.splitlines()), console)
    playground = Playground(Options(lang=lang, start=START), console=console, ask=ask)
    playground.start()
    try:
        while (line := ask(playground.prompt())) is not None and playground.handle(line):
            pass
    finally:
        playground.stop()
    return out.getvalue(), playground


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_tour_shows_every_feature_and_nothing_slack_would_refuse(lang):
    transcript, playground = replay(lang)
    position = 0
    for expected in SHOWN_IN_ORDER[lang]:
        found = transcript.find(expected, position)
        assert found >= 0, (
            f"{expected!r} not shown after position {position}:\n{transcript[position:][:3000]}"
        )
        position = found
    for unexpected in NEVER_SHOWN:
        assert unexpected not in transcript, transcript
    assert playground.standin.problems == [], "the bot sent payloads Slack would refuse"
    assert [p for reply in playground.slack.replies for p in reply.problems()] == []
    assert all(reply.status == 200 for reply in playground.slack.replies)


def test_the_chinese_tour_is_in_chinese():
    transcript, _ = replay("zh")
    for chinese in ("公海", "投诉", "已关闭", "跟进", "回收", "流失"):
        assert chinese in transcript, chinese
    for english in (
        "Visit logged",
        "Follow-ups for today",
        "only visible to you",
        "Your team on",
        "Assignee",
    ):
        assert english not in transcript, english


def test_commands_are_sent_escaped_as_slack_sends_them_so_mentions_work():
    transcript, playground = replay("en", "as @max\n/assign Blue River @li\n/customer A & B <x>\nquit\n")
    assert "Blue River Foods now belongs to @li." in transcript, transcript
    assert "No customer matches “A & B <x>”" in transcript, "decoded once, shown as typed"
    assert all(reply.status == 200 for reply in playground.slack.replies)


def test_the_sample_workspace_installs_through_the_flow_and_another_can_be_added():
    transcript, playground = replay("en", "install T0SECOND\ninstall second\n/customer Blue River\nquit\n")
    assert (
        "Workspace T0SECOND installed Tidewater through Add to Slack, with a bot token of its own."
        in transcript
    )
    assert "Name the workspace to install by its id: install T0SECOND." in transcript
    installed = {one.team_id for one in playground.standin.installed.values()}
    assert installed == {playground.cast.team_id, "T0SECOND"}
    spoken = {call.team for call in playground.standin.calls if call.method.startswith(("chat.", "views."))}
    assert spoken == {playground.cast.team_id}, "every call with the sample workspace's own token"
