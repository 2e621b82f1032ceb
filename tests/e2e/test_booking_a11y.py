"""axe-core on the booking screens (citizen) and the dispatcher screens (staff): no serious/critical violations."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.support import DEMO_PASSWORD, api_json, free_slots, run_axe, serious, staff_token
from tests.e2e.test_booking import CAO_LANH, PHONE, PROCEDURE, TABLET, fill_booking, shot

pytestmark = pytest.mark.e2e


def _assert_clean(page: Page, where: str) -> None:
    found = serious(run_axe(page))
    assert found == [], f"{where}: {found}"


@pytest.fixture
def axe_page(new_context: Callable[..., BrowserContext]) -> Callable[[dict[str, int]], Page]:
    """CSP bypassed only so that axe-core can be injected as a script tag."""
    return lambda viewport: new_context(bypass_csp=True, viewport=viewport).new_page()


def test_booking_screens(axe_page: Callable[[dict[str, int]], Page]) -> None:
    page = axe_page(PHONE)
    fill_booking(
        page, name="Võ Thị Em", phone="0912000005", at_step=lambda step: _assert_clean(page, f"booking: {step}")
    )
    page.get_by_role("button", name="Xác nhận đặt lịch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã gửi yêu cầu đặt lịch")
    _assert_clean(page, "confirmation")
    page.get_by_role("link", name="Xem trạng thái").click()
    expect(page.locator(".badge")).to_have_text("Mới đăng ký")
    _assert_clean(page, "status")
    page.get_by_role("button", name="Đổi giờ hẹn").click()
    expect(page.locator(".panel .slot-times .chip__label").first).to_be_visible()
    _assert_clean(page, "status: reschedule")
    shot(page, "status-reschedule")
    page.get_by_role("button", name="Huỷ lịch hẹn").click()
    _assert_clean(page, "status: cancel")
    page.get_by_role("button", name="Rút lại sự đồng ý").click()
    _assert_clean(page, "status: withdraw consent")
    page.get_by_role("link", name="Lịch hẹn của tôi").first.click()
    expect(page.locator(".booking-card")).to_have_count(1)
    _assert_clean(page, "my bookings")
    shot(page, "booking-mine")


def _intake(base_url: str, phone: str) -> dict[str, Any]:
    slot = free_slots(base_url, CAO_LANH)[0]
    version = api_json(base_url, "/api/bookings/consent")["version"]
    return dict(
        api_json(
            base_url,
            "/api/staff/appointments",
            method="POST",
            token=staff_token(base_url),
            body={
                "id": str(uuid.uuid4()),
                "channel": "hotline_1022",
                "procedure_code": PROCEDURE,
                "kind": "receive_dossier",
                "commune_id": CAO_LANH,
                "address_detail": "7 Trần Hưng Đạo, khóm 1",
                "citizen_name": "Đặng Văn Phúc",
                "citizen_phone": phone,
                "slot_start": slot,
                "consent": {"accepted": True, "version": version},
            },
        )
    )


def test_dispatcher_screens(axe_page: Callable[[dict[str, int]], Page], base_url: str) -> None:
    appointment = _intake(base_url, "0912000006")
    page = axe_page(TABLET)
    page.goto("/staff/")
    page.get_by_label("Tên đăng nhập").fill("dieuphoi")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hôm nay")
    page.get_by_role("link", name="Điều phối").click()
    expect(page.locator(".req-card", has_text=appointment["reference"])).to_contain_text("Tổng đài 1022")
    _assert_clean(page, "dispatcher queue")

    page.locator(".req-card", has_text=appointment["reference"]).click()
    expect(page.get_by_role("radio", name="Giữ giờ công dân đã chọn")).to_be_checked()
    page.get_by_role("radio", name="Chọn giờ khác (đã thống nhất với công dân)").check()
    expect(page.locator(".slot-times .chip__label").first).to_be_visible()
    _assert_clean(page, "appointment detail")
    page.get_by_role("button", name="Huỷ lịch hẹn").click()
    _assert_clean(page, "appointment detail: cancel")

    page.get_by_role("link", name="Nhận yêu cầu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhận yêu cầu")
    _assert_clean(page, "intake form")
    page.get_by_role("button", name="Lưu yêu cầu").click()
    expect(page.get_by_text("Vui lòng chọn kênh tiếp nhận.")).to_be_visible()
    _assert_clean(page, "intake form with errors")
    page.get_by_text("Điện thoại", exact=True).click()
    page.get_by_label("Thủ tục").select_option(PROCEDURE)
    page.get_by_text("Tiếp nhận hồ sơ", exact=True).click()
    page.get_by_label("Xã, phường").select_option(CAO_LANH)
    expect(page.locator(".slot-times .chip__label").first).to_be_visible()
    shot(page, "dispatch-intake")

    page.get_by_role("link", name="Lịch trong ngày").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lịch trong ngày")
    day = appointment["slot_start"][:10]  # UTC date = Viet Nam date for working hours
    page.get_by_label("Ngày", exact=True).fill(day)
    expect(page.locator(".plan__officer").first).to_be_visible()
    _assert_clean(page, "day plan")
    shot(page, "dispatch-plan")
