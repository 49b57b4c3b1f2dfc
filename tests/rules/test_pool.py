from datetime import UTC, datetime, timedelta

from bot.rules.pool import ClaimFacts, ClaimRule, PoolRules, check_claim, next_local_midnight

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 10:00 on 2 Dec in Shanghai
RULES = PoolRules()


def refused(rules, claim_facts):
    refusal = check_claim(rules, claim_facts)
    assert refusal is not None
    return refusal


def facts(**changes):
    values = {
        "now": NOW,
        "timezone": "Asia/Shanghai",
        "may_claim": True,
        "holding": 0,
        "claims_today": 0,
        "last_let_go_at": None,
    }
    return ClaimFacts(**{**values, **changes})


def test_a_claim_within_every_limit_goes_ahead():
    assert check_claim(RULES, facts(holding=199, claims_today=9)) is None


def test_the_checks_run_in_the_products_order():
    everything_wrong = facts(may_claim=False, holding=200, claims_today=10, last_let_go_at=NOW)
    assert refused(RULES, everything_wrong).rule == ClaimRule.NOT_ALLOWED
    assert (
        refused(RULES, facts(holding=200, claims_today=10, last_let_go_at=NOW)).rule == ClaimRule.HOLDING_CAP
    )
    assert refused(RULES, facts(claims_today=10, last_let_go_at=NOW)).rule == ClaimRule.DAILY_LIMIT
    assert refused(RULES, facts(last_let_go_at=NOW)).rule == ClaimRule.COOLDOWN


def test_the_daily_limit_frees_up_at_the_persons_own_midnight():
    refusal = refused(RULES, facts(claims_today=10))
    assert refusal.frees_at.isoformat() == "2026-12-03T00:00:00+08:00"
    new_york = next_local_midnight(NOW, "America/New_York")
    assert new_york.isoformat() == "2026-12-02T00:00:00-05:00", "it is still 1 Dec 21:00 in New York"


def test_the_cooldown_frees_up_seven_days_after_letting_go_in_local_time():
    released = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    refusal = refused(RULES, facts(last_let_go_at=released))
    assert refusal.rule == ClaimRule.COOLDOWN
    assert refusal.frees_at.isoformat() == "2026-12-08T10:00:00+08:00"
    assert check_claim(RULES, facts(now=released + timedelta(days=7), last_let_go_at=released)) is None
