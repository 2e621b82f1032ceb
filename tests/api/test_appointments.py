"""Home-visit booking by citizens, availability, the secret link, and the calendar file."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from litestar.testing import TestClient

from backend.accounts.tables import AuditLog
from backend.appointments.tables import Appointment, Holiday
from backend.db.columns import utcnow
from tests.helpers import assign_officer, booking_body, free_slots, random_phone

CAO_LANH, MY_TRA = "29869", "29888"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def book(client: TestClient[Any], commune: str = CAO_LANH, **overrides: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    slot = random.choice(free_slots(client, commune, overrides.get("kind", "receive_dossier")))
    body = booking_body(commune, slot, **overrides)
    response = client.post("/api/bookings/", json=body)
    assert response.status_code == 201, response.text
    return body, response.json()


def token_header(token: str) -> dict[str, str]:
    return {"X-Booking-Token": token}


def test_consent_text_is_versioned_and_bilingual(client: TestClient[Any]) -> None:
    consent = client.get("/api/bookings/consent").json()
    assert consent["version"] == "2026-11"
    assert "91/2025/QH15" in consent["text_vi"] and "rút lại" in consent["text_vi"]
    assert "withdraw" in consent["text_en"]


def test_availability_follows_hours_notice_and_holidays(client: TestClient[Any], run_db: Any) -> None:
    today = utcnow().astimezone(VN).date()  # the server's day (tests may start its clock anywhere)
    known = {r["day"] for r in run_db(lambda: Holiday.select(Holiday.day).run())}
    # A weekday in the coming days, not already a holiday, declared one: no slots, and it says why.
    holiday = next(
        day for day in (today + dt.timedelta(days=d) for d in range(3, 20)) if day.weekday() < 5 and day not in known
    )
    run_db(lambda: Holiday.insert(Holiday(day=holiday, name="Ngày nghỉ thử")).run())
    try:
        days = client.get(
            "/api/bookings/availability", params={"commune_id": CAO_LANH, "kind": "guide", "days": 21}
        ).json()
    finally:
        run_db(lambda: Holiday.delete().where(Holiday.day == holiday).run())
    assert days["timezone"] == "Asia/Ho_Chi_Minh" and days["slot_minutes"] == 45
    by_day = {d["day"]: d for d in days["days"]}
    assert by_day[holiday.isoformat()]["holiday"] == "Ngày nghỉ thử" and by_day[holiday.isoformat()]["slots"] == []
    earliest = utcnow() + dt.timedelta(hours=2)
    for day in days["days"]:
        weekday = dt.date.fromisoformat(day["day"]).weekday()
        if weekday >= 5:
            assert day["slots"] == [], "no visits at weekends by default"
        for slot in day["slots"]:
            start = dt.datetime.fromisoformat(slot["start"])
            local = start.astimezone(VN)
            assert start >= earliest
            assert slot["label"] == local.strftime("%H:%M")
            morning = dt.time(7, 30) <= local.time() and (local + dt.timedelta(minutes=45)).time() <= dt.time(11, 30)
            afternoon = dt.time(13, 30) <= local.time() and (local + dt.timedelta(minutes=45)).time() <= dt.time(17)
            assert morning or afternoon, slot
    assert any(d["slots"] for d in days["days"])


def test_book_then_follow_with_the_secret_link(client: TestClient[Any], run_db: Any) -> None:
    body, created = book(client)
    assert created["status"] == "requested" and created["status_vi"] == "Mới đăng ký"
    assert len(created["reference"]) == 9 and created["reference"][4] == "-"
    assert created["token"] == body["token"]
    assert created["link"].endswith(f"/lich-hen/{created['reference']}#{body['token']}")
    assert created["procedure_name"] == "Đăng ký khai sinh" and created["commune_name"] == "Phường Cao Lãnh"
    assert created["kind_vi"] == "Tiếp nhận hồ sơ"
    assert created["can_change"] is True
    shown = client.get(f"/api/bookings/{created['reference']}", headers=token_header(body["token"]))
    assert shown.status_code == 200 and shown.json()["history"][0]["status_vi"] == "Mới đăng ký"
    # Wrong secret, or another booking's secret: the same 404, nothing revealed.
    other_body, _other = book(client)
    for token in ("x" * 43, other_body["token"]):
        refused = client.get(f"/api/bookings/{created['reference']}", headers=token_header(token))
        assert refused.status_code == 404 and refused.json()["detail_vi"] == "Không tìm thấy lịch hẹn."
    assert client.get(f"/api/bookings/{created['reference']}").status_code == 400  # no secret at all
    stored = run_db(lambda: Appointment.select().where(Appointment.id == uuid.UUID(body["id"])).first().run())
    assert body["token"] not in str(stored)  # only a digest is kept
    audit = run_db(
        lambda: AuditLog.count().where((AuditLog.entity_id == body["id"]) & (AuditLog.action == "create")).run()
    )
    assert audit == 1


def test_a_retried_booking_is_not_duplicated(client: TestClient[Any], run_db: Any) -> None:
    slot = free_slots(client, MY_TRA)[0]
    body = booking_body(MY_TRA, slot)
    first = client.post("/api/bookings/", json=body)
    again = client.post("/api/bookings/", json=body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]
    assert run_db(lambda: Appointment.count().where(Appointment.id == uuid.UUID(body["id"])).run()) == 1
    hijack = client.post("/api/bookings/", json={**body, "token": "y" * 43})
    assert hijack.status_code == 409


def test_booking_needs_explicit_consent_and_writes_nothing_without_it(client: TestClient[Any], run_db: Any) -> None:
    slot = free_slots(client, CAO_LANH)[0]
    before = run_db(lambda: Appointment.count().run())
    refused = client.post(
        "/api/bookings/", json=booking_body(CAO_LANH, slot, consent={"accepted": False, "version": "2026-11"})
    )
    assert refused.status_code == 400
    assert refused.json()["detail_vi"].startswith("Vui lòng đọc và đồng ý")
    outdated = client.post(
        "/api/bookings/", json=booking_body(CAO_LANH, slot, consent={"accepted": True, "version": "2020-01"})
    )
    assert outdated.status_code == 400 and outdated.json()["extra"]["current_version"] == "2026-11"
    missing = client.post(
        "/api/bookings/", json={k: v for k, v in booking_body(CAO_LANH, slot).items() if k != "consent"}
    )
    assert missing.status_code == 400
    assert run_db(lambda: Appointment.count().run()) == before


def test_an_old_address_is_mapped_to_its_new_ward(client: TestClient[Any]) -> None:
    slot = free_slots(client, MY_TRA)[0]
    body = booking_body(MY_TRA, slot, commune_id=None, legacy_commune="xã Mỹ Trà", legacy_district="TP. Cao Lãnh")
    created = client.post("/api/bookings/", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["commune_id"] == MY_TRA and created.json()["commune_name"] == "Phường Mỹ Trà"
    vague = client.post(
        "/api/bookings/", json={**body, "id": str(uuid.uuid4()), "legacy_commune": "Phường 1", "legacy_district": None}
    )
    assert vague.status_code == 400 and len(vague.json()["extra"]["candidates"]) > 1


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"citizen_phone": "12345"}, "citizen_phone"),
        ({"citizen_phone": "0912 abc 678"}, "citizen_phone"),
        ({"procedure_code": "9.999999"}, "procedure_code"),
        ({"commune_id": "00001"}, "commune_id"),
        ({"kind": "teleport"}, "kind"),
        ({"citizen_name": ""}, "citizen_name"),
        ({"address_detail": "x" * 301}, "address_detail"),
        ({"token": "short"}, "token"),
        ({"slot_start": "2026-13-01T09:00:00+07:00"}, "slot_start"),
    ],
)
def test_bad_booking_fields_are_refused_clearly(client: TestClient[Any], override: dict[str, Any], field: str) -> None:
    slot = free_slots(client, CAO_LANH)[0]
    response = client.post("/api/bookings/", json=booking_body(CAO_LANH, slot, **override))
    assert response.status_code == 400, response.text
    error = response.json()
    assert field in error["detail"] or error.get("extra", {}).get("field") == field or field in str(error.get("extra"))
    assert error["detail_vi"]


def test_times_outside_hours_or_too_soon_are_refused(client: TestClient[Any]) -> None:
    now = utcnow().astimezone(VN)  # the server's clock
    # A night three days ahead: never within the notice, always outside hours, whatever the day.
    at_night = dt.datetime.combine(now.date() + dt.timedelta(days=3), dt.time(22, 0), VN).isoformat()
    # The grid start (every 30 minutes) just after now: less than the two hours' notice away.
    too_soon = (now + dt.timedelta(minutes=30 - now.minute % 30)).replace(second=0, microsecond=0).isoformat()
    for slot, expected in ((at_night, "ngoài giờ làm việc"), (too_soon, "trước ít nhất 2 giờ")):
        response = client.post("/api/bookings/", json=booking_body(CAO_LANH, slot))
        assert response.status_code == 400
        assert expected in response.json()["detail_vi"]
    naive = client.post("/api/bookings/", json=booking_body(CAO_LANH, "2030-01-01T09:00:00"))
    assert naive.status_code == 400


def test_reschedule_then_cancel_by_the_citizen(client: TestClient[Any]) -> None:
    body, created = book(client, kind="guide")
    ref, headers = created["reference"], token_header(body["token"])
    other = next(s for s in free_slots(client, CAO_LANH, "guide") if s != body["slot_start"])
    moved = client.post(f"/api/bookings/{ref}/reschedule", headers=headers, json={"slot_start": other})
    assert moved.status_code == 200
    assert dt.datetime.fromisoformat(moved.json()["slot_start"]) == dt.datetime.fromisoformat(other)
    assert [h["action"] for h in moved.json()["history"]] == ["created", "rescheduled"]
    cancelled = client.post(f"/api/bookings/{ref}/cancel", headers=headers, json={"reason": "Đã tự đi làm"})
    assert cancelled.status_code == 200 and cancelled.json()["status_vi"] == "Đã huỷ"
    assert cancelled.json()["can_change"] is False
    again = client.post(f"/api/bookings/{ref}/reschedule", headers=headers, json={"slot_start": other})
    assert again.status_code == 409


def test_no_change_closer_than_the_minimum_notice(client: TestClient[Any], run_db: Any) -> None:
    body, created = book(client)
    soon = utcnow() + dt.timedelta(minutes=90)
    run_db(
        lambda: (
            Appointment.update({Appointment.slot_start: soon, Appointment.slot_end: soon + dt.timedelta(minutes=45)})
            .where(Appointment.id == uuid.UUID(body["id"]))
            .run()
        )
    )
    refused = client.post(f"/api/bookings/{created['reference']}/cancel", headers=token_header(body["token"]), json={})
    assert refused.status_code == 409
    assert "trước giờ hẹn ít nhất 2 giờ" in refused.json()["detail_vi"]
    assert (
        client.get(f"/api/bookings/{created['reference']}", headers=token_header(body["token"])).json()["can_change"]
        is False
    )


def test_withdrawing_consent_cancels_and_erases(client: TestClient[Any], run_db: Any) -> None:
    body, created = book(client)
    response = client.post(
        f"/api/bookings/{created['reference']}/withdraw-consent", headers=token_header(body["token"])
    )
    assert response.status_code == 200
    out = response.json()
    assert out["status"] == "cancelled" and out["consent_withdrawn"] is True
    assert out["citizen_phone"] == "" and body["citizen_name"] not in str(out)
    stored = run_db(lambda: Appointment.select().where(Appointment.id == uuid.UUID(body["id"])).first().run())
    assert stored["citizen_phone"] == "" and stored["address_detail"] == "(đã xoá)"


def test_calendar_file_has_local_times_and_a_stable_uid(client: TestClient[Any]) -> None:
    body, created = book(client, kind="guide")
    headers = token_header(body["token"])
    first = client.get(f"/api/bookings/{created['reference']}/calendar.ics", headers=headers)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/calendar")
    event = next(c for c in Calendar.from_ical(first.content).walk("VEVENT"))
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "Asia/Ho_Chi_Minh"
    assert start == dt.datetime.fromisoformat(created["slot_start"])
    assert event.decoded("dtend") - start == dt.timedelta(minutes=45)
    assert created["reference"] in str(event.get("description"))
    other = next(s for s in free_slots(client, CAO_LANH, "guide") if s != body["slot_start"])
    client.post(f"/api/bookings/{created['reference']}/reschedule", headers=headers, json={"slot_start": other})
    moved = next(
        c
        for c in Calendar.from_ical(
            client.get(f"/api/bookings/{created['reference']}/calendar.ics", headers=headers).content
        ).walk("VEVENT")
    )
    assert str(moved.get("uid")) == str(event.get("uid")) == f"{body['id']}@gandan.dongthap.gov.vn"
    assert moved.decoded("dtstart") == dt.datetime.fromisoformat(other)
    assert int(moved.get("sequence")) > int(event.get("sequence"))


def _calendar(client: TestClient[Any], reference: str, token: str, **headers: str) -> tuple[Any, Any]:
    response = client.get(f"/api/bookings/{reference}/calendar.ics", headers={**token_header(token), **headers})
    assert response.status_code == 200, response.text
    return response, next(iter(Calendar.from_ical(response.content).walk("VEVENT")))


def test_calendar_file_follows_the_status_and_keeps_the_secret_out(
    client: TestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    body, created = book(client, MY_TRA)
    ref, token = created["reference"], body["token"]
    response, event = _calendar(client, ref, token)
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"  # one charset, not two
    assert response.headers["content-disposition"] == f'attachment; filename="lich-hen-{ref}.ics"'
    # Requested, not yet confirmed: tentative, and said so.
    assert str(event.get("status")) == "TENTATIVE"
    assert str(event.get("summary")).startswith("(Chờ xác nhận)")
    # Anyone the entry is shared with gets no way to change the booking: no secret anywhere in the file.
    assert token not in response.content.decode()
    # An absolute link (PUBLIC_URL unset: from the request) to the status page, without the secret.
    assert str(event.get("url")) == f"http://testserver.local/lich-hen/{ref}"
    description = str(event.get("description"))
    assert ref in description and "“Lịch hẹn của tôi”" in description and "1022" in description
    assert "số điện thoại đã đăng ký" in description and str(event.get("url")) in description

    dispatcher = client.post(
        "/api/auth/login",
        json={"username": "quantri", "password": "gandan-demo-2026", "device_id": str(uuid.uuid4())},
    ).json()["token"]
    officers = client.get(
        "/api/staff/officers/", params={"commune_id": MY_TRA}, headers={"Authorization": f"Bearer {dispatcher}"}
    ).json()
    assigned = assign_officer(client, dispatcher, created["id"], officers[0]["id"], MY_TRA)
    assert assigned.status_code == 200, assigned.text
    _, confirmed = _calendar(client, ref, token)
    assert str(confirmed.get("status")) == "CONFIRMED" and not str(confirmed.get("summary")).startswith("(")
    assert int(confirmed.get("sequence")) > int(event.get("sequence"))

    monkeypatch.setenv("PUBLIC_URL", "https://gandan.dongthap.gov.vn/")
    cancelled = client.post(f"/api/bookings/{ref}/cancel", headers=token_header(token), json={"reason": "Bận"})
    assert cancelled.status_code == 200, cancelled.text
    _, gone = _calendar(client, ref, token)
    assert str(gone.get("status")) == "CANCELLED"
    assert str(gone.get("url")) == f"https://gandan.dongthap.gov.vn/lich-hen/{ref}"
    assert str(gone.get("uid")) == str(event.get("uid"))


def test_calendar_link_behind_a_trusted_proxy(client: TestClient[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    body, created = book(client)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "gandan.example.vn"}
    # From an untrusted peer the forwarded headers are ignored (they are forgeable) …
    _, event = _calendar(client, created["reference"], body["token"], **forwarded)
    assert str(event.get("url")).startswith("http://testserver.local/lich-hen/")
    # … from a trusted reverse proxy they give the public address.
    monkeypatch.setenv("TRUSTED_PROXIES", "testclient")
    _, event = _calendar(client, created["reference"], body["token"], **forwarded)
    assert str(event.get("url")) == f"https://gandan.example.vn/lich-hen/{created['reference']}"


def test_per_phone_limit_with_a_clear_message(client: TestClient[Any]) -> None:
    phone = random_phone()
    statuses = []
    for _ in range(4):
        slot = random.choice(free_slots(client, MY_TRA, "return_result"))
        response = client.post(
            "/api/bookings/", json=booking_body(MY_TRA, slot, citizen_phone=phone, kind="return_result")
        )
        statuses.append(response.status_code)
    assert statuses[:3] == [201, 201, 201] and statuses[3] == 429
    assert "Số điện thoại này đã đặt 3 lịch hẹn" in response.json()["detail_vi"]


def test_per_address_limit(client: TestClient[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOKING_MAX_PER_IP_HOUR", "0")
    slot = free_slots(client, MY_TRA)[0]
    response = client.post("/api/bookings/", json=booking_body(MY_TRA, slot))
    assert response.status_code == 429 and "mạng này" in response.json()["detail_vi"]


def test_the_audit_log_keeps_no_personal_values(client: TestClient[Any], run_db: Any) -> None:
    body, created = book(client)
    client.post(f"/api/bookings/{created['reference']}/withdraw-consent", headers=token_header(body["token"]))
    rows = run_db(lambda: AuditLog.select().where(AuditLog.entity_id == body["id"]).output(load_json=True).run())
    assert len(rows) >= 2
    text = json.dumps([[r["before"], r["after"]] for r in rows], ensure_ascii=False)
    for value in (body["citizen_name"], body["citizen_phone"], body["address_detail"], body["notes"]):
        assert value not in text
    assert "(dữ liệu cá nhân)" in text  # that the data was given is still recorded
