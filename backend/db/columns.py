"""Column helpers shared by the domains' tables."""

from __future__ import annotations

import datetime as dt
import uuid


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_uuid() -> uuid.UUID:
    return uuid.uuid4()
