"""/metrics in Prometheus's text format: the requests Slack sent by kind with their ack times, the lazy
listeners that failed, and the outbox's and the leader's figures read from the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from bot import metrics
from bot.playground.requests import SlackRequests
from bot.web import wsgi_app
from store import leases
from tests.conftest import REP, SIGNING_SECRET
from tests.test_edge import call, environ, over_wsgi


def scraped(web: Any) -> dict[str, float]:
    answer = call(web, environ(method="GET", path="/metrics"))
    assert answer.status == 200
    assert answer.headers["content-type"] == metrics.CONTENT_TYPE
    return {
        f"{sample.name}{sorted(sample.labels.items())}": sample.value
        for family in text_string_to_metric_families(answer.body.decode())
        for sample in family.samples
    }


def test_requests_are_counted_by_kind_with_their_ack_time(app, db, clock, standin):
    web = wsgi_app(app, measured=lambda: metrics.exposition(db, clock.now))
    before = scraped(web)
    slack = SlackRequests(secret=SIGNING_SECRET, standin=standin, transport=over_wsgi(web))
    slack.command(REP, "/customer", "Acme")
    slack.command(REP, "/customer", "Blue")
    after = scraped(web)
    key = "tidewater_requests_total[('kind', '/customer')]"
    assert after[key] - before.get(key, 0) == 2
    count = "tidewater_ack_seconds_count[('kind', '/customer')]"
    assert after[count] - before.get(count, 0) == 2
    assert after["tidewater_ack_seconds_bucket[('kind', '/customer'), ('le', '3.0')]"] >= 2


def test_the_outbox_and_the_leader_are_read_from_the_database(app, db, clock):
    web = wsgi_app(app, measured=lambda: metrics.exposition(db, clock.now))
    quiet = scraped(web)
    assert quiet["tidewater_outbox_pending[]"] == 0
    assert quiet["tidewater_leader_present[]"] == 0
    with db.connection() as connection:
        leases.take(connection, name=leases.WORKER, holder="h:1:a", now=clock.now() - timedelta(seconds=4),
                    ttl=timedelta(seconds=20), force=False)  # fmt: skip
    led = scraped(web)
    assert led["tidewater_leader_present[]"] == 1
    assert led["tidewater_leader_heartbeat_age_seconds[]"] == 4
