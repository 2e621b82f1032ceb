"""The staff app at /staff/: login, "Hôm nay", offline start from the stored session, wipe on revocation."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from backend.db.columns import utcnow
from tests.e2e.conftest import PageProblems, StaffUser
from tests.e2e.support import DEMO_PASSWORD, api_json, wait_for_service_worker

pytestmark = pytest.mark.e2e

TABLET = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": TABLET}


def _login(page: Page, username: str = "canbo", password: str = DEMO_PASSWORD) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def _open_installed(page: Page) -> None:
    page.goto("/staff/")
    wait_for_service_worker(page)
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()


def test_login_today_and_offline_reload(
    page: Page, problems: PageProblems, staff_user: Callable[[], StaffUser]
) -> None:
    officer = staff_user()  # an officer of the test's own: no visit today, whatever other tests booked
    _open_installed(page)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/staff/sw.js")
    manifest = page.evaluate("fetch('/staff/manifest.webmanifest').then(r => r.json())")
    assert manifest["name"] == "Gần Dân – Cán bộ" and manifest["scope"] == "/staff/"

    _login(page, officer.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hôm nay")
    expect(page.locator(".userbox__name")).to_have_text(officer.full_name)
    expect(page.locator(".userbox__role")).to_have_text("Cán bộ")
    expect(page.get_by_text("Chưa có lịch hẹn hôm nay")).to_be_visible()
    expect(page.locator(".sync-status")).to_have_text("0 chờ đồng bộ")
    today = utcnow().astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))  # the suite's clock, as the browser's
    expect(page.locator(".today__date")).to_contain_text(re.compile(rf"\b{today.day} tháng {today.month}\b"))
    expect(page.locator(".today__date")).to_contain_text(str(today.year))

    page.context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.get_by_role("heading", level=1)).to_have_text("Hôm nay")
    expect(page.locator(".userbox__name")).to_have_text(officer.full_name)
    expect(page.locator(".net-status")).to_contain_text("Không có mạng")

    page.context.set_offline(False)
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(page.get_by_text("Ông/bà đã đăng xuất.")).to_be_visible()
    assert problems.unexpected(offline_ok=True) == []


def test_wrong_password_shows_vietnamese_message(page: Page, problems: PageProblems) -> None:
    page.goto("/staff/")
    _login(page, "canbo2", "not-the-password")
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    assert re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", alert.inner_text().lower())
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    # The failed login answers 401: the browser logs that response; nothing else may fail.
    assert [e for e in problems.unexpected() if "401" not in e] == []


def test_revoked_device_wipes_local_data(page: Page, base_url: str, staff_user: Callable[[], StaffUser]) -> None:
    page.goto("/staff/")
    _login(page, staff_user().username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hôm nay")
    device_id = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open('gandan-staff');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
                const get = open.result.transaction('kv').objectStore('kv').get('device_id');
                get.onsuccess = () => { resolve(get.result.value); open.result.close(); };
            };
        })"""
    )
    admin = api_json(
        base_url,
        "/api/auth/login",
        method="POST",
        body={"username": "quantri", "password": DEMO_PASSWORD, "device_id": "00000000-0000-4000-8000-00000000e2e1"},
    )
    api_json(base_url, f"/api/admin/devices/{device_id}/revoke", method="POST", token=admin["token"])

    page.reload()  # opens "Hôm nay" from the stored session, then /api/auth/me says: wipe
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("thu hồi")
    stored = page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open('gandan-staff');
            open.onsuccess = () => {
                const db = open.result;
                if (!db.objectStoreNames.contains('kv')) { db.close(); resolve([]); return; }
                const all = db.transaction('kv').objectStore('kv').getAllKeys();
                all.onsuccess = () => { resolve(all.result); db.close(); };
            };
        })"""
    )
    assert "session" not in stored


def test_first_login_needs_network(page: Page) -> None:
    page.goto("/staff/")
    wait_for_service_worker(page)
    page.context.set_offline(True)
    page.reload()
    _login(page)
    expect(page.get_by_role("alert")).to_contain_text("Cần có mạng để đăng nhập")
