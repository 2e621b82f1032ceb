"""The background worker: periodic housekeeping now; push delivery and reminders join it later.

All state lives in the database, so any number of workers may run side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal

from backend.accounts.tables import DeviceSession, LoginAttempt
from backend.db.columns import utcnow
from backend.db.engine import close_engine, prepare_engine, write_transaction

log = logging.getLogger("gandan.worker")

HOUSEKEEPING_EVERY_S = 300


async def housekeeping() -> dict[str, int]:
    """Drop failed-login records past their window and sessions ended or expired for a week."""
    now = utcnow()
    async with write_transaction():
        attempts = await LoginAttempt.count().where(LoginAttempt.at < now - dt.timedelta(days=1))
        await LoginAttempt.delete().where(LoginAttempt.at < now - dt.timedelta(days=1))
        stale = DeviceSession.expires_at < now - dt.timedelta(days=7)
        sessions = await DeviceSession.count().where(stale)
        await DeviceSession.delete().where(stale)
    return {"login_attempts": attempts, "sessions": sessions}


async def run_worker(stop: asyncio.Event | None = None) -> None:
    from backend.core.middleware import configure_logging
    from backend.settings import get_settings

    configure_logging(get_settings().log_level)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await prepare_engine()
    log.info("worker started")
    try:
        while not stop.is_set():
            try:
                removed = await housekeeping()
                log.info("housekeeping", extra={"fields": removed})
            except Exception:
                log.exception("housekeeping failed; will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=HOUSEKEEPING_EVERY_S)
    finally:
        await close_engine()
        log.info("worker stopped")
