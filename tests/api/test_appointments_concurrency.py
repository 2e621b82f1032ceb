"""Bookings and dispatch under real concurrency: requests sent at the same instant to a real server process.

The Litestar test client runs the app on one event loop in this process; here `gandan serve` runs with two web
workers against the test database (SQLite file or PostgreSQL), and each request has its own thread and its own
HTTP connection, released together from a barrier. What must hold is checked in the answers and in the database,
never in timings: on PostgreSQL these are the races that per-key locks (lock_for_transaction) close; on SQLite
the single writer already closes them, and the same answers are expected.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from backend.appointments.tables import Appointment
from tests.api.appointment_kit import assign as kit_assign
from tests.api.appointment_kit import book as kit_book
from tests.api.appointment_kit import fresh_communes, later_day, make_team
from tests.helpers import bearer, booking_body, free_slots, random_phone
from tests.servers import running_server, server_env


@pytest.fixture(scope="module")
def server(client: TestClient[Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`gandan serve` with two workers on the test database; its base URL."""
    tmp = tmp_path_factory.mktemp("race")
    with running_server(server_env(tmp / "var", WEB_WORKERS="2"), tmp / "server.log") as served:
        yield served.url


def at_once(base: str, calls: list[Callable[[httpx.Client], httpx.Response]]) -> list[httpx.Response]:
    """Run the calls in parallel threads, each on its own open connection, released together."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[httpx.Client], httpx.Response]) -> httpx.Response:
        with httpx.Client(base_url=base, timeout=60) as http:
            http.get("/api/health")  # connected before the barrier: only the request itself races
            barrier.wait(timeout=60)
            return call(http)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def post(path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Callable[[httpx.Client], Any]:
    return lambda http: http.post(path, json=body, headers=headers or {})


def test_the_daily_limit_per_phone_holds_for_parallel_bookings(
    client: TestClient[Any], run_db: Any, server: str
) -> None:
    """Eight bookings from one phone to eight communes at the same instant: three go through (the limit)."""
    phone = random_phone()
    communes = fresh_communes(run_db, 8)
    bodies = [booking_body(c, free_slots(client, c)[0], citizen_phone=phone) for c in communes]
    responses = at_once(server, [post("/api/bookings/", b) for b in bodies])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 3 + [429] * 5, [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 429).json()
    assert refused["detail_vi"].startswith("Số điện thoại này đã đặt 3 lịch hẹn")
    stored = run_db(lambda: Appointment.count().where(Appointment.citizen_phone == phone).run())
    assert stored == 3


def test_identical_retries_at_the_same_instant_get_the_same_booking(
    client: TestClient[Any], run_db: Any, server: str
) -> None:
    """A phone that resends its booking while the first attempt runs: one 201, the others the same as a later
    retry would get (200, same reference), never a 500 from the unique key nor a 409 for its own slot."""
    for commune in fresh_communes(run_db, 3):
        body = booking_body(commune, free_slots(client, commune)[0])
        responses = at_once(server, [post("/api/bookings/", body) for _ in range(6)])
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] * 5 + [201], [r.text for r in responses]
        assert len({r.json()["reference"] for r in responses}) == 1
        assert {r.json()["id"] for r in responses} == {body["id"]}
        assert run_db(lambda b=body: Appointment.count().where(Appointment.id == uuid.UUID(b["id"])).run()) == 1
        later = client.post("/api/bookings/", json=body)
        assert later.status_code == 200 and later.json()["reference"] == responses[0].json()["reference"]


def _overlapping_visits(run_db: Any, officer_id: str) -> list[tuple[Any, Any]]:
    rows = run_db(
        lambda: (
            Appointment.select(Appointment.slot_start, Appointment.slot_end)
            .where(
                (Appointment.officer_id == uuid.UUID(officer_id))
                & Appointment.status.is_in(["confirmed", "on_the_way", "arrived"])
            )
            .order_by(Appointment.slot_start)
            .run()
        )
    )
    travel = dt.timedelta(minutes=15)  # the default buffer between two visits
    return [(a, b) for a, b in itertools.pairwise(rows) if b["slot_start"] < a["slot_end"] + travel]


def test_an_officer_is_never_double_booked_by_parallel_assign_and_reschedule(
    client: TestClient[Any], run_db: Any, server: str
) -> None:
    """One dispatcher gives visit A (commune X, 08:00) to an officer while another moves the officer's visit B
    (commune Y) to 08:00: different communes, so only the officer's lock stands between them. One wins."""
    for _ in range(3):
        team = make_team(client, run_db, communes=2)
        x, y = team.communes
        day = later_day(client, x, y)
        a = kit_book(client, x, day[0])
        b = kit_book(client, y, day[-1])
        assert kit_assign(client, team.dispatcher, b["id"], team.officer["id"]).status_code == 200
        responses = at_once(
            server,
            [
                post(
                    f"/api/staff/appointments/{a['id']}/assign",
                    {"officer_id": team.officer["id"]},
                    bearer(team.dispatcher),
                ),
                post(
                    f"/api/staff/appointments/{b['id']}/reschedule",
                    {"slot_start": a["slot_start"], "reason": "Công dân xin đổi"},
                    bearer(team.dispatcher2),
                ),
            ],
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 409], [r.text for r in responses]
        refused = next(r for r in responses if r.status_code == 409).json()
        assert refused["extra"]["reason"] == "officer_busy"
        assert _overlapping_visits(run_db, team.officer["id"]) == []


def test_an_officer_is_never_double_booked_by_parallel_assigns(
    client: TestClient[Any], run_db: Any, server: str
) -> None:
    """Two dispatchers give two visits at the same time in two communes to the same officer at once."""
    for _ in range(3):
        team = make_team(client, run_db, communes=2)
        x, y = team.communes
        day = later_day(client, x, y)
        a, b = kit_book(client, x, day[0]), kit_book(client, y, day[0])
        responses = at_once(
            server,
            [
                post(f"/api/staff/appointments/{v['id']}/assign", {"officer_id": team.officer["id"]}, bearer(token))
                for v, token in ((a, team.dispatcher), (b, team.dispatcher2))
            ],
        )
        assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
        assert _overlapping_visits(run_db, team.officer["id"]) == []
