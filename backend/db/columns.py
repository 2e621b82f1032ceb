"""Column helpers shared by the domains' tables."""

from __future__ import annotations

import datetime as dt
import uuid

from piccolo.columns.defaults.timestamptz import TimestamptzNow

from sync import clock


def utcnow() -> dt.datetime:
    """The server's clock (tests may start it at another moment: see backend/core/clock.py)."""
    return clock.utcnow()


def new_uuid() -> uuid.UUID:
    return uuid.uuid4()


class ServerNow(TimestamptzNow):
    """Default of a timestamp column: CURRENT_TIMESTAMP in the database, the server's clock for rows made in Python."""

    def python(self) -> dt.datetime:
        return utcnow()
