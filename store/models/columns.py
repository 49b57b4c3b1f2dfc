"""The column types every table shares."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from store.types import UTCDateTime


def utc_column(*, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(UTCDateTime(), nullable=nullable)
