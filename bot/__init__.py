"""Tidewater: a sales CRM that lives inside Slack."""
