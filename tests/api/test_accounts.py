"""Staff login, device sessions, revocation with wipe, throttling and role guards."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from backend.accounts.tables import AuditLog, Device, DeviceSession
from tests.helpers import DEMO_PASSWORD, bearer, login


def test_login_returns_a_session_bound_to_the_device(client: TestClient[Any], run_db: Any) -> None:
    device_id = uuid.uuid4()
    body = login(client, "canbo", device_id)
    assert body["device_id"] == str(device_id)
    assert body["user"]["role"] == "officer"
    assert body["user"]["full_name"] == "Nguyễn Văn An"
    assert body["user"]["communes"] == ["29869", "29888"]  # Phường Cao Lãnh, Phường Mỹ Trà
    me = client.get("/api/auth/me", headers=bearer(body["token"]))
    assert me.status_code == 200 and me.json()["device_id"] == str(device_id)
    # Only a digest of the token is stored.
    sessions = run_db(lambda: DeviceSession.select().where(DeviceSession.device == device_id).run())
    assert len(sessions) == 1 and body["token"] not in str(sessions[0])
    logins = run_db(
        lambda: AuditLog.count().where((AuditLog.action == "login") & (AuditLog.actor_device == device_id)).run()
    )
    assert logins == 1


def test_username_is_not_case_sensitive(client: TestClient[Any]) -> None:
    response = client.post(
        "/api/auth/login",
        json={"username": " CanBo ", "password": DEMO_PASSWORD, "device_id": str(uuid.uuid4())},
    )
    assert response.status_code == 200


def test_wrong_password_is_refused_in_both_languages(client: TestClient[Any]) -> None:
    response = client.post(
        "/api/auth/login",
        json={"username": "canbo", "password": "sai-mat-khau", "device_id": str(uuid.uuid4())},
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong username or password"
    assert response.json()["detail_vi"] == "Sai tên đăng nhập hoặc mật khẩu."
    unknown = client.post(
        "/api/auth/login", json={"username": "khongco", "password": "x", "device_id": str(uuid.uuid4())}
    )
    assert unknown.status_code == 401 and unknown.json()["detail"] == response.json()["detail"]


def test_login_is_throttled_after_repeated_failures(client: TestClient[Any]) -> None:
    attempt = {"username": "giamsat", "password": "wrong", "device_id": str(uuid.uuid4())}
    statuses = [client.post("/api/auth/login", json=attempt).status_code for _ in range(5)]
    assert statuses == [401] * 5
    throttled = client.post("/api/auth/login", json={**attempt, "password": DEMO_PASSWORD})
    assert throttled.status_code == 429  # even the right password waits until the window passes
    assert int(throttled.headers["retry-after"]) > 0
    assert "thử lại sau" in throttled.json()["detail_vi"]


def test_logout_ends_only_that_session(client: TestClient[Any]) -> None:
    first = login(client, "canbo")
    second = login(client, "canbo")
    assert client.post("/api/auth/logout", headers=bearer(first["token"])).status_code == 204
    assert client.get("/api/auth/me", headers=bearer(first["token"])).status_code == 401
    assert client.get("/api/auth/me", headers=bearer(second["token"])).status_code == 200


def test_revoked_device_is_told_to_wipe(client: TestClient[Any], run_db: Any) -> None:
    device_id = uuid.uuid4()
    officer = login(client, "canbo", device_id)
    admin = login(client, "quantri")
    listed = client.get("/api/admin/devices/", headers=bearer(admin["token"])).json()
    assert any(d["id"] == str(device_id) and d["active_sessions"] == 1 for d in listed)

    revoked = client.post(f"/api/admin/devices/{device_id}/revoke", headers=bearer(admin["token"]))
    assert revoked.status_code == 200 and revoked.json()["sessions_ended"] == 1

    after = client.get("/api/auth/me", headers=bearer(officer["token"]))
    assert after.status_code == 401
    assert after.json()["extra"] == {"wipe": True}
    # The tablet cannot simply log in again.
    again = client.post(
        "/api/auth/login", json={"username": "canbo", "password": DEMO_PASSWORD, "device_id": str(device_id)}
    )
    assert again.status_code == 403 and again.json()["extra"] == {"wipe": True}
    device = run_db(lambda: Device.objects().get(Device.id == device_id).run())
    assert device.revoked_at is not None
    audit = run_db(
        lambda: AuditLog.select().where((AuditLog.action == "revoke") & (AuditLog.entity_id == str(device_id))).run()
    )
    assert len(audit) == 1 and audit[0]["actor_user"] is not None


def test_only_admins_manage_devices(client: TestClient[Any]) -> None:
    for username in ("canbo", "dieuphoi", "giamsat"):
        token = login(client, username)["token"]
        response = client.get("/api/admin/devices/", headers=bearer(token))
        assert response.status_code == 403, username
        assert response.json()["detail_vi"].startswith("Vai trò của bạn")
    assert client.get("/api/admin/devices/").status_code == 401
    assert client.get("/api/admin/devices/", headers={"Authorization": "Bearer nope"}).status_code == 401
    admin = login(client, "quantri")["token"]
    missing = client.post(f"/api/admin/devices/{uuid.uuid4()}/revoke", headers=bearer(admin))
    assert missing.status_code == 404


def test_client_address_through_trusted_proxies_only(monkeypatch: Any) -> None:
    from types import SimpleNamespace

    from backend.accounts.guards import client_ip

    def conn(peer: str, forwarded: str) -> Any:
        return SimpleNamespace(client=SimpleNamespace(host=peer), headers={"x-forwarded-for": forwarded})

    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.5, 10.0.0.6")
    assert client_ip(conn("10.0.0.5", "203.0.113.7, 10.0.0.6")) == "203.0.113.7"
    assert client_ip(conn("10.0.0.5", "1.1.1.1, 203.0.113.7")) == "203.0.113.7"  # the left part is forgeable
    assert client_ip(conn("198.51.100.2", "203.0.113.7")) == "198.51.100.2"  # not a proxy: header ignored
    monkeypatch.delenv("TRUSTED_PROXIES")
    assert client_ip(conn("10.0.0.5", "203.0.113.7")) == "10.0.0.5"


def test_a_username_is_checked_after_it_is_normalised(client: TestClient[Any], run_db: Any) -> None:
    """ "İ" lower-cases to two characters: 64 of them no longer fit the column. A 400, not a database error."""
    from backend.accounts.tables import LoginAttempt

    before = run_db(lambda: LoginAttempt.count().run())
    response = client.post(
        "/api/auth/login", json={"username": "İ" * 64, "password": "x", "device_id": str(uuid.uuid4())}
    )
    assert response.status_code == 400, response.text
    assert response.json()["detail_vi"] == "Tên đăng nhập không được dài quá 64 ký tự."
    assert run_db(lambda: LoginAttempt.count().run()) == before
    # 32 of them fit once normalised: an ordinary wrong login, counted for throttling under the normalised name.
    wrong = client.post("/api/auth/login", json={"username": "İ" * 32, "password": "x", "device_id": str(uuid.uuid4())})
    assert wrong.status_code == 401
    assert run_db(lambda: LoginAttempt.count().where(LoginAttempt.username == "i̇" * 32).run()) == 1


@pytest.mark.parametrize("spelling", ["ＣＡＮＢＯ", "\tCANBO ", "CanBo"])
def test_any_spelling_of_a_username_logs_in(client: TestClient[Any], spelling: str) -> None:
    response = client.post(
        "/api/auth/login", json={"username": spelling, "password": DEMO_PASSWORD, "device_id": str(uuid.uuid4())}
    )
    assert response.status_code == 200, response.text
    assert response.json()["user"]["username"] == "canbo"


def test_create_user_normalises_and_checks_the_username(run_db: Any) -> None:
    from backend.accounts.services import create_user

    suffix = uuid.uuid4().hex[:8]
    user_id = run_db(lambda: create_user(f"  ＣＢ{suffix} ", "  Lê   Thị Hoa ", "officer", ["29869"], "mat-khau-2026"))
    from backend.accounts.tables import StaffUser

    row = run_db(
        lambda: StaffUser.select(StaffUser.username, StaffUser.full_name).where(StaffUser.id == user_id).first().run()
    )
    assert row == {"username": f"cb{suffix}", "full_name": "Lê Thị Hoa"}
    for bad_name, bad_full_name in (("İ" * 64, "A"), ("a b", "A"), ("ok" + suffix, "   "), ("ok" + suffix, "A\x00")):
        with pytest.raises(ValueError):
            run_db(lambda n=bad_name, f=bad_full_name: create_user(n, f, "officer", [], "mat-khau-2026"))
