"""Start the server's clock at a chosen moment, for tests only.

`GANDAN_TEST_NOW` (ISO 8601; without an offset it is read in Asia/Ho_Chi_Minh) runs the app, the worker and the
commands as if it were that moment, with time flowing on from there. `GANDAN_TEST_NOW_AT` (Unix seconds) says at
which real instant it was that moment, so that the test runner, the server and the worker agree on the time; without
it, each process starts its clock at the moment it reads the variable. Both are honoured only with
`GANDAN_ENV=test`: any other environment refuses to start with them set, so production never runs on a moved clock.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from backend.settings import Settings
from sync import clock

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_applied: tuple[str, str] | None = None


def parse_moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=VN)


def configure_clock(settings: Settings) -> None:
    """Apply GANDAN_TEST_NOW once per process (calling again with the same values keeps time flowing)."""
    global _applied
    wanted = (settings.test_now, settings.test_now_at)
    if any(wanted) and settings.env != "test":
        raise SystemExit("GANDAN_TEST_NOW is honoured only with GANDAN_ENV=test; unset it in this environment")
    if wanted == _applied:
        return
    if settings.test_now:
        try:
            moment = parse_moment(settings.test_now)
            real = dt.datetime.fromtimestamp(float(settings.test_now_at), dt.UTC) if settings.test_now_at else None
        except ValueError as exc:
            raise SystemExit(f"GANDAN_TEST_NOW(_AT) cannot be read: {wanted!r} ({exc})") from exc
        clock.start_at(moment, real)
    else:
        clock.reset()
    _applied = wanted
