"""Bad input gets a clear 4xx and writes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from backend.accounts.tables import Device, DeviceSession, LoginAttempt


def _counts(run_db: Any) -> tuple[int, int, int]:
    async def count() -> tuple[int, int, int]:
        return (await Device.count(), await DeviceSession.count(), await LoginAttempt.count())

    return run_db(count)


@pytest.mark.parametrize(
    ("body", "content_type", "expected_status", "detail_part"),
    [
        (b'{"username": "canbo", "password": ', "application/json", 400, "JSON"),
        (b"username=canbo", "application/x-www-form-urlencoded", 415, "application/json"),
        (
            b'{"username": "canbo", "password": "x", "device_id": "%s", "admin": true}',
            "application/json",
            400,
            "admin",
        ),
        (b'{"username": 5, "password": "x", "device_id": "%s"}', "application/json", 400, "username"),
        (
            b'{"username": "canbo", "password": "x", "device_id": "not-a-uuid"}',
            "application/json",
            400,
            "device_id",
        ),
        (b'{"username": "", "password": "x", "device_id": "%s"}', "application/json", 400, "username"),
        (b'{"password": "x", "device_id": "%s"}', "application/json", 400, "username"),
        (b"[]", "application/json", 400, ""),
    ],
)
def test_malformed_login_bodies_are_refused_clearly(
    client: TestClient[Any],
    run_db: Any,
    body: bytes,
    content_type: str,
    expected_status: int,
    detail_part: str,
) -> None:
    before = _counts(run_db)
    payload = body.replace(b"%s", str(uuid.uuid4()).encode()) if b"%s" in body else body
    response = client.post("/api/auth/login", content=payload, headers={"content-type": content_type})
    assert response.status_code == expected_status, response.text
    error = response.json()
    assert error["status_code"] == expected_status
    assert detail_part in error["detail"]
    assert error["detail_vi"]
    assert "Traceback" not in response.text
    assert _counts(run_db) == before


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/json"]
)
def test_a_json_body_sent_as_another_media_type_is_415(client: TestClient[Any], run_db: Any, content_type: str) -> None:
    """Even when the bytes are JSON: a form or text/plain is not what the API reads (and not what its document says)."""
    before = _counts(run_db)
    body = msgspec.json.encode({"username": "canbo", "password": "x", "device_id": str(uuid.uuid4())})
    response = client.post("/api/auth/login", content=body, headers={"content-type": content_type})
    assert response.status_code == 415, response.text
    assert response.json()["detail_vi"] == "Dữ liệu phải được gửi ở dạng JSON (application/json)."
    assert _counts(run_db) == before


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "APPLICATION/JSON", "application/x+json", None]
)
def test_json_media_types_and_a_missing_one_are_read_as_json(client: TestClient[Any], content_type: str | None) -> None:
    body = msgspec.json.encode({"username": "nobody", "password": "x", "device_id": str(uuid.uuid4())})
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/api/auth/login", content=body, headers=headers)
    assert response.status_code == 401, response.text  # read, and the password checked


def test_a_missing_body_is_named_as_such(client: TestClient[Any]) -> None:
    for headers in ({}, {"content-type": "application/json"}):
        response = client.post("/api/auth/login", content=b"", headers=headers)
        assert response.status_code == 400
        assert response.json()["detail"] == "The request needs a JSON body"
        assert response.json()["detail_vi"] == "Thiếu dữ liệu gửi lên."


def test_oversized_body_is_refused_before_it_is_read(client: TestClient[Any], run_db: Any) -> None:
    before = _counts(run_db)
    huge = b'{"username": "' + b"a" * 2_000_000 + b'"}'
    response = client.post("/api/auth/login", content=huge, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["detail_vi"] == "Dữ liệu gửi lên quá lớn."
    assert _counts(run_db) == before


def test_unknown_routes_and_methods(client: TestClient[Any]) -> None:
    missing = client.get("/api/khong-co")
    assert missing.status_code == 404 and missing.json()["detail_vi"] == "Không tìm thấy."
    wrong_method = client.delete("/api/health")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["status_code"] == 405


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/units", {"limit": "0"}),
        ("/api/units", {"limit": "abc"}),
        ("/api/units", {"level": "huyen"}),
        ("/api/units", {"q": "x" * 101}),
        ("/api/units/resolve", {}),
        ("/api/procedures", {"limit": "100000"}),
    ],
)
def test_bad_query_parameters(client: TestClient[Any], path: str, params: dict[str, str]) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400, response.text
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/bookings/availability?commune_id=29869&kind=guide&start=9999-12-31",
        "/api/bookings/availability?commune_id=29869&kind=guide&start=0001-01-01",
    ],
)
def test_dates_far_out_of_range_are_a_400(client: TestClient[Any], path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400, response.text
    assert response.json()["detail_vi"] == "Ngày giờ không hợp lệ."


# --- bodies that cannot be decoded ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_targets(client: TestClient[Any]) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, headers) of the routes that take a JSON body, each with what lets a request reach it."""
    from tests.helpers import bearer, booking_body, free_slots, login

    admin = bearer(login(client, "quantri")["token"])
    officer = bearer(login(client, "canbo")["token"])
    body = booking_body("29869", free_slots(client, "29869")[-1])
    created = client.post("/api/bookings", json=body)
    assert created.status_code == 201, created.text
    reference, booking = created.json()["reference"], {"X-Booking-Token": body["token"]}
    appointment = created.json()["id"]
    return [
        ("POST", "/api/auth/login", {}),
        ("POST", "/api/bookings", {}),
        ("POST", f"/api/bookings/{reference}/cancel", booking),
        ("POST", f"/api/bookings/{reference}/reschedule", booking),
        ("POST", f"/api/bookings/{reference}/push-subscription", booking),
        ("POST", "/api/staff/appointments", admin),
        ("POST", f"/api/staff/appointments/{appointment}/assign", admin),
        ("POST", f"/api/staff/appointments/{appointment}/cancel", admin),
        ("POST", f"/api/staff/appointments/{appointment}/reschedule", admin),
        ("POST", f"/api/staff/appointments/{appointment}/status", admin),
        ("POST", "/api/sync/push", officer),
        ("POST", "/api/sync/pull", officer),
        ("POST", "/api/push/subscriptions", officer),
        ("DELETE", "/api/push/subscriptions", {}),
    ]


def _assert_clear_4xx(response: Any, *, status: int | None = None) -> dict[str, Any]:
    assert response.status_code < 500, response.text
    assert status is None or response.status_code == status, (response.url.path, response.text)
    error: dict[str, Any] = response.json()
    assert error["status_code"] == response.status_code
    assert error["detail"] and error["detail_vi"]
    assert "Traceback" not in response.text
    return error


UNDECODABLE = {
    "invalid UTF-8": b'{"username": "\xff\xfe", "citizen_name": "Tr\xe1n"}',
    "arrays 500 deep": b"[" * 500 + b"]" * 500,
    "objects 500 deep": b'{"a":' * 500 + b"1" + b"}" * 500,
    "500 deep inside a field": b'{"notes": ' + b"[" * 500 + b"]" * 500 + b"}",
    "5000 deep": b"[" * 5000 + b"]" * 5000,
}


@pytest.mark.parametrize("case", UNDECODABLE)
def test_undecodable_json_is_a_400_on_every_route(
    client: TestClient[Any], hostile_targets: list[tuple[str, str, dict[str, str]]], case: str
) -> None:
    for method, path, headers in hostile_targets:
        response = client.request(
            method, path, content=UNDECODABLE[case], headers={**headers, "content-type": "application/json"}
        )
        error = _assert_clear_4xx(response, status=400)
        assert "Malformed JSON body" in error["detail"], (path, error)
        assert error["detail_vi"].startswith("Dữ liệu gửi lên không hợp lệ"), (path, error)


def test_json_nested_to_the_limit_is_still_read(client: TestClient[Any]) -> None:
    """64 levels pass the decoder (and get the schema's own answer); 65 do not."""
    from backend.core.requests import MAX_JSON_DEPTH

    def nested(levels: int) -> bytes:
        # The body itself is one level: {"username": [[…]]}.
        return b'{"username": ' + b"[" * (levels - 1) + b"]" * (levels - 1) + b"}"

    fits = client.post("/api/auth/login", content=nested(MAX_JSON_DEPTH), headers={"content-type": "application/json"})
    assert fits.status_code == 400 and "Malformed" not in fits.json()["detail"]
    deeper = client.post(
        "/api/auth/login", content=nested(MAX_JSON_DEPTH + 1), headers={"content-type": "application/json"}
    )
    assert deeper.status_code == 400 and "nested more than 64 levels" in deeper.json()["detail"]


HOSTILE_BODIES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "application/json"),
    "null": (b"null", "application/json"),
    "array": (b"[]", "application/json"),
    "empty object": (b"{}", "application/json"),
    "a string": (b'"x"', "application/json"),
    "1e999": (b"1e999", "application/json"),
    "NaN": (b'{"reason": NaN}', "application/json"),
    "plain text": (b"hello", "text/plain"),
    "a form": (b"reason=x", "application/x-www-form-urlencoded"),
    "multipart": (
        b"--x\r\nContent-Disposition: form-data; name=reason\r\n\r\n1\r\n--x--\r\n",
        "multipart/form-data; boundary=x",
    ),
    "NUL in every field": (
        msgspec.json.encode(
            {k: "\x00" for k in ("username", "password", "citizen_name", "reason", "endpoint", "status", "slot_start")}
        ),
        "application/json",
    ),
    "a 5000-digit number": (b'{"reason": 1' + b"0" * 5000 + b"}", "application/json"),
    "wrong types": (
        b'{"reason": {"a": 1}, "slot_start": 5, "status": [], "officer_id": true, "accepted": "yes"}',
        "application/json",
    ),
    "unknown fields": (b'{"is_admin": true, "__proto__": {}}', "application/json"),
    "a huge string": (msgspec.json.encode({"reason": "x" * 900_000}), "application/json"),
}


@pytest.mark.parametrize("case", HOSTILE_BODIES)
def test_hostile_bodies_get_a_clear_4xx(
    client: TestClient[Any], hostile_targets: list[tuple[str, str, dict[str, str]]], case: str
) -> None:
    content, content_type = HOSTILE_BODIES[case]
    for method, path, headers in hostile_targets:
        response = client.request(method, path, content=content, headers={**headers, "content-type": content_type})
        assert response.status_code < 500, (path, response.status_code, response.text)
        if response.status_code >= 400:  # `{}` is a whole request for a cancellation
            _assert_clear_4xx(response)


# --- paths and query strings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/units/%00",
        "/api/procedures/1.001%00",
        "/api/bookings/ABC%00DEF12",
        "/api/units?q=%00",
        "/api/units?q=Cao%0ALãnh",
        "/api/bookings/availability?commune_id=29869%00&kind=guide",
        "/api/push/messages?status=%1b",
        "/%00",
        "/staff/%07",
    ],
)
def test_control_characters_in_a_path_or_query_are_a_400(client: TestClient[Any], path: str) -> None:
    from tests.helpers import bearer, login

    headers = {"X-Booking-Token": "x" * 32, **bearer(login(client, "quantri")["token"])}
    error = _assert_clear_4xx(client.get(path, headers=headers), status=400)
    assert "control characters" in error["detail"]
    assert "ký tự không hợp lệ" in error["detail_vi"]


QUERY_VALUES = [
    "-1",
    "0",
    "NaN",
    "inf",
    "1e309",
    "99999999999999999999999999",
    "9223372036854775808",
    "",
    "x" * 3000,
    "%",
    "[]",
    "true",
    "2026-13-45",
    "0001-01-01",
    "9999-12-31",
    "' OR 1=1 --",
]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/units", ("q", "limit", "level", "legacy", "parent")),
        ("/api/units/resolve", ("commune", "district")),
        ("/api/units/29869", ("q",)),
        ("/api/procedures", ("q", "limit", "field")),
        ("/api/push/messages", ("status", "limit", "before_id")),
        ("/api/admin/devices", ("limit",)),
        ("/api/auth/me", ("x",)),
        ("/api/push/vapid-key", ("key_id",)),
        ("/api/health", ("deep",)),
    ],
)
def test_hostile_query_parameters_get_a_clear_answer(
    client: TestClient[Any], path: str, params: tuple[str, ...]
) -> None:
    from tests.helpers import bearer, login

    admin = bearer(login(client, "quantri")["token"])
    for name in params:
        for value in QUERY_VALUES:
            response = client.get(path, params={name: value}, headers=admin)
            if response.status_code >= 400:
                _assert_clear_4xx(response)
            assert response.status_code < 500, (path, name, value[:20], response.text)
