"""A fan-out through the outbox: 1,000 DMs to 1,000 people against Slack's rate limits.

The Slack stand-in enforces chat.postMessage's limits in real time (one post per second per channel,
fifty per second in the workspace; beyond either, 429 with Retry-After: 1). The messages are queued,
then sent by calling `notify.deliver_due` (500 at most per run, its own Pacer, real sleeps) again and
again until none is pending, waiting between runs only until the next message is due (the worker
would wait for its next 30 s tick instead: this measures the sender, not the schedule).

    python -m bench.fanout                       # 1,000 DMs, SQLite
    python -m bench.fanout --messages 200        # a quick look
    python -m bench.fanout --postgres postgresql://postgres@127.0.0.1:5432/postgres --skip-sqlite

Every post carries its message metadata (the dedupe key), as in production. Prints what arrived,
duplicates (must be 0), the 429s, the history look-ups the sender made (only a post in doubt is looked
for: none here, where every answer arrives), the time taken and its ratio to the time the workspace
limit allows (messages / 50 per second: 20 s for 1,000). Goal: within 1.3x of it.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

from rich.console import Console
from sqlmodel import col, func, select

from bench import engines
from bench.data import WORKSPACE
from bench.typeahead import environment
from bot import jobs, notify
from bot.env import Env
from bot.playground.standin import SlackStandIn
from store import outbox as outbox_store
from store.db import create_db_engine, upgrade_schema
from store.models import OutboxMessage

PER_CHANNEL = 1.0  # Slack's limits for chat.postMessage, posts per second
PER_WORKSPACE = 50.0
GOAL = 1.3
LONGEST_IDLE = 1.0  # seconds between runs at most while messages wait for their retry


def queue(env: Env, messages: int) -> list[str]:
    """One DM to each of `messages` people; returns the recipients."""
    people = [f"U0FAN{number:05d}" for number in range(messages)]
    for person in people:
        text = f"Your pool customers for today, {person}"
        notify.enqueue(
            env,
            workspace_id=WORKSPACE,
            kind="fanout",
            recipient=person,
            subject="pool",
            period="2026-11-23",
            message={"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]},
        )
    return people


def pending(env: Env) -> tuple[int, datetime | None]:
    """How many messages are not sent yet, and when the next of them is due."""
    with env.db.session() as session:
        count, due = session.exec(
            select(func.count(), func.min(OutboxMessage.next_attempt_at)).where(
                col(OutboxMessage.status) == outbox_store.PENDING
            )
        ).one()
    if isinstance(due, str):  # SQLite's min() of the column loses its type
        due = datetime.fromisoformat(due)
    if due is not None and due.tzinfo is None:
        due = due.replace(tzinfo=UTC)
    return int(count), due


def deliver_all(env: Env, standin: SlackStandIn) -> tuple[float, int, int]:
    """Run the sender until nothing is pending; the seconds it took, how many runs, and how many posts
    in doubt it looked for in their conversation."""
    client = jobs.outbox_client("xoxb-bench", standin.api_url)
    started = time.perf_counter()
    runs = looked_up = 0
    while True:
        looked_up += notify.deliver_due(env, client).looked_up
        runs += 1
        left, due = pending(env)
        if not left:
            return time.perf_counter() - started, runs, looked_up
        if due is not None:
            idle = (due - env.clock.now()).total_seconds()
            time.sleep(min(max(idle, 0.0), LONGEST_IDLE))


def measure(url: str, messages: int, console: Console) -> bool:
    engine = create_db_engine(url)
    upgrade_schema(engine)
    engine.dispose()
    env = environment(url)
    started = time.perf_counter()
    people = queue(env, messages)
    console.print(f"  queued {messages:,} DMs in {time.perf_counter() - started:.1f} s")
    standin = SlackStandIn().start()
    try:
        standin.limit_rate(per_channel=PER_CHANNEL, per_workspace=PER_WORKSPACE)
        elapsed, runs, looked_up = deliver_all(env, standin)
        posts = standin.calls_to("chat.postMessage")
        rate_limited = standin.rate_limited
        history_calls = standin.count("conversations.history") + standin.count("conversations.replies")
    finally:
        standin.stop()
    arrived = Counter(str(post.args["channel"]) for post in posts if post.status == 200)
    duplicates = sum(count - 1 for count in arrived.values())
    with env.db.session() as session:
        unsent = session.exec(
            select(func.count()).where(col(OutboxMessage.status) != outbox_store.SENT)
        ).one()
    env.db.engine.dispose()
    allowed = messages / PER_WORKSPACE
    ratio = elapsed / allowed
    missing = len(set(people) - set(arrived))
    console.print(
        f"  delivered: {len(arrived):,} of {messages:,} ({missing} missing, {unsent} rows not sent)"
    )
    console.print(f"  duplicates: {duplicates}")
    console.print(
        f"  429s: {sum(1 for post in posts if post.status == 429)} ({rate_limited} from the rate limits)"
    )
    console.print(f"  posts: {len(posts):,} in {runs} runs of deliver_due")
    with_metadata = sum(1 for post in posts if (post.args.get("metadata") or {}).get("event_type"))
    console.print(f"  with message metadata: {with_metadata:,} of {len(posts):,} posts")
    console.print(
        f"  history look-ups: {looked_up} posts in doubt looked for ({history_calls} history calls to Slack)"
    )
    console.print(f"  total time: {elapsed:.2f} s")
    met = duplicates == 0 and missing == 0 and ratio <= GOAL and with_metadata == len(posts)
    console.print(
        f"  goal: {ratio:.2f}x the {allowed:.0f} s the limit allows (<= {GOAL}x), none twice, none lost: "
        f"{'met' if met else 'MISSED'}"
    )
    return met


def main() -> None:
    parser = engines.parser(__doc__)
    parser.add_argument("--messages", type=int, default=1000, help="DMs, each to a different person")
    args = parser.parse_args()
    console = Console()
    for name, url in engines.each(args):
        console.print(f"[bold]{name}[/bold]")
        measure(url, args.messages, console)


if __name__ == "__main__":
    main()
