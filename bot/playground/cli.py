"""`python -m bot try`: the playground in a terminal, or replaying a script into a transcript."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.text import Text

from bot.i18n import N_, lang

if TYPE_CHECKING:  # the playground's machinery loads only when it runs: the CLI starts fast
    from bot.playground.session import Ask, Options, Playground

TRANSCRIPT_WIDTH = 100  # a replayed script prints the same lines on any terminal


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "try",
        help="try the whole bot in this terminal, against a local stand-in for Slack (no workspace needed)",
    )
    parser.add_argument("--lang", choices=["en", "zh"], default="en", help="the sample workspace's language")
    parser.add_argument("--db", type=Path, help="keep the playground's data in this SQLite file between runs")
    parser.add_argument(
        "--seed", type=int, default=1, help="the sample data's seed (same seed, same customers)"
    )
    parser.add_argument("--script", type=Path, help="replay the lines of this file and print the transcript")
    parser.add_argument("--at", help="start the clock at this ISO time, e.g. 2026-11-23T09:30+08:00")


def options_from(args: argparse.Namespace) -> Options:
    from bot.playground.session import Options

    start = None
    if args.at:
        try:
            start = datetime.fromisoformat(args.at)
        except ValueError:
            raise SystemExit(
                f"--at needs an ISO time, e.g. 2026-11-23T09:30+08:00 (not {args.at!r})"
            ) from None
    return Options(lang=args.lang, db=args.db, seed=args.seed, start=start)


def replayed(lines: Iterator[str], console: Console) -> Ask:
    """Answers from a file (or a pipe), each echoed after its prompt so the output reads as a session."""

    def ask(prompt: str) -> str | None:
        for line in lines:
            line = line.rstrip("\n")
            if line.startswith("#"):  # a comment of the script: shown, never an answer
                console.print(Text(line, style="dim italic"), soft_wrap=True)
                continue
            console.print(Text(prompt + line, style="bold"), soft_wrap=True)
            return line
        return None

    return ask


def typed(console: Console) -> Ask:
    def ask(prompt: str) -> str | None:
        try:
            return console.input(Text(prompt, style="bold"))
        except EOFError:
            return None

    return ask


def run(options: Options | None = None, *, script: TextIO | None = None, notice: str = "") -> int:
    from bot.playground.session import Options, Playground

    options = options or Options()
    interactive = script is None and sys.stdin.isatty()
    console = Console(highlight=False, width=None if interactive else TRANSCRIPT_WIDTH, soft_wrap=False)
    logging.getLogger().setLevel(logging.WARNING)  # the transcript is the log
    source = script if script is not None else sys.stdin
    ask = typed(console) if interactive else replayed(iter(source), console)
    started = time.perf_counter()
    playground = Playground(options, console=console, ask=ask)
    playground.start()
    try:
        _welcome(console, playground, notice, time.perf_counter() - started, timed=interactive)
        while (line := ask(playground.prompt())) is not None and playground.handle(line):
            pass
    finally:
        playground.stop()
    return 0


def _welcome(console: Console, playground: Playground, notice: str, seconds: float, *, timed: bool) -> None:
    _ = playground.lang.gettext
    if notice:
        console.print(Text(notice, style="yellow"), soft_wrap=True)
    console.print(
        Text(
            _("Tidewater playground: the real bot, against a stand-in for Slack on this computer."),
            style="bold",
        )
    )
    console.print(Text(playground.seeded.describe(playground.lang)), soft_wrap=True)
    people = ", ".join(f"@{person.handle}" for person in playground.cast.people)
    handle = playground.lookups.name_of(playground.me)
    line = _("You are @%(handle)s in #%(channel)s. People: %(people)s. Type help for what you can do.")
    console.print(
        Text(
            line
            % {"handle": handle, "channel": playground.lookups.name_of(playground.channel), "people": people}
        ),
        soft_wrap=True,
    )
    if timed:  # not in transcripts: they must read the same on every run
        console.print(Text(_("Ready in %(seconds).1f s.") % {"seconds": seconds}, style="dim"))


def no_secrets_notice() -> str:
    return lang("en").gettext(NO_SECRETS)


NO_SECRETS = N_(
    "No Slack secrets are set, so this is the playground: the whole bot, with a sample workspace, in "
    "this terminal. To connect a real Slack workspace, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET "
    "(see the README) and start again."
)


def main(args: argparse.Namespace) -> int:
    options = options_from(args)
    if args.script:
        with args.script.open(encoding="utf-8") as script:
            return run(options, script=script)
    return run(options)
