"""Text people type: cleaned first (NFC, stripped, one-line fields with single spaces), then its limits checked;
control characters refused with a Vietnamese message. On SQLite and PostgreSQL alike."""

from __future__ import annotations

import random
import unicodedata
import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.helpers import bearer, booking_body, free_slots, login
from tests.sync.kit import Device

CAO_LANH = "29869"


def _book(client: TestClient[Any], **fields: Any) -> tuple[Any, dict[str, Any]]:
    body = booking_body(CAO_LANH, random.choice(free_slots(client, CAO_LANH)), **fields)
    return client.post("/api/bookings", json=body), body


def _stored(client: TestClient[Any], created: Any, body: dict[str, Any]) -> dict[str, Any]:
    shown = client.get(f"/api/bookings/{created.json()['reference']}", headers={"X-Booking-Token": body["token"]})
    assert shown.status_code == 200, shown.text
    result: dict[str, Any] = shown.json()
    return result


def _refused(client: TestClient[Any], response: Any, body: dict[str, Any]) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()
    assert error["detail"] and error["detail_vi"]
    # Nothing was written: the citizen's app may retry the same booking id once it is fixed.
    assert client.get(f"/api/bookings/{body['id']}").status_code in (400, 404)
    return error


@pytest.mark.parametrize("blank", ["   ", " \t\n ", "\u00a0\u3000"])
@pytest.mark.parametrize(
    ("field", "message"),
    [("citizen_name", "Họ tên không được để trống."), ("address_detail", "Địa chỉ phải có ít nhất 3 ký tự.")],
    ids=["name", "address"],
)
def test_a_name_or_address_of_only_spaces_is_refused(
    client: TestClient[Any], blank: str, field: str, message: str
) -> None:
    response, body = _book(client, **{field: blank})
    error = _refused(client, response, body)
    assert error["detail_vi"] == message


def test_an_address_too_short_once_stripped_is_refused(client: TestClient[Any]) -> None:
    response, body = _book(client, address_detail="  ab   ")
    error = _refused(client, response, body)
    assert error["detail_vi"] == "Địa chỉ phải có ít nhất 3 ký tự."


def test_text_is_stored_cleaned(client: TestClient[Any]) -> None:
    decomposed = unicodedata.normalize("NFD", "Trần Văn Bình")
    assert decomposed != "Trần Văn Bình"
    response, body = _book(
        client,
        citizen_name="  " + decomposed.replace(" ", " \t ") + "\n",
        address_detail="  Số 12,   đường Lê Lợi  ",
        notes="  Cổng xanh.\r\nGọi trước khi đến.  ",
    )
    assert response.status_code == 201, response.text
    stored = _stored(client, response, body)
    assert stored["citizen_name"] == "Trần Văn Bình"
    assert stored["address_detail"] == "Số 12, đường Lê Lợi"
    assert stored["notes"] == "Cổng xanh.\nGọi trước khi đến."


def test_limits_count_the_cleaned_text(client: TestClient[Any]) -> None:
    """120 characters fit the name even with spaces around them; 121 do not."""
    name = "Nguyễn " + "A" * 113
    assert len(name) == 120
    response, body = _book(client, citizen_name=f"     {name}     ")
    assert response.status_code == 201, response.text
    assert _stored(client, response, body)["citizen_name"] == name
    too_long, body = _book(client, citizen_name=name + "B")
    assert _refused(client, too_long, body)["detail_vi"] == "Họ tên không được dài quá 120 ký tự."


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"], ids=["NUL", "BEL", "ESC", "DEL", "NEL"])
def test_control_characters_in_a_booking_are_refused_in_vietnamese(client: TestClient[Any], char: str) -> None:
    for field, label in (("citizen_name", "Họ tên"), ("address_detail", "Địa chỉ"), ("notes", "Ghi chú")):
        response, body = _book(client, **{field: f"Trần{char}Bình"})
        error = _refused(client, response, body)
        assert error["detail_vi"] == f"{label} chứa ký tự không hợp lệ (ký tự điều khiển).", field


def test_control_characters_are_refused_in_every_text_input(client: TestClient[Any]) -> None:
    """One rule for all of them: staff routes, logins, push subscriptions (sync rejects the one mutation instead:
    tests/sync/test_input_rules.py)."""
    admin = bearer(login(client, "quantri")["token"])
    officer = bearer(login(client, "canbo")["token"])
    created, body = _book(client)
    assert created.status_code == 201, created.text
    booking = {"X-Booking-Token": body["token"]}
    reference, appointment = created.json()["reference"], created.json()["id"]
    nul = "a\x00b"
    device = uuid.uuid4()
    intake = {**booking_body(CAO_LANH, body["slot_start"]), "channel": "phone"}
    keys = {"p256dh": "x", "auth": "y"}
    cases: list[tuple[str, dict[str, Any], dict[str, str]]] = [
        ("/api/auth/login", {"username": nul, "password": "x", "device_id": str(uuid.uuid4())}, {}),
        ("/api/auth/login", {"username": "canbo", "password": "x", "device_id": str(device), "device_name": nul}, {}),
        (f"/api/bookings/{reference}/reschedule", {"slot_start": body["slot_start"], "reason": nul}, booking),
        (f"/api/staff/appointments/{appointment}/status", {"status": "cancelled", "reason": nul}, admin),
        (f"/api/staff/appointments/{appointment}/cancel", {"reason": nul}, admin),
        ("/api/staff/appointments", {**intake, "citizen_name": nul}, admin),
        ("/api/push/subscriptions", {"endpoint": "https://push.example/" + nul, "keys": keys}, officer),
    ]
    for path, payload, headers in cases:
        response = client.post(path, json=payload, headers=headers)
        assert response.status_code == 400, (path, response.text)
        assert "control characters" in response.json()["detail"], path
        assert "ký tự không hợp lệ" in response.json()["detail_vi"], path
    # The booking is untouched.
    assert _stored(client, created, body)["status"] == "requested"


def test_outreach_text_from_sync_is_cleaned_or_rejected(client: TestClient[Any]) -> None:
    """Outreach records arrive as sync mutations: a blank title is rejected (the queue goes on), a padded one
    is stored stripped."""
    device = Device(client, "canbo")
    blank = device.create_session(title="   ")
    padded = device.create_session(title="  Đối thoại   khóm 3  ", notes="  Hỏi về đất.\n  ")
    first, second = device.queue
    results = {r["id"]: r for r in device.push()["results"]}
    assert results[first["id"]]["status"] == "rejected"
    assert results[second["id"]]["status"] == "applied"
    device.pull()
    assert device.row("outreach_session", blank) is None
    row = device.row("outreach_session", padded)
    assert row is not None
    assert row["title"] == "Đối thoại khóm 3" and row["notes"] == "Hỏi về đất."
