"""The server's one clock. Every "now" on the server comes from here.

Tests may run the whole system at a chosen moment (a Saturday night, the eve of Tết) by starting the clock there;
time then flows on from that moment as usual, so leases, timeouts and retries keep working. Only the backend's test
configuration starts it elsewhere (`backend.core.clock`); production never moves it.
"""

from __future__ import annotations

import datetime as dt

_offset = dt.timedelta(0)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + _offset


def start_at(moment: dt.datetime, real: dt.datetime | None = None) -> None:
    """`utcnow()` reads `moment` at the real instant `real` (default: now) and moves forward with real time.

    Several processes given the same pair agree on the time to the microsecond, whenever each of them started.
    """
    global _offset
    if moment.tzinfo is None or (real is not None and real.tzinfo is None):
        raise ValueError("the clock needs aware datetimes")
    _offset = moment - (real or dt.datetime.now(dt.UTC))


def reset() -> None:
    global _offset
    _offset = dt.timedelta(0)


def advance(delta: dt.timedelta) -> None:
    """Move the clock by `delta` (tests: "an hour later" without waiting an hour)."""
    global _offset
    _offset += delta
