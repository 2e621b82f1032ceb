"""Issue 8 in the browser: a dispatcher acting on an appointment a colleague changed meanwhile is told so and
sees the fresh state (nothing is overwritten); the status page opened without the secret (the calendar
file's link) explains how to reach the booking."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.support import DEMO_PASSWORD, api_json, assign_officer, book_visit, free_slots, staff_token

pytestmark = pytest.mark.e2e

TABLET = {"width": 1280, "height": 800}
CAO_LANH = "29869"


def _book(base_url: str) -> dict[str, Any]:
    slots = free_slots(base_url, CAO_LANH)
    booking: dict[str, Any] = book_visit(
        base_url,
        CAO_LANH,
        address_detail="8 Lý Thường Kiệt, khóm 1",
        citizen_name="Võ Thị Hoa",
        slot_start=slots[len(slots) // 2],
    )
    return booking


def test_a_colleagues_change_is_shown_instead_of_overwritten(
    new_context: Callable[..., BrowserContext], base_url: str
) -> None:
    booking = _book(base_url)
    staff = new_context(viewport=TABLET).new_page()
    staff.goto("/staff/")
    staff.get_by_label("Tên đăng nhập").fill("dieuphoi")
    staff.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    staff.get_by_role("button", name="Đăng nhập").click()
    staff.get_by_role("link", name="Điều phối").click()
    staff.locator(".req-card", has_text=booking["reference"]).click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(booking["reference"])
    expect(staff.locator(".badge")).to_have_text("Mới đăng ký")

    # Meanwhile a supervisor gives the visit to Lê Thị Bích (from another screen).
    supervisor = staff_token(base_url, "giamsat")
    officers = api_json(base_url, f"/api/staff/officers?commune_id={CAO_LANH}", token=supervisor)
    bich = next(o for o in officers if o["full_name"] == "Lê Thị Bích")
    assigned = assign_officer(base_url, supervisor, booking["id"], bich["id"], CAO_LANH)
    assert assigned["officer_name"] == "Lê Thị Bích"

    # The dispatcher, still looking at the old state, gives it to Nguyễn Văn An: refused, and told why.
    staff.get_by_role("radio", name=re.compile("^Nguyễn Văn An")).check()
    staff.get_by_role("button", name="Phân công và xác nhận").click()
    notice = staff.get_by_test_id("stale")
    expect(notice).to_contain_text("Lịch hẹn vừa được người khác thay đổi")
    expect(notice).to_contain_text("Cán bộ phụ trách: Lê Thị Bích")
    expect(notice).to_contain_text("Trạng thái mới: Đã xác nhận lịch hẹn")
    expect(staff.locator(".badge")).to_have_text("Đã xác nhận lịch hẹn")
    expect(staff.locator(".facts")).to_contain_text("Lê Thị Bích")
    stored = api_json(base_url, f"/api/staff/appointments/{booking['id']}", token=supervisor)
    assert stored["officer_name"] == "Lê Thị Bích" and stored["version"] == assigned["version"]

    # Acting again, from the fresh state, works.
    staff.get_by_role("button", name="Huỷ lịch hẹn").click()
    staff.get_by_label("Lý do huỷ (bắt buộc)").fill("Công dân gọi 1022 xin huỷ")
    staff.get_by_role("button", name="Xác nhận huỷ").click()
    expect(staff.get_by_role("status").filter(has_text="Đã huỷ lịch hẹn.")).to_be_visible()
    expect(staff.locator(".badge")).to_have_text("Đã huỷ")
    expect(staff.get_by_test_id("stale")).to_have_count(0)


def test_the_status_page_without_its_secret_says_how_to_open_the_booking(
    new_context: Callable[..., BrowserContext], base_url: str
) -> None:
    booking = _book(base_url)
    page = new_context().new_page()  # another device: it does not keep the booking
    page.goto(f"/lich-hen/{booking['reference']}")
    box = page.get_by_test_id("no-secret")
    expect(box).to_contain_text(f"Máy này chưa lưu lịch hẹn {booking['reference']}")
    expect(box).to_contain_text("Lịch hẹn của tôi")
    expect(box).to_contain_text("1022")
    # On the device that keeps it (opened once with the secret), the same address opens the booking.
    page.goto(f"/lich-hen/{booking['reference']}#{booking['token']}")
    expect(page.locator(".badge")).to_have_text("Mới đăng ký")
    page.goto(f"/lich-hen/{booking['reference']}")
    expect(page.locator(".badge")).to_have_text("Mới đăng ký")
