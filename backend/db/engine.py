"""Database engine selection and the one write-transaction helper used on both engines."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from backend.settings import get_settings


def make_engine() -> Engine[Any]:
    settings = get_settings()
    if settings.is_postgres:
        return PostgresEngine(config={"dsn": settings.database_url})
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    # `timeout` is sqlite3's busy timeout: writers wait for the lock instead of failing at once.
    return SQLiteEngine(path=str(path), timeout=settings.sqlite_busy_ms / 1000)


def get_engine() -> Engine[Any]:
    from piccolo.engine.finder import engine_finder

    engine = engine_finder()
    assert engine is not None, "piccolo_conf.py defines DB"
    return engine


def is_sqlite(engine: Engine[Any] | None = None) -> bool:
    return isinstance(engine or get_engine(), SQLiteEngine)


class WriteQueueFull(Exception):
    """Too many writers waiting in this process: the request should be retried a little later."""


_sqlite_write_locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}


def _sqlite_write_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _sqlite_write_locks.get(loop)
    if lock is None:
        lock = _sqlite_write_locks[loop] = asyncio.Lock()
    return lock


@asynccontextmanager
async def write_transaction() -> AsyncIterator[Any]:
    """A transaction that takes the write lock at its start.

    On SQLite, BEGIN IMMEDIATE makes concurrent writers queue on the busy timeout rather than fail
    half-way with "database is locked"; it also gives one global commit order. Writers of one process
    first queue on an asyncio lock: SQLite's busy handler polls with growing sleeps, and a crowd of
    connections polling for the lock collapses throughput under load. A nested call (already inside a
    transaction) joins the outer one. On PostgreSQL it is a plain transaction.
    """
    engine = get_engine()
    if isinstance(engine, SQLiteEngine):
        if engine.current_transaction.get() is not None:
            async with engine.transaction(transaction_type=TransactionType.immediate) as tx:
                yield tx
            return
        lock = _sqlite_write_lock()
        try:
            # Wait no longer than SQLite itself would: past that the caller gets a clear 503 at once
            # instead of a request that hangs until the client gives up.
            await asyncio.wait_for(lock.acquire(), timeout=get_settings().sqlite_busy_ms / 1000)
        except TimeoutError as exc:
            raise WriteQueueFull() from exc
        try:
            async with engine.transaction(transaction_type=TransactionType.immediate) as tx:
                yield tx
        finally:
            lock.release()
    else:
        async with engine.transaction() as tx:
            yield tx


@asynccontextmanager
async def read_transaction() -> AsyncIterator[Any]:
    """Group a request's reads on one connection.

    Piccolo's SQLite engine opens a new connection (and aiosqlite a new thread) for every query run outside a
    transaction, which costs more than the query; a deferred transaction reuses one connection and sees one
    snapshot. Inside another transaction it simply joins it.
    """
    engine = get_engine()
    async with engine.transaction() as tx:
        yield tx


async def lock_for_transaction(name: str) -> None:
    """Serialise, until the end of the current write transaction, every writer that takes the same name.

    PostgreSQL: a transaction-scoped advisory lock keyed by a hash of the name. SQLite: nothing to do, the write
    transaction already holds the database's single write lock.
    """
    engine = get_engine()
    if isinstance(engine, SQLiteEngine):
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    await engine.run_querystring(QueryString("SELECT pg_advisory_xact_lock({})", key))


async def prepare_engine() -> None:
    """Start-up work: WAL on SQLite (persistent in the file), the pool on PostgreSQL."""
    engine = get_engine()
    if isinstance(engine, SQLiteEngine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    elif isinstance(engine, PostgresEngine):
        await engine.start_connection_pool()


async def close_engine() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
