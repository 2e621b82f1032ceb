"""Database engine selection and the one write-transaction helper used on both engines."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

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


@asynccontextmanager
async def write_transaction() -> AsyncIterator[Any]:
    """A transaction that takes the write lock at its start.

    On SQLite, BEGIN IMMEDIATE makes concurrent writers queue on the busy timeout rather than fail
    half-way with "database is locked"; it also gives one global commit order. On PostgreSQL it is a
    plain transaction.
    """
    engine = get_engine()
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate) as tx:
            yield tx
    else:
        async with engine.transaction() as tx:
            yield tx


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
