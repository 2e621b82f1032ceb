"""Column helpers shared by the domains' tables."""

from __future__ import annotations

import datetime as dt
import uuid

from sync import clock
from sync.tables import ServerNow

__all__ = ["ServerNow", "new_uuid", "utcnow"]


def utcnow() -> dt.datetime:
    """The server's clock (tests may start it at another moment: see backend/core/clock.py)."""
    return clock.utcnow()


def new_uuid() -> uuid.UUID:
    return uuid.uuid4()
