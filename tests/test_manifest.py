"""manifest.yml, the app's one-paste definition, agrees with the code: the same bot scopes as the
install flow asks for, the install flow's redirect URL, and the events the bot listens to."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.scopes import BOT_SCOPES

MANIFEST = yaml.safe_load((Path(__file__).parent.parent / "manifest.yml").read_text(encoding="utf-8"))


def test_the_manifest_asks_for_exactly_the_scopes_the_install_flow_asks_for():
    listed = MANIFEST["oauth_config"]["scopes"]["bot"]
    assert len(listed) == len(set(listed)), "no scope twice"
    assert set(listed) == set(BOT_SCOPES)


def test_the_manifest_has_the_install_flows_redirect_and_the_events_of_an_uninstall():
    assert MANIFEST["oauth_config"]["redirect_urls"] == ["https://YOUR-HOST/slack/oauth_redirect"]
    events = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked", "app_home_opened"} <= set(events)
