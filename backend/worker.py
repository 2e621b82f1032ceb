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
from backend.push.delivery import run_push_delivery

log = logging.getLogger("gandan.worker")

HOUSEKEEPING_EVERY_S = 300
REMINDERS_EVERY_S = 60


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


async def run_reminders(stop: asyncio.Event) -> None:
    """Every minute, queue the appointment reminders that have become due."""
    from backend.appointments.notifications import due_reminders

    while not stop.is_set():
        try:
            sent = await due_reminders()
            if sent:
                log.info("reminders queued", extra={"fields": {"count": sent}})
        except Exception:
            log.exception("reminder scan failed; will retry")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=REMINDERS_EVERY_S)


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
    # Push delivery runs beside housekeeping as its own task, with its own loop and pace.
    push = asyncio.create_task(run_push_delivery(stop), name="push-delivery")
    reminders = asyncio.create_task(run_reminders(stop), name="reminders")
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
        stop.set()
        await push
        await reminders
        await close_engine()
        log.info("worker stopped")
