"""Issue 4 end to end: a citizen's booking is assigned, reaches the officer's tablet through sync, is marked done
offline, and the citizen's status page shows it once the tablet has synced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import Server, StaffUser
from tests.e2e.support import DEMO_PASSWORD, api_json, assign_officer, book_visit, staff_token, wait_for_service_worker

pytestmark = pytest.mark.e2e

MY_TRA = "29888"  # Phường Mỹ Trà
TABLET = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _book_and_assign(base: str, officer: StaffUser) -> dict[str, Any]:
    booking: dict[str, Any] = book_visit(base, MY_TRA)
    dispatcher = staff_token(base)
    officers = api_json(base, f"/api/staff/officers/?commune_id={MY_TRA}", token=dispatcher)
    assert officer.id in {o["id"] for o in officers}
    assign_officer(base, dispatcher, booking["id"], officer.id, MY_TRA)
    return booking


def _tap(card: Any, page: Page, label: str) -> None:
    card.get_by_role("button", name=label, exact=True).click()


def test_assigned_visit_reaches_the_tablet_is_done_offline_and_the_citizen_sees_it(
    new_context: Callable[..., BrowserContext], server: Server, staff_user: Callable[..., StaffUser]
) -> None:
    officer = staff_user("officer", (MY_TRA,))
    booking = _book_and_assign(server.url, officer)
    tablet = new_context(viewport=TABLET)
    citizen = new_context(viewport=PHONE)
    try:
        page = tablet.new_page()
        page.goto("/staff/")
        wait_for_service_worker(page)
        page.get_by_label("Tên đăng nhập").fill(officer.username)
        page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Hôm nay")
        card = page.locator(f"li[data-appointment='{booking['id']}']")
        expect(card).to_be_visible(timeout=15_000)  # pulled by the first sync
        expect(card).to_contain_text("Lâm Thị Thu")
        expect(card).to_have_attribute("data-status", "confirmed")

        tablet.set_offline(True)
        _tap(card, page, "Đang đến")
        expect(card).to_have_attribute("data-status", "on_the_way")
        _tap(card, page, "Đã đến")
        expect(card).to_have_attribute("data-status", "arrived")
        _tap(card, page, "Hoàn thành")
        card.get_by_label("Mã hồ sơ (nếu có)").fill("29888-261128-0007")
        card.get_by_role("button", name="Lưu trạng thái: Hoàn thành").click()
        expect(card).to_have_attribute("data-status", "done")
        expect(page.locator(".sync-status")).to_have_text("3 chờ đồng bộ")
        page.reload()  # still offline: the work is on the tablet
        expect(page.locator(f"li[data-appointment='{booking['id']}']")).to_have_attribute("data-status", "done")

        # Nothing reached the server yet.
        dispatcher = staff_token(server.url)
        assert (
            api_json(server.url, f"/api/staff/appointments/{booking['id']}", token=dispatcher)["status"] == "confirmed"
        )

        tablet.set_offline(False)
        expect(page.locator(".sync-status")).to_have_text("0 chờ đồng bộ", timeout=20_000)
        stored = api_json(server.url, f"/api/staff/appointments/{booking['id']}", token=dispatcher)
        assert stored["status"] == "done" and stored["dossier_code"] == "29888-261128-0007"

        status_page = citizen.new_page()
        status_page.goto(f"/lich-hen/{booking['reference']}#{booking['token']}")
        expect(status_page.get_by_text("Đã hoàn thành").first).to_be_visible(timeout=15_000)
    finally:
        tablet.close()
        citizen.close()
