"""Staff side of appointments: intake, dispatch, the state machine, scope, and the last slot under concurrency."""

from __future__ import annotations

import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from litestar.testing import TestClient

from backend.accounts.services import create_user
from backend.appointments.statuses import TRANSITIONS
from backend.appointments.tables import Appointment, CommuneService, LetterTask
from tests.helpers import assign_officer, bearer, booking_body, free_slots, login

CAO_LANH, MY_TRA = "29869", "29888"


@pytest.fixture(scope="module")
def tokens(client: TestClient[Any]) -> dict[str, str]:
    return {name: login(client, name)["token"] for name in ("canbo", "canbo2", "dieuphoi", "giamsat", "quantri")}


@pytest.fixture(scope="module")
def officer_ids(client: TestClient[Any], tokens: dict[str, str]) -> dict[str, str]:
    listed = client.get("/api/staff/officers/", headers=bearer(tokens["dieuphoi"])).json()
    return {o["full_name"]: o["id"] for o in listed}


def intake(client: TestClient[Any], token: str, commune: str = CAO_LANH, **overrides: Any) -> dict[str, Any]:
    slot = random.choice(free_slots(client, commune, overrides.get("kind", "receive_dossier")))
    body = booking_body(commune, slot, channel="hotline_1022", **overrides)
    body.pop("token")
    response = client.post("/api/staff/appointments/", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    return response.json()


def move(client: TestClient[Any], token: str, appointment_id: str, status: str, reason: str = "") -> Any:
    return client.post(
        f"/api/staff/appointments/{appointment_id}/status",
        json={"status": status, "reason": reason},
        headers=bearer(token),
    )


def test_intake_on_behalf_records_the_channel(client: TestClient[Any], tokens: dict[str, str]) -> None:
    created = intake(client, tokens["dieuphoi"])
    assert created["channel"] == "hotline_1022" and created["status"] == "requested"
    queue = client.get("/api/staff/appointments/", params={"status": "requested"}, headers=bearer(tokens["dieuphoi"]))
    assert created["id"] in [a["id"] for a in queue.json()]


def test_dispatch_and_field_updates_through_to_done(
    client: TestClient[Any], tokens: dict[str, str], officer_ids: dict[str, str]
) -> None:
    created = intake(client, tokens["dieuphoi"], MY_TRA)
    officer = officer_ids["Nguyễn Văn An"]  # canbo serves Mỹ Trà
    assigned = assign_officer(client, tokens["dieuphoi"], created["id"], officer, created["commune_id"])
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["status"] == "confirmed" and assigned.json()["officer_name"] == "Nguyễn Văn An"
    mine = client.get("/api/staff/appointments/", headers=bearer(tokens["canbo"])).json()
    assert created["id"] in [a["id"] for a in mine]
    versions = [created["version"], assigned.json()["version"]]
    for status in ("on_the_way", "arrived", "done"):
        response = move(client, tokens["canbo"], created["id"], status)
        assert response.status_code == 200, response.text
        versions.append(response.json()["version"])
    final = client.get(f"/api/staff/appointments/{created['id']}", headers=bearer(tokens["dieuphoi"])).json()
    assert final["status"] == "done" and final["status_vi"] == "Đã hoàn thành"
    # The version is the sync engine's change number of the last write: it grows with every write.
    assert versions == sorted(set(versions)) and final["version"] == versions[-1]


def test_an_officer_of_another_commune_cannot_be_assigned(
    client: TestClient[Any], tokens: dict[str, str], officer_ids: dict[str, str]
) -> None:
    created = intake(client, tokens["dieuphoi"], MY_TRA)
    response = client.post(
        f"/api/staff/appointments/{created['id']}/assign",
        json={"officer_id": officer_ids["Lê Thị Bích"]},  # canbo2 serves only Cao Lãnh
        headers=bearer(tokens["dieuphoi"]),
    )
    assert response.status_code == 400 and "không phụ trách" in response.json()["detail_vi"]


@pytest.mark.parametrize(
    ("current", "target"),
    [(c, t) for c in TRANSITIONS for t in TRANSITIONS if t not in TRANSITIONS[c] and t != c],
)
def test_every_invalid_transition_is_refused(
    client: TestClient[Any], run_db: Any, tokens: dict[str, str], current: str, target: str
) -> None:
    created = intake(client, tokens["giamsat"])
    run_db(
        lambda: (
            Appointment.update({Appointment.status: current}).where(Appointment.id == uuid.UUID(created["id"])).run()
        )
    )
    response = move(client, tokens["giamsat"], created["id"], target, reason="thử")
    assert response.status_code == 409, response.text
    assert response.json()["detail_vi"].startswith("Không thể chuyển lịch hẹn")
    assert response.json()["extra"]["current"] == current


def test_officers_only_touch_their_own_visits(
    client: TestClient[Any], tokens: dict[str, str], officer_ids: dict[str, str]
) -> None:
    created = intake(client, tokens["dieuphoi"], CAO_LANH)
    assign_officer(client, tokens["dieuphoi"], created["id"], officer_ids["Lê Thị Bích"], created["commune_id"])
    # canbo also serves Cao Lãnh, but this visit is canbo2's.
    assert move(client, tokens["canbo"], created["id"], "on_the_way").status_code == 404
    # An officer cannot cancel or confirm: those are the dispatcher's.
    assert move(client, tokens["canbo2"], created["id"], "cancelled", "bận").status_code == 403
    assert (
        client.post(
            f"/api/staff/appointments/{created['id']}/assign",
            json={"officer_id": officer_ids["Lê Thị Bích"]},
            headers=bearer(tokens["canbo2"]),
        ).status_code
        == 403
    )


def test_scope_keeps_communes_apart(client: TestClient[Any], run_db: Any, tokens: dict[str, str]) -> None:
    run_db(lambda: create_user("dieuphoi_sadec", "Huỳnh Văn Tâm", "dispatcher", ["29905"], "mat-khau-2026"))
    other = client.post(
        "/api/auth/login",
        json={"username": "dieuphoi_sadec", "password": "mat-khau-2026", "device_id": str(uuid.uuid4())},
    ).json()["token"]
    created = intake(client, tokens["dieuphoi"], CAO_LANH)
    assert client.get(f"/api/staff/appointments/{created['id']}", headers=bearer(other)).status_code == 404
    assert created["id"] not in [a["id"] for a in client.get("/api/staff/appointments/", headers=bearer(other)).json()]
    cancel = client.post(f"/api/staff/appointments/{created['id']}/cancel", json={"reason": "x"}, headers=bearer(other))
    assert cancel.status_code == 404
    slot = free_slots(client, CAO_LANH)[0]
    outside = booking_body(CAO_LANH, slot, channel="phone")
    assert client.post("/api/staff/appointments/", json=outside, headers=bearer(other)).status_code == 403


def test_a_visit_missed_by_the_agency_creates_an_apology_task(
    client: TestClient[Any], run_db: Any, tokens: dict[str, str], officer_ids: dict[str, str]
) -> None:
    created = intake(client, tokens["dieuphoi"], MY_TRA)
    assign_officer(client, tokens["dieuphoi"], created["id"], officer_ids["Nguyễn Văn An"], created["commune_id"])
    assert move(client, tokens["canbo"], created["id"], "missed_by_agency").status_code == 400  # a reason is needed
    response = move(client, tokens["canbo"], created["id"], "missed_by_agency", "Xe hỏng giữa đường")
    assert response.status_code == 200
    tasks = run_db(lambda: LetterTask.select().where(LetterTask.appointment_id == uuid.UUID(created["id"])).run())
    assert [(t["kind"], t["reason"], t["status"]) for t in tasks] == [("apology", "Xe hỏng giữa đường", "todo")]


def test_citizen_absent_is_recorded_without_apology(
    client: TestClient[Any], run_db: Any, tokens: dict[str, str], officer_ids: dict[str, str]
) -> None:
    created = intake(client, tokens["dieuphoi"], MY_TRA)
    assign_officer(client, tokens["dieuphoi"], created["id"], officer_ids["Nguyễn Văn An"], created["commune_id"])
    assert move(client, tokens["canbo"], created["id"], "arrived").status_code == 200
    response = move(client, tokens["canbo"], created["id"], "citizen_absent", "Gọi điện không nghe máy")
    assert response.json()["status_vi"] == "Không gặp được công dân"
    assert run_db(lambda: LetterTask.count().where(LetterTask.appointment_id == uuid.UUID(created["id"])).run()) == 0


def test_parallel_requests_for_the_last_slot_give_one_success(client: TestClient[Any], run_db: Any) -> None:
    commune = "29905"  # Phường Sa Đéc: one visit at a time, one a day
    run_db(lambda: CommuneService.insert(CommuneService(commune_id=commune, parallel_visits=1, daily_capacity=1)).run())
    try:
        slot = free_slots(client, commune)[0]
        bodies = [booking_body(commune, slot) for _ in range(8)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(pool.map(lambda b: client.post("/api/bookings/", json=b), bodies))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] + [409] * 7, [r.text for r in responses]
        refused = next(r for r in responses if r.status_code == 409).json()
        assert refused["detail_vi"].startswith("Khung giờ này vừa có người đặt")
        assert refused["extra"]["reason"] == "slot_taken"
        assert refused["extra"]["nearest_free"]  # other days still have room
        stored = run_db(lambda: Appointment.count().where(Appointment.commune_id == commune).run())
        assert stored == 1
    finally:
        run_db(lambda: CommuneService.delete().where(CommuneService.commune_id == commune).run())


def test_a_retried_intake_is_not_duplicated_and_keeps_the_old_address(
    client: TestClient[Any], run_db: Any, tokens: dict[str, str]
) -> None:
    import secrets

    slot = random.choice(free_slots(client, MY_TRA))
    body = booking_body(
        MY_TRA,
        slot,
        channel="zalo",
        token=secrets.token_urlsafe(32),
        legacy_commune="Xã Mỹ Trà",
        legacy_district="TP Cao Lãnh",
    )
    first = client.post("/api/staff/appointments/", json=body, headers=bearer(tokens["dieuphoi"]))
    again = client.post("/api/staff/appointments/", json=body, headers=bearer(tokens["dieuphoi"]))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["reference"] == first.json()["reference"]
    assert first.json()["legacy_address"] == "Xã Mỹ Trà, TP Cao Lãnh"
    other = client.post("/api/staff/appointments/", json=body, headers=bearer(tokens["giamsat"]))
    assert other.status_code == 409  # the same id from someone else is not a retry
    assert run_db(lambda: Appointment.count().where(Appointment.id == uuid.UUID(body["id"])).run()) == 1
