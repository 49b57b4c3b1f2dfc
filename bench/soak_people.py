"""The soak's simulated people: each a thread doing a working day's commands, spread over the run, as
Slack would send them (signed, over HTTP, to the real web processes), each request timed to its answer.

A rep searches, logs visits (one line, or by the form), records orders, claims from the pool (now and
then with colleagues pressing Claim on the same customer at the same moment), releases, files a
complaint and takes it through acknowledge, resolve and close, and opens the App Home; a manager
searches and opens the Home. Forms are found by the trigger id of the request that opened them.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from bot.playground.requests import FORM, SlackRequests, fresh_id, over_http
from bot.playground.standin import SlackStandIn
from bot.views.ids import Action

FORM_WAIT = 10.0  # seconds for a form's views.open to arrive after its request (a lazy listener)
RACERS = 4  # colleagues pressing Claim on one customer at once


@dataclass(frozen=True)
class Timing:
    label: str
    seconds: float
    status: int


@dataclass
class Record:
    """Everything the people saw: each request's time and status, and what went wrong."""

    timings: list[Timing] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    refusals: int = 0  # forms answered with field errors: a person's mistake, not the bot's
    actions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, *, actions: int = 0, refusals: int = 0) -> None:
        with self.lock:
            self.actions, self.refusals = self.actions + actions, self.refusals + refusals


@dataclass
class Catalog:
    """What the people know to ask for: customers' names, each rep's own customers, the pool."""

    names: list[str]
    owned: dict[str, list[tuple[int, str]]]
    pool: list[int]
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def read(cls, engine: sa.Engine, overdue_every: int) -> Catalog:
        with engine.connect() as connection:
            names = list(
                connection.execute(
                    sa.text("SELECT name FROM customer ORDER BY id % 97, id LIMIT 5000")
                ).scalars()
            )
            rows = connection.execute(
                sa.text(
                    "SELECT id, name, owner_id FROM (SELECT id, name, owner_id, row_number() OVER "
                    "(PARTITION BY owner_id ORDER BY id) AS n FROM customer WHERE owner_id IS NOT NULL "
                    "AND id % :every <> 1) mine WHERE n <= 60"
                ),
                {"every": overdue_every},
            ).all()
            pool = list(
                connection.execute(
                    sa.text("SELECT id FROM customer WHERE owner_id IS NULL LIMIT 20000")
                ).scalars()
            )
        owned: dict[str, list[tuple[int, str]]] = {}
        for customer_id, name, owner in rows:
            owned.setdefault(owner, []).append((customer_id, name))
        return cls(names, owned, pool)

    def take_own(self, rng: random.Random, user: str) -> tuple[int, str] | None:
        with self.lock:
            mine = self.owned.get(user) or []
            return rng.choice(mine) if mine else None

    def released(self, user: str, customer: tuple[int, str]) -> None:
        with self.lock:
            mine = self.owned.get(user) or []
            if customer in mine:
                mine.remove(customer)
            self.pool.append(customer[0])

    def from_pool(self, rng: random.Random) -> int:
        with self.lock:
            return rng.choice(self.pool)


class Day:
    """The people's shared means: the signed requests, the stand-in, the catalog, the record."""

    def __init__(
        self, url: str, secret: str, standin: SlackStandIn, engine: sa.Engine, catalog: Catalog
    ) -> None:
        self.standin, self.engine, self.catalog = standin, engine, catalog
        self.record = Record()
        self._send = over_http(url)
        self.slack = SlackRequests(secret=secret, standin=standin, transport=self._timed)
        self._label = threading.local()
        self.slack.replies = _Forgetful()  # 10 minutes of answers need not be kept

    def _timed(self, body: str, headers: dict[str, str]) -> tuple[int, str]:
        started = time.monotonic()
        try:
            status, raw = self._send(body, headers)
        except OSError as error:
            self.record.errors.append(f"{self._label.value}: {type(error).__name__}: {error}")
            status, raw = 0, ""
        self.record.timings.append(Timing(self._label.value, time.monotonic() - started, status))
        if status not in (0, 200):
            self.record.errors.append(f"{self._label.value}: HTTP {status} {raw[:200]}")
        return status, raw

    def labelled(self, label: str) -> SlackRequests:
        self._label.value = label
        return self.slack

    # -- the steps every action is made of -------------------------------------------------------------
    def command(self, user: str, command: str, text: str = "", label: str = "") -> None:
        self.labelled(label or command).command(user, command, text)

    def form_from_command(self, user: str, command: str, text: str = "") -> dict[str, Any] | None:
        trigger = fresh_id()
        slack = self.labelled(f"{command} (opens a form)")
        slack.send_raw(slack.command_body(user, command, text, trigger_id=trigger), FORM)
        return self._opened(trigger, command, f"cmd-{user}")

    def form_from_button(self, user: str, action_id: str, value: str) -> dict[str, Any] | None:
        trigger = fresh_id()
        action = {
            "action_id": action_id,
            "block_id": "b",
            "type": "button",
            "value": value,
            "action_ts": "1.0",
        }
        self.labelled(f"{action_id} (opens a form)").act(user, action, trigger_id=trigger)
        return self._opened(trigger, action_id, f"btn-{user}")

    def submit(self, user: str, view: dict[str, Any], values: dict[str, Any], label: str) -> None:
        reply = self.labelled(f"{label} (submitted)").submit(user, view, values)
        if reply.status == 200 and reply.raw and reply.json.get("response_action") == "errors":
            self.record.count(refusals=1)

    def press(self, user: str, action_id: str, value: str) -> None:
        self.labelled(action_id).button(user, action_id, value)

    def _opened(self, trigger: str, what: str, answers: str) -> dict[str, Any] | None:
        opened = self.standin.opened_for(trigger, timeout=FORM_WAIT)
        if opened is None:
            said = [answer.get("text") for answer in self.standin.responses_to(answers)[-1:]]
            self.record.errors.append(
                f"{what}: its form did not open within {FORM_WAIT:g} s; last said {said}"
            )
            return None
        shown = opened.answer["view"]
        return {**opened.args["view"], "id": shown["id"], "hash": shown["hash"]}

    def complaint_filed(self, user: str, customer_id: int) -> int | None:
        """The complaint `user` just filed about the customer (its card is posted after the answer)."""
        query = sa.text(
            "SELECT max(id) FROM complaint WHERE filed_by = :user AND customer_id = :customer AND status = 'open'"
        )
        deadline = time.monotonic() + FORM_WAIT
        while time.monotonic() < deadline:
            with self.engine.connect() as connection:
                found = connection.execute(query, {"user": user, "customer": customer_id}).scalar()
            if found:
                return int(found)
            time.sleep(0.2)
        self.record.errors.append("/complaint: the complaint was not filed")
        return None


class _Forgetful(list[Any]):
    def append(self, _item: Any) -> None:
        return None


# -- the actions ---------------------------------------------------------------------------------------
def search(day: Day, user: str, rng: random.Random) -> None:
    name = rng.choice(day.catalog.names)
    words = name.split()
    day.command(user, "/customer", words[0] if len(words) > 1 else name[:4], "/customer (search)")


def visit_line(day: Day, user: str, rng: random.Random) -> None:
    customer = day.catalog.take_own(rng, user)
    if customer:
        day.command(user, "/visit", f"{customer[1]}: called about the renewal", "/visit (one line)")


def visit_form(day: Day, user: str, rng: random.Random) -> None:
    customer = day.catalog.take_own(rng, user)
    view = day.form_from_command(user, "/visit") if customer else None
    if customer and view:
        values = {
            "customer": str(customer[0]),
            "kind": "meeting",
            "note": "Went through the price list",
            "satisfaction": "4",
        }
        day.submit(user, view, values, "/visit")


def order(day: Day, user: str, rng: random.Random) -> None:
    customer = day.catalog.take_own(rng, user)
    view = day.form_from_command(user, "/order") if customer else None
    if customer and view:
        day.submit(
            user,
            view,
            {"customer": str(customer[0]), "amount": str(rng.randint(100, 90000)), "product": "Boxes"},
            "/order",
        )


def claim(day: Day, user: str, rng: random.Random) -> None:
    day.press(user, Action.POOL_CLAIM, str(day.catalog.from_pool(rng)))


def claim_race(day: Day, user: str, rng: random.Random, colleagues: list[str]) -> None:
    """Colleagues press Claim on the same customer at once: one wins, the others are told."""
    customer = str(day.catalog.from_pool(rng))
    racers = [user, *rng.sample([c for c in colleagues if c != user], min(RACERS - 1, len(colleagues) - 1))]
    start = threading.Barrier(len(racers))

    def press(racer: str) -> None:
        start.wait()
        day.press(racer, Action.POOL_CLAIM, customer)

    with ThreadPoolExecutor(max_workers=len(racers)) as presses:
        list(presses.map(press, racers))


def release(day: Day, user: str, rng: random.Random) -> None:
    customer = day.catalog.take_own(rng, user)
    view = day.form_from_button(user, Action.CUSTOMER_RELEASE, str(customer[0])) if customer else None
    if customer and view:
        day.submit(user, view, {"reason": "not_interested", "note": ""}, Action.CUSTOMER_RELEASE)
        day.catalog.released(user, customer)


def complaint(day: Day, user: str, rng: random.Random) -> None:
    """Filed, acknowledged, resolved and closed, a little while apart."""
    customer = day.catalog.take_own(rng, user)
    view = day.form_from_command(user, "/complaint", customer[1]) if customer else None
    if not (customer and view):
        return
    values = {"category": "delivery", "severity": "high", "description": "The boxes arrived wet."}
    day.submit(user, view, values, "/complaint")
    complaint_id = day.complaint_filed(user, customer[0])
    if complaint_id is None:
        return
    time.sleep(rng.uniform(1, 3))
    day.press(user, Action.COMPLAINT_ACK, str(complaint_id))
    time.sleep(rng.uniform(1, 3))
    for action, answer in ((Action.COMPLAINT_RESOLVE, {"resolution": "Sent new boxes by express."}),
                           (Action.COMPLAINT_CLOSE, {"satisfaction": "4", "comment": "Happy with it"})):  # fmt: skip
        step = day.form_from_button(user, action, str(complaint_id))
        if step is None:
            return
        day.submit(user, step, answer, action)
        time.sleep(rng.uniform(1, 3))


def home(day: Day, user: str, _rng: random.Random) -> None:
    day.labelled("app_home_opened").open_home(user)


Act = Callable[[Day, str, random.Random], None]
REP_DAY: list[tuple[Act, int]] = [
    (search, 25), (visit_line, 20), (visit_form, 10), (order, 8), (claim, 10), (release, 4),
    (complaint, 3), (home, 18),
]  # fmt: skip
MANAGER_DAY: list[tuple[Act, int]] = [(search, 50), (home, 50)]
RACE_SHARE = 0.02  # of a rep's actions: a claim race with colleagues


def work(
    day: Day, user: str, *, rep: bool, colleagues: list[str], actions: int, until: float, seed: int
) -> None:
    """One person's day: `actions` spread at random over the time left, until `until`."""
    rng = random.Random(seed)
    mix = REP_DAY if rep else MANAGER_DAY
    acts, weights = [a for a, _ in mix], [w for _, w in mix]
    gap = max(0.1, (until - time.monotonic()) / max(1, actions))
    time.sleep(rng.uniform(0, gap))
    while time.monotonic() < until:
        if rep and rng.random() < RACE_SHARE:
            claim_race(day, user, rng, colleagues)
        else:
            rng.choices(acts, weights)[0](day, user, rng)
        day.record.count(actions=1)
        time.sleep(min(rng.expovariate(1 / gap), max(0.0, until - time.monotonic())))
