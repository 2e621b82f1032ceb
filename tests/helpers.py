"""Small helpers shared by the tests."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from litestar.testing import TestClient

T = TypeVar("T")

DEMO_PASSWORD = "gandan-demo-2026"


def login(client: TestClient[Any], username: str, device_id: uuid.UUID | None = None) -> dict[str, Any]:
    response = client.post(
        "/api/auth/login",
        json={"username": username, "password": DEMO_PASSWORD, "device_id": str(device_id or uuid.uuid4())},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def random_phone() -> str:
    """A phone number of the test's own (secrets, not random: a seeded generator would repeat it across tests)."""
    import secrets

    return "09" + "".join(secrets.choice("0123456789") for _ in range(8))


def free_slots(client: TestClient[Any], commune_id: str, kind: str = "receive_dossier") -> list[str]:
    """Every free start (ISO, UTC) in the next days, read from the public availability API."""
    response = client.get("/api/bookings/availability", params={"commune_id": commune_id, "kind": kind, "days": 21})
    assert response.status_code == 200, response.text
    return [slot["start"] for day in response.json()["days"] for slot in day["slots"]]


def booking_body(commune: str, slot: str, **overrides: Any) -> dict[str, Any]:
    import secrets

    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "token": secrets.token_urlsafe(32),
        "procedure_code": "1.001193",
        "kind": "receive_dossier",
        "commune_id": commune,
        "address_detail": "Số 12, đường Lê Lợi, khóm 3",
        "citizen_name": "Trần Văn Bình",
        "citizen_phone": random_phone(),
        "notes": "Nhà có cổng xanh",
        "slot_start": slot,
        "consent": {"accepted": True, "version": "2026-11"},
    }
    body.update(overrides)
    return body


def assign_officer(
    client: TestClient[Any],
    token: str,
    appointment_id: str,
    officer_id: str,
    commune: str,
    kind: str = "receive_dossier",
) -> Any:
    """Assign, moving the visit to another free slot when this officer is already out at the requested time.

    The suite books many visits for the same few demo officers; a busy officer is the server doing its job.
    """
    url = f"/api/staff/appointments/{appointment_id}/assign"
    response = client.post(url, json={"officer_id": officer_id}, headers=bearer(token))
    for slot in free_slots(client, commune, kind)[::-1]:
        if response.status_code != 409 or response.json().get("extra", {}).get("reason") != "officer_busy":
            break
        response = client.post(url, json={"officer_id": officer_id, "slot_start": slot}, headers=bearer(token))
    return response


def run_async(fn: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine on a loop and a thread of its own: safe whatever runs in this thread (Playwright's loop)."""

    async def main() -> T:
        return await fn()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


@contextmanager
def scratch_postgres_database(purpose: str) -> Iterator[str]:
    """A new, empty PostgreSQL database beside DATABASE_URL's, dropped afterwards; yields its URL."""
    import asyncpg

    base = os.environ["DATABASE_URL"]
    server = base.rpartition("/")[0]
    name = f"gandan_{purpose}_{uuid.uuid4().hex[:8]}_test"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(base)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    run_async(lambda: admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        run_async(lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
