"""Bad input gets a clear 4xx and writes nothing."""

from __future__ import annotations

import uuid
from typing import Any

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
        (b"username=canbo", "application/x-www-form-urlencoded", 400, ""),
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
