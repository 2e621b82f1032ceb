"""Test set-up. The environment is fixed here, before the application is imported.

SQLite (default): a fresh database file in a temporary folder for the session.
PostgreSQL (DATABASE_URL set): the database is emptied and migrated at the start; its name must contain
"test" so that a real database is never wiped by mistake.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="gandan-test-"))
os.environ["GANDAN_ENV"] = "test"
os.environ.setdefault("GANDAN_VAR_DIR", str(_TMP / "var"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TMP / 'test.sqlite3'}")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("BOOKING_MAX_PER_IP_HOUR", "100000")  # every test client shares one address
# GANDAN_TEST_NOW runs the whole suite (this process, the browser tests' server and worker, the browser) as if it were
# that moment; GANDAN_TEST_NOW_AT pins it to one real instant so that every process agrees on the time.
if os.environ.get("GANDAN_TEST_NOW"):
    os.environ.setdefault("GANDAN_TEST_NOW_AT", repr(time.time()))
IS_POSTGRES = os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://"))

from litestar.testing import TestClient  # noqa: E402

from backend.app import create_app  # noqa: E402
from backend.core.clock import configure_clock  # noqa: E402
from backend.settings import get_settings  # noqa: E402

configure_clock(get_settings())

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "gandan-demo-2026"


async def _reset_postgres() -> None:
    import asyncpg

    url = os.environ["DATABASE_URL"]
    if "test" not in url.rsplit("/", 1)[-1]:
        raise RuntimeError(f"refusing to empty a database whose name lacks 'test': {url}")
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


async def _prepare_database() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from backend.accounts.demo import seed_demo_users
    from backend.catalog.reference import load_reference_data
    from backend.settings import get_settings

    if IS_POSTGRES:
        await _reset_postgres()
    result = await run_forwards("core")
    assert result.success, result.message
    await load_reference_data(get_settings().data_dir)
    await seed_demo_users()


def pytest_sessionstart(session: pytest.Session) -> None:
    asyncio.run(_prepare_database())


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient[Any]]:
    """One app for the API tests; its lifespan opens the database (and the pool on PostgreSQL)."""
    with TestClient(app=create_app()) as test_client:
        yield test_client


@pytest.fixture
def run_db(client: TestClient[Any]) -> Callable[[Callable[[], Awaitable[T]]], T]:
    """Run a coroutine on the app's event loop, where its database pool lives."""

    def run(fn: Callable[[], Awaitable[T]]) -> T:
        return client.blocking_portal.call(fn)  # type: ignore[arg-type]

    return run


@pytest.fixture(autouse=True)
def _forget_failed_logins(request: pytest.FixtureRequest) -> Iterator[None]:
    """Throttling state must not leak from one test into the next."""
    yield
    if "client" in request.fixturenames:
        from backend.accounts.tables import LoginAttempt

        test_client = request.getfixturevalue("client")
        test_client.blocking_portal.call(lambda: LoginAttempt.delete(force=True).run())


class Travel:
    """Moves the server clock of this process forward (a lease runs out, a backoff is over) without waiting."""

    def __init__(self) -> None:
        self.moved = dt.timedelta(0)

    def __call__(self, seconds: float) -> dt.datetime:
        from sync import clock

        delta = dt.timedelta(seconds=seconds)
        clock.advance(delta)
        self.moved += delta
        return clock.utcnow()

    def to(self, moment: dt.datetime) -> dt.datetime:
        from sync import clock

        return self((moment - clock.utcnow()).total_seconds())


@pytest.fixture
def travel() -> Iterator[Travel]:
    """`travel(31)`: it is now 31 s later for the app under test; the clock goes back when the test ends."""
    from sync import clock

    t = Travel()
    yield t
    clock.advance(-t.moved)
