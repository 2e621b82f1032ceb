"""Booking throughput and latency under open-loop load from a second process, beside /api/health.

Run: `.venv/bin/python -m benchmarks.booking_bench` (about two minutes). Target: p99 under 50 ms at 500 requests/s.
Every commune gets unlimited capacity so that each booking succeeds and the cost measured is the full booking
path (validation, rate-limit counts, availability check, write transaction, audit, history). Bookings are spread
over all 102 communes. Between steps the server is left to drain, so that one step's backlog is not charged to
the next.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import time
import uuid
from typing import Any

import asyncpg
import httpx

from benchmarks.harness import LoadResult, open_loop, server

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


async def unlimited_capacity(database_url: str | None, var: Any) -> None:
    sql = (
        "INSERT INTO commune_service (commune_id, hours, parallel_visits, daily_capacity, slot_minutes, "
        "buffer_minutes, min_notice_minutes, horizon_days) "
        "SELECT code, '{}', 1000000, 1000000, '{}', 15, 120, 30 FROM admin_unit WHERE level = 'commune'"
    )
    if database_url:
        conn = await asyncpg.connect(database_url)
        await conn.execute(sql)
        await conn.close()
    else:
        import sqlite3

        db = sqlite3.connect(f"{var}/gandan.sqlite3")
        with db:
            db.execute(sql)
        db.close()


def slots_by_commune(base: str) -> dict[str, list[str]]:
    communes = [u["code"] for u in httpx.get(f"{base}/api/units", params={"level": "commune", "limit": 500}).json()]
    days = httpx.get(
        f"{base}/api/bookings/availability", params={"commune_id": communes[0], "kind": "guide", "days": 21}
    ).json()["days"]
    starts = [slot["start"] for day in days for slot in day["slots"]]
    return {c: starts for c in communes}


def booking_request(slots: dict[str, list[str]]) -> Any:
    communes = sorted(slots)

    def make(i: int) -> tuple[str, str, dict[str, object]]:
        commune = communes[i % len(communes)]
        starts = slots[commune]
        return (
            "POST",
            "/api/bookings/",
            {
                "id": str(uuid.uuid4()),
                "token": secrets.token_urlsafe(32),
                "procedure_code": "1.001193",
                "kind": "guide",
                "commune_id": commune,
                "address_detail": "Số 1, đường Nguyễn Huệ",
                "citizen_name": "Người Thử",
                "citizen_phone": f"09{i:08d}",
                "slot_start": starts[(i // len(communes)) % len(starts)],
                "consent": {"accepted": True, "version": "2026-11"},
            },
        )

    return make


async def drain(base: str) -> None:
    """Wait until the server answers a health check quickly again."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for _ in range(300):
            started = time.perf_counter()
            await client.get("/api/health")
            if time.perf_counter() - started < 0.02:
                return
            await asyncio.sleep(0.2)


def health(i: int) -> tuple[str, str, None]:
    return ("GET", "/api/health", None)


async def run(label: str, env: dict[str, str], workers: int, seconds: float, rates: list[float]) -> list[LoadResult]:
    results = []
    with server(env, workers=workers) as (base, var):
        await unlimited_capacity(env.get("DATABASE_URL"), var)
        slots = slots_by_commune(base)
        await open_loop("warm-up", base, 50, 2, health)
        for rate in rates:
            await drain(base)
            results.append(await open_loop(f"{label} GET /api/health", base, rate, seconds, health))
            await drain(base)
            results.append(await open_loop(f"{label} POST /api/bookings", base, rate, seconds, booking_request(slots)))
    return results


async def fresh_postgres() -> str:
    name = f"gandan_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(PG_ADMIN)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return name


async def drop_postgres(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rates", default="50,100,250,500")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    results = asyncio.run(run("sqlite/1w", {}, 1, args.seconds, rates))
    if not args.skip_postgres:
        name = asyncio.run(fresh_postgres())
        try:
            url = f"postgresql://postgres@127.0.0.1:5432/{name}"
            results += asyncio.run(run("pg/2w", {"DATABASE_URL": url}, 2, args.seconds, rates))
        finally:
            asyncio.run(drop_postgres(name))
    print("Booking under load (client in a second process, open loop; errors: status or client-side timeout)")
    for result in results:
        print(result.line())
    for health_result, booking in zip(results[::2], results[1::2], strict=True):
        print(
            f"{booking.name.split()[0]} at {booking.rate:.0f}/s: booking p99 / health p99 = "
            f"{booking.pct(99) / health_result.pct(99):.1f}x; booking / health throughput = "
            f"{booking.achieved / health_result.achieved:.2f}"
        )


if __name__ == "__main__":
    main()
