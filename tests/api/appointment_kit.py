"""Test data of one's own for the appointment tests: communes nobody else books in, with their own officer.

The demo officers serve the demo wards, where every test books; a test that needs an officer with a free day
(to put two visits at the same time, say) makes its own team here. Communes are handed out once per session,
so two tests never share one.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from litestar.testing import TestClient

from backend.accounts.passwords import hash_password
from backend.accounts.tables import StaffUser
from backend.catalog.tables import AdminUnit
from tests.helpers import bearer, booking_body, free_slots, login

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "mat-khau-thu-2026"
_given: set[str] = set()
_lock = threading.Lock()


def fresh_communes(run_db: Any, n: int) -> list[str]:
    """n communes that no staff user but the admins serves and no other test of this session was given."""

    async def unserved() -> list[str]:
        codes = [r["code"] for r in await AdminUnit.select(AdminUnit.code).where(AdminUnit.level == "commune")]
        served = {
            c
            for r in await StaffUser.select(StaffUser.communes).where(StaffUser.role != "admin").output(load_json=True)
            for c in r["communes"] or []
        }
        return sorted(set(codes) - served)

    candidates = run_db(unserved)
    with _lock:
        free = [c for c in candidates if c not in _given]
        assert len(free) >= n, "no unserved communes left for this session's tests"
        chosen = random.sample(free, n)
        _given.update(chosen)
    return chosen


@dataclass
class Team:
    communes: list[str]
    officers: list[dict[str, str]]  # {"id", "username"}
    dispatcher: str  # a session token of staff who may dispatch in these communes (the demo admin)
    dispatcher2: str  # another session (another device) of the same

    @property
    def officer(self) -> dict[str, str]:
        return self.officers[0]


_password_hash: list[str] = []
_admin_sessions: list[str] = []


def make_team(client: TestClient[Any], run_db: Any, communes: int = 2, officers: int = 1) -> Team:
    """Officers of one's own in fresh communes. The rows are written directly with one password hash
    computed once (argon2 costs half a second a time); the dispatchers are two sessions of the demo admin,
    who serves every commune."""
    codes = fresh_communes(run_db, communes)
    if not _password_hash:
        _password_hash.append(hash_password(PASSWORD))
    tag = uuid.uuid4().hex[:8]
    people = [
        {"id": str(uuid.uuid4()), "username": f"canbo_{tag}_{i}", "full_name": f"Cán bộ thử {i} {tag}"}
        for i in range(officers)
    ]
    rows = [
        StaffUser(
            id=uuid.UUID(p["id"]),
            username=p["username"],
            full_name=p["full_name"],
            role="officer",
            communes=codes,
            password_hash=_password_hash[0],
        )
        for p in people
    ]
    run_db(lambda: StaffUser.insert(*rows).run())
    while len(_admin_sessions) < 2:
        _admin_sessions.append(login(client, "quantri")["token"])
    return Team(codes, people, _admin_sessions[0], _admin_sessions[1])


def officer_token(client: TestClient[Any], officer: dict[str, str]) -> str:
    """Log the officer in (once)."""
    if "token" not in officer:
        response = client.post(
            "/api/auth/login",
            json={"username": officer["username"], "password": PASSWORD, "device_id": str(uuid.uuid4())},
        )
        assert response.status_code == 200, response.text
        officer["token"] = response.json()["token"]
    return officer["token"]


def slots_by_day(client: TestClient[Any], commune: str, kind: str = "receive_dossier") -> dict[dt.date, list[str]]:
    """The free starts of a commune, per local day, from the availability API."""
    days: dict[dt.date, list[str]] = {}
    for start in free_slots(client, commune, kind):
        days.setdefault(dt.datetime.fromisoformat(start).astimezone(VN).date(), []).append(start)
    return days


def later_day(client: TestClient[Any], *communes: str, kind: str = "receive_dossier") -> list[str]:
    """The starts free in all these communes on one day that is not the first bookable one (so that the
    minimum notice for the citizen's changes cannot run out during the test), at least four of them."""
    per = [slots_by_day(client, c, kind) for c in communes]
    days = sorted(set.intersection(*(set(p) for p in per)))
    for day in days[1:]:
        common = sorted(set.intersection(*(set(p[day]) for p in per)), key=dt.datetime.fromisoformat)
        if len(common) >= 4:
            return common
    raise AssertionError(f"no day with four free slots in {communes}")


def book(client: TestClient[Any], commune: str, slot: str, **overrides: Any) -> dict[str, Any]:
    """A citizen's booking; returns the response with the secret added."""
    body = booking_body(commune, slot, **overrides)
    response = client.post("/api/bookings/", json=body)
    assert response.status_code == 201, response.text
    return {**response.json(), "token": body["token"], "body": body}


def assign(client: TestClient[Any], token: str, appointment_id: str, officer_id: str, **extra: Any) -> Any:
    return client.post(
        f"/api/staff/appointments/{appointment_id}/assign",
        json={"officer_id": officer_id, **extra},
        headers=bearer(token),
    )


def staff_view(client: TestClient[Any], token: str, appointment_id: str) -> Any:
    return client.get(f"/api/staff/appointments/{appointment_id}", headers=bearer(token))
