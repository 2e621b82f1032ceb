"""Staff sync in a real browser against a real server (acceptance test 15 and friends).

Each test gets its own KILLABLE server (fresh database and var directory, a fixed port): the outage test
kills it with SIGKILL — a real outage, where `navigator.onLine` stays true — and starts it again on the same
port and database. Two browser contexts are two tablets.
"""

from __future__ import annotations

import base64
import contextlib
import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import browser_test_env, serve_for_browser
from tests.e2e.support import DEMO_PASSWORD, api_json, run_axe, serious, wait_for_service_worker
from tests.servers import ServerProcess

pytestmark = pytest.mark.e2e

TABLET = {"width": 1280, "height": 800}
SHOTS = Path(os.environ.get("PWA_SHOTS", "/tmp/pwa-shots"))
CAO_LANH = "29869"
# A 2×2 PNG: the "photo" of a petition.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)


@pytest.fixture
def killable(tmp_path: Path, _e2e_prerequisites: None) -> Iterator[ServerProcess]:
    """A server and a database of the test's own: kill() is a real outage, start() brings it back on the same port."""
    with contextlib.ExitStack() as stack:
        yield serve_for_browser(stack, tmp_path, browser_test_env(tmp_path))


def _tablet(new_context: Callable[..., BrowserContext], *, axe: bool = False) -> BrowserContext:
    # axe-core is injected as an inline script: only the contexts that audit bypass the page's CSP.
    return new_context(viewport=TABLET, bypass_csp=axe)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"sync-{name}.png"), full_page=True)


def _login(page: Page, url: str, username: str = "canbo") -> None:
    page.goto(f"{url}/staff/")
    wait_for_service_worker(page)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hôm nay")
    # The first sync ran: a time is shown and nothing waits.
    expect(page.locator(".sync-strip__last")).to_contain_text("Đồng bộ lúc", timeout=15_000)
    expect(page.locator(".sync-status")).to_have_text("0 chờ đồng bộ")


def _pending(page: Page, n: int, timeout: float = 15_000) -> None:
    expect(page.locator(".sync-status")).to_have_text(f"{n} chờ đồng bộ", timeout=timeout)


def _go(page: Page, link: str) -> None:
    page.get_by_role("navigation", name="Công việc tại địa bàn").get_by_role("link", name=link).click()


def _new_session(page: Page, title: str, place: str = "Nhà văn hóa khóm 3", attendance: int = 45) -> None:
    _go(page, "Về làng, xuống phố")
    page.get_by_role("button", name="Tạo buổi mới").click()
    page.get_by_label("Xã, phường").select_option(CAO_LANH)
    page.get_by_label("Tên buổi").fill(title)
    page.get_by_label("Địa điểm").fill(place)
    page.get_by_label("Số người tham dự").fill(str(attendance))
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def _add_question(page: Page, text: str, asker: str = "", photo: bytes | None = None) -> None:
    form = page.get_by_role("form", name="Thêm câu hỏi, kiến nghị")
    form.get_by_label("Nội dung").fill(text)
    if asker:
        form.get_by_label("Người hỏi (không bắt buộc)").fill(asker)
    form.get_by_label("Lĩnh vực").select_option("land")
    if photo:
        form.get_by_label("Ảnh (chụp hoặc chọn tệp, không bắt buộc)").set_input_files(
            {"name": "kien-nghi.png", "mimeType": "image/png", "buffer": photo}
        )
        expect(form.get_by_role("img", name="Ảnh kèm câu hỏi")).to_be_visible()
    form.get_by_role("button", name="Lưu câu hỏi").click()
    expect(page.locator(".question__text", has_text=text)).to_be_visible()


def _stored_session(page: Page) -> dict[str, Any]:
    """The staff session kept in IndexedDB (token and device id)."""
    result: dict[str, Any] = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open('gandan-staff');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
                const get = open.result.transaction('kv').objectStore('kv').get('session');
                get.onsuccess = () => { resolve(get.result.value); open.result.close(); };
                get.onerror = () => reject(get.error);
            };
        })"""
    )
    return result


def _server_rows(url: str, username: str = "canbo2") -> dict[tuple[str, str], dict[str, Any]]:
    """Everything the server holds for a commune, pulled from scratch by a fresh device (the sync API)."""
    device = str(uuid.uuid4())
    token = api_json(
        url,
        "/api/auth/login",
        method="POST",
        body={"username": username, "password": DEMO_PASSWORD, "device_id": device},
    )["token"]
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    cursor = None
    while True:
        page = api_json(
            url,
            "/api/sync/pull",
            method="POST",
            token=token,
            body={"protocol": 1, "schema": 2, "client_id": device, "cursor": cursor, "limit": 1000},
        )
        for c in page["changes"]:
            if c["op"] == "put":
                rows[(c["entity"], c["id"])] = c["data"]
            else:
                rows.pop((c["entity"], c["id"]), None)
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return rows


def test_offline_work_survives_reload_and_a_real_outage_then_arrives_exactly_once(
    new_context: Callable[..., BrowserContext], killable: ServerProcess
) -> None:
    context = _tablet(new_context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        _login(page, killable.url)
        _shot(page, "today")

        # Offline (the browser knows): create and edit a session and two questions, one with a photo.
        context.set_offline(True)
        _new_session(page, "Đối thoại với Nhân dân khóm 3")
        page.get_by_role("button", name="Sửa thông tin buổi").click()
        page.get_by_label("Số người tham dự").fill("52")
        page.get_by_label("Ghi chú").fill("Bà con hỏi nhiều về đất đai.")
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(page.get_by_text("Đã lưu trên máy.")).to_be_visible()
        _add_question(page, "Khi nào làm xong đường liên ấp?", asker="Ông Trần Văn Bảy")
        _add_question(page, "Xin cấp lại sổ đỏ bị mất", photo=PNG)
        item = page.locator(".question", has_text="Khi nào làm xong đường liên ấp?")
        item.get_by_role("button", name="Sửa").click()
        edit = page.get_by_role("form", name="Sửa")
        edit.get_by_label("Nội dung").fill("Khi nào làm xong đường liên ấp số 2?")
        edit.get_by_role("button", name="Lưu câu hỏi").click()
        expect(page.locator(".question__text", has_text="đường liên ấp số 2")).to_be_visible()
        # 5 mutations (create, update, 2 creates, update) + 1 photo to upload.
        _pending(page, 6)
        _shot(page, "outreach-offline")

        # Reload offline: everything comes from the service worker and IndexedDB.
        response = page.reload()
        assert response is not None and response.from_service_worker
        expect(page.get_by_role("heading", level=1)).to_have_text("Đối thoại với Nhân dân khóm 3")
        expect(page.locator(".question")).to_have_count(2)
        expect(page.get_by_role("img", name="Ảnh kèm câu hỏi")).to_be_visible()
        _pending(page, 6)

        # A real outage: the server dies while the browser believes it is online.
        killable.kill()
        context.set_offline(False)
        assert page.evaluate("navigator.onLine") is True
        _go(page, "Đồng bộ")
        page.get_by_role("button", name="Đồng bộ ngay").click()
        expect(page.locator(".sync-strip__badge--error")).to_be_visible(timeout=15_000)
        expect(page.get_by_text("Không kết nối được máy chủ")).to_be_visible()
        _pending(page, 6)
        _shot(page, "outage")

        # The server comes back on the same port and database; the app retries by itself (backoff).
        killable.start()
        _pending(page, 0, timeout=60_000)
        expect(page.locator(".sync-strip__badge--error")).to_have_count(0)
        _shot(page, "after-outage")

        # Exactly once on the server: this device's last seq is 5, and another device pulls exactly this.
        stored = _stored_session(page)
        ack = api_json(
            killable.url,
            "/api/sync/push",
            method="POST",
            token=stored["token"],
            body={"protocol": 1, "schema": 2, "client_id": stored["device_id"], "mutations": []},
        )
        assert ack["last_seq"] == 5
        rows = _server_rows(killable.url)
        sessions = [r for (e, _), r in rows.items() if e == "outreach_session"]
        questions = [r for (e, _), r in rows.items() if e == "outreach_question"]
        assert [(s["title"], s["attendance"], s["notes"]) for s in sessions] == [
            ("Đối thoại với Nhân dân khóm 3", 52, "Bà con hỏi nhiều về đất đai.")
        ]
        assert sorted(q["text"] for q in questions) == [
            "Khi nào làm xong đường liên ấp số 2?",
            "Xin cấp lại sổ đỏ bị mất",
        ]
        assert all(q["session_id"] == sessions[0]["id"] for q in questions)
        photo = next(q["photo_sha256"] for q in questions if q["photo_sha256"])
        status = api_json(killable.url, f"/api/sync/attachments/{photo}/status", token=stored["token"])
        assert status["status"] == "present" and status["size"] == len(PNG)
        assert api_json(killable.url, "/api/sync/rejected", token=stored["token"]) == []
        assert errors == []
    finally:
        context.close()


def _sync_now(page: Page) -> None:
    _go(page, "Đồng bộ")
    page.get_by_role("button", name="Đồng bộ ngay").click()
    expect(page.get_by_role("button", name="Đồng bộ ngay")).to_be_enabled(timeout=15_000)


def _open_session(page: Page, title: str) -> None:
    _go(page, "Về làng, xuống phố")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_two_tablets_conflict_and_rejected_change_are_shown(
    new_context: Callable[..., BrowserContext], killable: ServerProcess
) -> None:
    a_ctx, b_ctx = _tablet(new_context), _tablet(new_context, axe=True)
    a, b = a_ctx.new_page(), b_ctx.new_page()
    try:
        _login(a, killable.url, "canbo")
        _login(b, killable.url, "canbo2")
        _new_session(a, "Cà phê doanh nhân tháng 11")
        _new_session(a, "Buổi sẽ bị xoá")
        _pending(a, 0)
        _sync_now(b)
        _open_session(b, "Cà phê doanh nhân tháng 11")

        # Both tablets offline edit the same field of the same session; B also edits a session A will delete.
        a_ctx.set_offline(True)
        b_ctx.set_offline(True)
        _open_session(a, "Cà phê doanh nhân tháng 11")
        for page, title in ((a, "Cà phê doanh nhân (máy A)"), (b, "Cà phê doanh nhân (máy B)")):
            page.get_by_role("button", name="Sửa thông tin buổi").click()
            page.get_by_label("Tên buổi").fill(title)
            page.get_by_role("button", name="Lưu", exact=True).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(title)
        _open_session(b, "Buổi sẽ bị xoá")
        b.get_by_role("button", name="Sửa thông tin buổi").click()
        b.get_by_label("Số người tham dự").fill("99")
        b.get_by_role("button", name="Lưu", exact=True).click()
        _pending(b, 2)

        # A comes back first and also deletes the other session.
        a_ctx.set_offline(False)
        _pending(a, 0, timeout=30_000)
        _open_session(a, "Buổi sẽ bị xoá")
        a.get_by_role("button", name="Xoá buổi").click()
        a.get_by_role("button", name="Xoá", exact=True).click()
        expect(a.get_by_role("heading", level=1)).to_have_text("Về làng, xuống phố")
        _pending(a, 0, timeout=30_000)

        # Then B: one conflict (same field), one rejected change (an edit of a deleted row).
        b_ctx.set_offline(False)
        _pending(b, 0, timeout=30_000)
        expect(b.locator(".sync-strip [data-kind=rejected]")).to_have_text("1 bị từ chối", timeout=15_000)
        expect(b.locator(".sync-strip [data-kind=conflicts]")).to_be_visible()
        b.locator(".sync-strip").click()
        expect(b.get_by_role("heading", level=1)).to_have_text("Đồng bộ dữ liệu")
        field_conflict = b.locator(".conflict", has_text="Tên buổi")
        expect(field_conflict).to_have_count(1)
        expect(field_conflict.locator(".conflict__server")).to_have_text("Cà phê doanh nhân (máy A)")
        expect(field_conflict.locator(".conflict__client")).to_have_text("Cà phê doanh nhân (máy B)")
        rejected = b.locator(".rejected")
        expect(rejected).to_have_count(1)
        expect(rejected).to_contain_text("Sửa buổi tiếp xúc")
        expect(rejected).to_contain_text("Bản ghi đã bị xoá trên máy chủ")
        expect(rejected.locator("dd")).to_contain_text(["99"])
        _shot(b, "conflicts-rejected")
        violations = serious(run_axe(b))
        assert violations == [], violations
        # B's screen shows the value the server kept.
        _open_session(b, "Cà phê doanh nhân (máy A)")

        # A sees the same conflict after its next sync.
        _sync_now(a)
        expect(a.locator(".conflict", has_text="Tên buổi")).to_have_count(1)
        expect(a.locator(".conflict", has_text="Tên buổi").locator(".conflict__client")).to_have_text(
            "Cà phê doanh nhân (máy B)"
        )
        _shot(a, "conflict-other-device")
    finally:
        a_ctx.close()
        b_ctx.close()


def test_field_screens_are_accessible(new_context: Callable[..., BrowserContext], killable: ServerProcess) -> None:
    context = _tablet(new_context, axe=True)
    page = context.new_page()
    try:
        _login(page, killable.url)
        assert serious(run_axe(page)) == []
        _new_session(page, "Đối thoại trên sóng phát thanh")
        _add_question(page, "Hỏi về trợ cấp người cao tuổi", photo=PNG)
        assert serious(run_axe(page)) == [], "session screen"
        _go(page, "Về làng, xuống phố")
        page.get_by_role("button", name="Tạo buổi mới").click()
        assert serious(run_axe(page)) == [], "outreach list with the form"
        _sync_now(page)
        assert serious(run_axe(page)) == [], "sync screen"
        # Logging out with nothing pending goes straight out; with something pending it asks first.
        context.set_offline(True)
        _go(page, "Về làng, xuống phố")
        page.get_by_role("link", name="Đối thoại trên sóng phát thanh").click()
        _add_question(page, "Câu hỏi chưa gửi")
        page.get_by_role("button", name="Đăng xuất").click()
        guard = page.get_by_role("alertdialog")
        expect(guard).to_contain_text("Còn 1 thay đổi chưa gửi lên máy chủ")
        assert serious(run_axe(page)) == [], "logout guard"
        _shot(page, "logout-guard")
        guard.get_by_role("button", name="Ở lại").click()
        expect(guard).to_have_count(0)
        _pending(page, 1)
    finally:
        context.close()


def test_server_sees_sync_info(killable: ServerProcess) -> None:
    token = api_json(
        killable.url,
        "/api/auth/login",
        method="POST",
        body={"username": "canbo", "password": DEMO_PASSWORD, "device_id": str(uuid.uuid4())},
    )["token"]
    info = api_json(killable.url, "/api/sync/info", token=token)
    assert {"outreach_session", "outreach_question"} <= set(info["entities"])
    with pytest.raises(urllib.error.HTTPError):
        api_json(killable.url, "/api/sync/info")
