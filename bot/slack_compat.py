"""A workaround for Bolt's body parser.

Bolt's `parse_body` treats any form body that contains the lowercase text "payload" as an interaction
and, finding no `payload=` field, returns {}: `/visit Acme: sent the payload spec` would be dropped
with a 404. We wrap it so such a body is read as the plain form it is. The name is replaced where
`BoltRequest` looks it up, so lazy listeners' request copies are parsed the same way.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import slack_bolt.request.request as bolt_request
from slack_bolt.request import internals

_original_parse_body = internals.parse_body


def parse_body(body: str, content_type: str | None) -> dict[str, Any]:
    parsed = _original_parse_body(body, content_type)
    if parsed or not body or body.startswith("{") or content_type == "application/json":
        return parsed
    fields = dict(parse_qsl(body, keep_blank_values=True))
    return {} if "payload" in fields else fields


def install() -> None:
    """Idempotent: safe to call for every app built."""
    bolt_request.parse_body = parse_body  # type: ignore[attr-defined]  # Bolt does not export it
