"""A thin raw-SQL layer over Piccolo's engines, for the hot paths of push and pull.

Why not the ORM here: a push batch must read everything it touches in one query per table and write
in bulk, and a no-change pull must be a few index probes. Piccolo costs about 1 ms per row-level query
on SQLite (DESIGN §7); `executemany` on the driver's own connection is an order of magnitude cheaper.

SQL is written once with PostgreSQL's `$1, $2 …` placeholders, each used once and in order, so that on
SQLite they can become `?`.
The few places where the dialects differ (`= ANY`, `FOR UPDATE`, isolation) go through `Tx` helpers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

_PLACEHOLDER = re.compile(r"\$\d+")

Row = dict[str, Any]


def _lock_number(key: str) -> int:
    """A claim's advisory lock key: 64 bits of its SHA-256 (a collision only makes two claimers take turns)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


class Tx:
    """One open transaction on one connection (aiosqlite or asyncpg)."""

    def __init__(self, connection: Any, postgres: bool) -> None:
        self.connection = connection
        self.postgres = postgres

    def sql(self, text: str) -> str:
        return text if self.postgres else _PLACEHOLDER.sub("?", text)

    def any(self, column: str, param: str, pg_type: str) -> str:
        """`column` is one of the values of a list parameter: `= ANY($n)` / `IN (json_each(?))`."""
        if self.postgres:
            return f"{column} = ANY({param}::{pg_type}[])"
        return f"{column} IN (SELECT value FROM json_each({param}))"

    def list_param(self, values: Iterable[Any]) -> Any:
        """The value bound to an `any()` parameter: a list for asyncpg, JSON text for SQLite."""
        items = list(values)
        if self.postgres:
            return items
        import msgspec

        return msgspec.json.encode([str(v) for v in items]).decode()

    async def claim(self, keys: Iterable[str]) -> None:
        """Serialise this transaction, until it ends, with every other one that claims one of the same keys.

        For what row locks cannot cover: a row that does not exist yet (two creators of one id) or bookkeeping that
        two writers must not interleave. PostgreSQL: transaction-scoped advisory locks, always taken in ascending key
        order, before any row lock, so claimers never wait for each other in a cycle. SQLite: nothing to do, the write
        transaction (BEGIN IMMEDIATE) already admits one writer at a time.
        """
        if not self.postgres:
            return
        numbers = sorted({_lock_number(key) for key in keys})
        if numbers:
            await self.connection.executemany("SELECT pg_advisory_xact_lock($1)", [(n,) for n in numbers])

    @property
    def for_update(self) -> str:
        # SQLite has one writer (BEGIN IMMEDIATE), so rows need no lock of their own.
        return " FOR UPDATE" if self.postgres else ""

    async def fetch(self, text: str, *args: Any) -> list[Row]:
        if self.postgres:
            records = await self.connection.fetch(text, *args)
            return [dict(r) for r in records]
        async with self.connection.execute(self.sql(text), args) as cursor:
            rows = await cursor.fetchall()
        return [dict(r) for r in rows]

    async def fetchrow(self, text: str, *args: Any) -> Row | None:
        rows = await self.fetch(text, *args)
        return rows[0] if rows else None

    async def execute(self, text: str, *args: Any) -> None:
        if self.postgres:
            await self.connection.execute(text, *args)
        else:
            await self.connection.execute(self.sql(text), args)

    async def executemany(self, text: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.postgres:
            await self.connection.executemany(text, rows)
        else:
            await self.connection.executemany(self.sql(text), rows)


class Database:
    """Opens write and read transactions on the engine Piccolo was configured with."""

    def __init__(self, engine: Engine[Any]) -> None:
        if not isinstance(engine, (SQLiteEngine, PostgresEngine)):
            raise TypeError(f"unsupported engine {type(engine).__name__}")
        self.engine = engine
        self.postgres = isinstance(engine, PostgresEngine)

    @asynccontextmanager
    async def _pg_connection(self) -> AsyncIterator[Any]:
        assert isinstance(self.engine, PostgresEngine)
        pool = self.engine.pool
        if pool is not None:
            async with pool.acquire() as connection:
                yield connection
        else:
            connection = await self.engine.get_new_connection()
            try:
                yield connection
            finally:
                await connection.close()

    @asynccontextmanager
    async def _sqlite_tx(self, begin: str) -> AsyncIterator[Tx]:
        assert isinstance(self.engine, SQLiteEngine)
        connection = await self.engine.get_connection()
        try:
            await connection.execute(begin)
            try:
                yield Tx(connection, postgres=False)
            except BaseException:
                await connection.execute("ROLLBACK")
                raise
            await connection.execute("COMMIT")
        finally:
            await connection.close()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Tx]:
        """A write transaction. SQLite: BEGIN IMMEDIATE, so writers queue and commit in one global order.

        It is opened through Piccolo, so that ORM queries of domain hooks inside it run in the same
        transaction. Called inside a write transaction the caller already opened with Piccolo (a REST
        change that also writes synced rows), it joins that transaction: both commit or neither.
        """
        joined = self._current()
        if joined is not None:
            yield joined
            return
        if isinstance(self.engine, PostgresEngine):
            async with self.engine.transaction() as pg_tx:
                yield Tx(pg_tx.connection, postgres=True)
        else:
            assert isinstance(self.engine, SQLiteEngine)
            async with self.engine.transaction(transaction_type=TransactionType.immediate) as lite_tx:
                yield Tx(lite_tx.connection, postgres=False)

    def _current(self) -> Tx | None:
        """The caller's open Piccolo transaction, if any (it must be a write transaction on SQLite)."""
        current = self.engine.current_transaction.get()
        if current is None:
            return None
        if isinstance(current, SQLiteTransaction) and current.transaction_type is TransactionType.deferred:
            # A deferred SQLite transaction may hold an old snapshot: writing from it breaks commit order.
            raise RuntimeError("sync writes need a write (BEGIN IMMEDIATE) transaction, not a deferred one")
        return Tx(current.connection, postgres=self.postgres)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """A read-only snapshot: every query inside sees the same committed state.

        PostgreSQL: REPEATABLE READ (READ COMMITTED takes a new snapshot per statement, which would let
        acknowledgements and changes of one pull disagree). SQLite/WAL: a deferred transaction's first read
        fixes the snapshot.
        """
        if self.postgres:
            async with (
                self._pg_connection() as connection,
                connection.transaction(isolation="repeatable_read", readonly=True),
            ):
                yield Tx(connection, postgres=True)
        else:
            async with self._sqlite_tx("BEGIN DEFERRED") as tx:
                yield tx
