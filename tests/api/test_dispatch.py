"""Staff side of appointments: intake, dispatch, the state machine, scope, and the last slot under concurrency."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from litestar.testing import TestClient

from backend.accounts.services import create_user
from backend.accounts.tables import AuditLog
from backend.appointments.statuses import TRANSITIONS
from backend.appointments.tables import Appointment, AppointmentEvent, CommuneService, LetterTask
from backend.db.columns import utcnow
from tests.api.appointment_kit import assign as kit_assign
from tests.api.appointment_kit import book as kit_book
from tests.api.appointment_kit import later_day, make_team, officer_token, staff_view
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


# ---- Moving a visit never double-books its officer (issue 8, item 1)


def _officer_with_two_visits(client: TestClient[Any], run_db: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """An officer serving two communes, with a confirmed visit in each at different times of one day."""
    team = make_team(client, run_db, communes=2)
    x, y = team.communes
    day = later_day(client, x, y)
    first = kit_book(client, x, day[0])
    second = kit_book(client, y, day[-1])
    for visit in (first, second):
        response = kit_assign(client, team.dispatcher, visit["id"], team.officer["id"])
        assert response.status_code == 200, response.text
    return team, first, second


def test_a_dispatcher_cannot_move_a_visit_onto_its_officers_other_visit(client: TestClient[Any], run_db: Any) -> None:
    team, first, second = _officer_with_two_visits(client, run_db)
    before = staff_view(client, team.dispatcher, second["id"]).json()
    moved = client.post(
        f"/api/staff/appointments/{second['id']}/reschedule",
        json={"slot_start": first["slot_start"], "reason": "Công dân xin đổi"},
        headers=bearer(team.dispatcher),
    )
    assert moved.status_code == 409, moved.text
    assert moved.json()["extra"]["reason"] == "officer_busy"
    assert moved.json()["detail_vi"].startswith("Cán bộ đã có lịch hẹn khác")
    after = staff_view(client, team.dispatcher, second["id"]).json()
    assert after == before  # nothing written


def test_a_citizen_moving_onto_the_officers_other_visit_sends_it_back_to_the_dispatcher(
    client: TestClient[Any], run_db: Any
) -> None:
    team, first, second = _officer_with_two_visits(client, run_db)
    moved = client.post(
        f"/api/bookings/{second['reference']}/reschedule",
        json={"slot_start": first["slot_start"]},
        headers={"X-Booking-Token": second["token"]},
    )
    assert moved.status_code == 200, moved.text
    shown = moved.json()
    assert dt.datetime.fromisoformat(shown["slot_start"]) == dt.datetime.fromisoformat(first["slot_start"])
    assert shown["status"] == "requested" and shown["status_vi"] == "Mới đăng ký"  # waiting for a new officer
    staff = staff_view(client, team.dispatcher, second["id"]).json()
    assert staff["officer_id"] is None and "chờ phân công lại" in staff["status_reason"]
    queue = client.get("/api/staff/appointments/", params={"status": "requested"}, headers=bearer(team.dispatcher))
    assert second["id"] in [a["id"] for a in queue.json()]
    # The officer keeps the other visit, and is never out at two houses at once.
    mine = client.get("/api/staff/appointments/", headers=bearer(officer_token(client, team.officer))).json()
    assert [(a["id"], a["status"]) for a in mine] == [(first["id"], "confirmed")]
    # The dispatcher cannot give it back to the same officer at that time either.
    again = kit_assign(client, team.dispatcher, second["id"], team.officer["id"])
    assert again.status_code == 409 and again.json()["extra"]["reason"] == "officer_busy"


def test_a_citizen_move_to_a_time_the_officer_is_free_keeps_the_officer(client: TestClient[Any], run_db: Any) -> None:
    team, first, second = _officer_with_two_visits(client, run_db)
    day = later_day(client, *team.communes)
    taken = dt.datetime.fromisoformat(first["slot_start"])
    free = next(s for s in day if abs(dt.datetime.fromisoformat(s) - taken) >= dt.timedelta(hours=1))
    moved = client.post(
        f"/api/bookings/{second['reference']}/reschedule",
        json={"slot_start": free},
        headers={"X-Booking-Token": second["token"]},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "confirmed"
    assert staff_view(client, team.dispatcher, second["id"]).json()["officer_id"] == team.officer["id"]


# ---- Staff writes name the version they were based on (issue 8, item 2)


def _requested(client: TestClient[Any], run_db: Any) -> tuple[Any, dict[str, Any], list[str]]:
    team = make_team(client, run_db, communes=1, officers=2)
    day = later_day(client, team.communes[0])
    return team, kit_book(client, team.communes[0], day[0]), day


STALE_WRITES = ["assign", "reschedule", "cancel", "status"]


def _write(kind: str, team: Any, visit: dict[str, Any], day: list[str]) -> tuple[str, dict[str, Any]]:
    url = f"/api/staff/appointments/{visit['id']}/{kind}"
    body: dict[str, Any] = {
        "assign": {"officer_id": team.officers[1]["id"]},
        "reschedule": {"slot_start": day[2], "reason": "Công dân xin đổi"},
        "cancel": {"reason": "Công dân gọi 1022 xin huỷ"},
        "status": {"status": "requested", "reason": "Trả về điều phối"},
    }[kind]
    return url, body


@pytest.mark.parametrize("how", ["if_match", "body"])
@pytest.mark.parametrize("kind", STALE_WRITES)
def test_a_write_based_on_an_old_version_is_refused_with_the_current_state(
    client: TestClient[Any], run_db: Any, kind: str, how: str
) -> None:
    team, visit, day = _requested(client, run_db)
    # Dispatcher 1 opens the visit (version v) …
    seen = staff_view(client, team.dispatcher2, visit["id"])
    assert seen.headers["etag"] == f'"{seen.json()["version"]}"'
    # … meanwhile dispatcher 2 gives it to the first officer, which makes a new version.
    colleague = kit_assign(
        client, team.dispatcher, visit["id"], team.officers[0]["id"], expect_version=seen.json()["version"]
    )
    assert colleague.status_code == 200, colleague.text
    assert colleague.headers["etag"] == f'"{colleague.json()["version"]}"'
    assert colleague.json()["version"] > seen.json()["version"]
    # Dispatcher 1 acts on what they saw: refused, nothing written, the current state in the answer.
    url, body = _write(kind, team, visit, day)
    if how == "if_match":
        headers = {**bearer(team.dispatcher2), "If-Match": seen.headers["etag"]}
    else:
        headers, body = bearer(team.dispatcher2), {**body, "expect_version": seen.json()["version"]}
    refused = client.post(url, json=body, headers=headers)
    assert refused.status_code == 409, refused.text
    error = refused.json()
    assert error["extra"]["reason"] == "stale" and error["detail_vi"].startswith("Lịch hẹn vừa được thay đổi")
    assert error["extra"]["current_version"] == colleague.json()["version"]
    assert refused.headers["etag"] == colleague.headers["etag"]
    current = error["extra"]["appointment"]
    assert current["officer_id"] == team.officers[0]["id"] and current["status"] == "confirmed"
    assert current == colleague.json()
    assert staff_view(client, team.dispatcher, visit["id"]).json() == colleague.json()  # nothing written

    # With the version they now see, the same write goes through.
    if how == "if_match":
        headers = {**bearer(team.dispatcher2), "If-Match": refused.headers["etag"]}
    else:
        body = {**body, "expect_version": current["version"]}
    retried = client.post(url, json=body, headers=headers)
    assert retried.status_code == 200, retried.text
    assert retried.json()["version"] > current["version"]
    assert retried.headers["etag"] == f'"{retried.json()["version"]}"'


def test_a_write_without_a_version_still_works(client: TestClient[Any], run_db: Any) -> None:
    """The precondition is optional (docs/decisions/0005): older clients keep working."""
    team, visit, _ = _requested(client, run_db)
    response = kit_assign(client, team.dispatcher, visit["id"], team.officers[0]["id"])
    assert response.status_code == 200 and response.headers["etag"] == f'"{response.json()["version"]}"'


@pytest.mark.parametrize(
    ("if_match", "expect", "status"),
    [
        ("not-a-tag", None, 400),
        ('"1", "2"', None, 400),
        ('"{v}"', "{v1}", 400),  # header and body disagree
        ('W/"{v}"', None, 200),  # a weak tag from a compressing proxy names the same version
        ("*", None, 200),
        ('"{v}"', "{v}", 200),
    ],
)
def test_if_match_forms(client: TestClient[Any], run_db: Any, if_match: str, expect: str | None, status: int) -> None:
    team, visit, _ = _requested(client, run_db)
    v = staff_view(client, team.dispatcher, visit["id"]).json()["version"]
    body: dict[str, Any] = {"officer_id": team.officers[0]["id"]}
    if expect is not None:
        body["expect_version"] = int(expect.format(v=v, v1=v + 1))
    response = client.post(
        f"/api/staff/appointments/{visit['id']}/assign",
        json=body,
        headers={**bearer(team.dispatcher), "If-Match": if_match.format(v=v)},
    )
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json()["detail_vi"].startswith("Điều kiện phiên bản")


def test_an_intake_retry_holds_to_its_version(client: TestClient[Any], run_db: Any) -> None:
    import secrets

    team, _, day = _requested(client, run_db)
    body = booking_body(team.communes[0], day[1], channel="phone", token=secrets.token_urlsafe(32))
    new_with_version = client.post(
        "/api/staff/appointments/", json={**body, "expect_version": 5}, headers=bearer(team.dispatcher)
    )
    assert new_with_version.status_code == 409  # a version of a row that does not exist yet
    assert new_with_version.json()["extra"]["reason"] == "stale"
    created = client.post("/api/staff/appointments/", json=body, headers=bearer(team.dispatcher))
    assert created.status_code == 201 and created.headers["etag"] == f'"{created.json()["version"]}"'
    retry = client.post(
        "/api/staff/appointments/", json=body, headers={**bearer(team.dispatcher), "If-Match": created.headers["etag"]}
    )
    assert retry.status_code == 200 and retry.json() == created.json()
    kit_assign(client, team.dispatcher2, created.json()["id"], team.officers[0]["id"])
    stale = client.post(
        "/api/staff/appointments/", json=body, headers={**bearer(team.dispatcher), "If-Match": created.headers["etag"]}
    )
    assert stale.status_code == 409 and stale.json()["extra"]["appointment"]["status"] == "confirmed"


# ---- Every input has a defined answer (issue 8, item 7)


def _history(run_db: Any, appointment_id: str) -> list[str]:
    rows = run_db(
        lambda: (
            AppointmentEvent.select(AppointmentEvent.action)
            .where(AppointmentEvent.appointment_id == uuid.UUID(appointment_id))
            .order_by(AppointmentEvent._meta.primary_key)
            .run()
        )
    )
    return [r["action"] for r in rows]


def test_a_repeated_write_changes_records_and_tells_nothing(client: TestClient[Any], run_db: Any) -> None:
    """A double click on "Phân công", a retried request, a move to the time it already has: the same 200,
    and no second event in the citizen's history, no second audit entry, no second notification."""
    team, visit, _ = _requested(client, run_db)
    first = kit_assign(client, team.dispatcher, visit["id"], team.officer["id"])
    again = kit_assign(client, team.dispatcher, visit["id"], team.officer["id"])
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json()
    same_time = client.post(
        f"/api/staff/appointments/{visit['id']}/reschedule",
        json={"slot_start": visit["slot_start"]},
        headers=bearer(team.dispatcher),
    )
    assert same_time.status_code == 200 and same_time.json() == first.json()
    citizen_same = client.post(
        f"/api/bookings/{visit['reference']}/reschedule",
        json={"slot_start": visit["slot_start"]},
        headers={"X-Booking-Token": visit["token"]},
    )
    assert citizen_same.status_code == 200
    assert _history(run_db, visit["id"]) == ["created", "assigned"]
    audited = run_db(lambda: AuditLog.count().where(AuditLog.entity_id == visit["id"]).run())
    assert audited == 2


def test_confirming_through_the_status_route_needs_an_officer(client: TestClient[Any], run_db: Any) -> None:
    team, visit, _ = _requested(client, run_db)
    response = client.post(
        f"/api/staff/appointments/{visit['id']}/status", json={"status": "confirmed"}, headers=bearer(team.dispatcher)
    )
    assert response.status_code == 400 and response.json()["extra"]["field"] == "status"
    assert response.json()["detail_vi"] == "Vui lòng phân công cán bộ để xác nhận lịch hẹn."
    assert staff_view(client, team.dispatcher, visit["id"]).json()["status"] == "requested"


def test_confirming_a_requested_time_that_has_passed_is_refused(client: TestClient[Any], run_db: Any) -> None:
    team, visit, _ = _requested(client, run_db)
    past = utcnow() - dt.timedelta(hours=1)
    run_db(
        lambda: (
            Appointment.update({Appointment.slot_start: past, Appointment.slot_end: past + dt.timedelta(minutes=45)})
            .where(Appointment.id == uuid.UUID(visit["id"]))
            .run()
        )
    )
    response = kit_assign(client, team.dispatcher, visit["id"], team.officer["id"])
    assert response.status_code == 409, response.text
    assert response.json()["extra"]["reason"] == "slot_past" and response.json()["extra"]["nearest_free"]
    assert response.json()["detail_vi"].startswith("Giờ hẹn công dân chọn đã qua")
    moved = kit_assign(
        client, team.dispatcher, visit["id"], team.officer["id"], slot_start=response.json()["extra"]["nearest_free"][0]
    )
    assert moved.status_code == 200, moved.text


def test_a_day_at_the_edge_of_the_calendar_has_a_defined_answer(
    client: TestClient[Any], tokens: dict[str, str]
) -> None:
    """Year 1 at +07:00 starts in year 0 UTC, which neither Python nor PostgreSQL has (it was a 500 there)."""
    first = client.get("/api/staff/appointments/", params={"day": "0001-01-01"}, headers=bearer(tokens["dieuphoi"]))
    assert first.status_code == 400, first.text
    assert first.json()["detail_vi"] == "Ngày giờ không hợp lệ."
    last = client.get("/api/staff/appointments/", params={"day": "9999-12-31"}, headers=bearer(tokens["dieuphoi"]))
    assert (last.status_code, last.json()) == (200, [])
