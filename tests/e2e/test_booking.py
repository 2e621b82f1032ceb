"""Booking a home visit (issue 4): the citizen's form, confirmation and status page, offline booking, dispatch.

Each test uses its own phone number (the server allows 3 bookings per phone and day) and books few times
(10 anonymous bookings per network and hour).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.e2e.conftest import PageProblems
from tests.e2e.support import DEMO_PASSWORD, api_json, book_visit, staff_token, wait_for_service_worker

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1280, "height": 800}
PROCEDURE = "1.001193"  # Đăng ký khai sinh: every visit kind
CAO_LANH = "29869"
SHOTS = os.environ.get("PWA_SHOTS")  # a directory: save screenshots of the screens along the way


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": PHONE}


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def appointments_with_phone(base_url: str, phone: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = api_json(base_url, "/api/staff/appointments?limit=500", token=staff_token(base_url))
    return [r for r in rows if r["citizen_phone"] == phone]


def fill_booking(
    page: Page, *, name: str, phone: str, shots: str | None = None, at_step: Callable[[str], None] | None = None
) -> None:
    """From the procedure page to the summary step of the booking form; at_step(name) runs on every step."""
    check = at_step or (lambda step: None)
    page.goto(f"/thu-tuc?ma={PROCEDURE}")
    page.get_by_role("link", name="Đặt lịch cán bộ đến nhà").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đặt lịch cán bộ đến nhà")
    page.get_by_role("radio", name=re.compile("^Hướng dẫn kê khai")).check()
    check("kind")
    if shots:
        shot(page, f"{shots}-1-kind")
    page.get_by_role("button", name="Tiếp tục").click()

    page.get_by_label("Tìm xã, phường").fill("cao lanh")
    page.get_by_role("button", name="Phường Cao Lãnh").click()
    expect(page.get_by_text("Đã chọn:")).to_contain_text("Phường Cao Lãnh")
    check("address")
    page.get_by_label("Số nhà, đường, ấp/khóm").fill("12 Nguyễn Huệ, khóm 3")
    if shots:
        shot(page, f"{shots}-2-address")
    page.get_by_role("button", name="Tiếp tục").click()

    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Số điện thoại").fill(phone)
    check("contact")
    page.get_by_role("button", name="Tiếp tục").click()

    first_time = page.locator(".slot-times .chip__label").first
    expect(first_time).to_be_visible()
    expect(page.locator(".slot-days")).to_contain_text(re.compile("Thứ (Hai|Ba|Tư|Năm|Sáu)"))
    first_time.click()
    check("slot")
    if shots:
        shot(page, f"{shots}-4-slot")
    page.get_by_role("button", name="Tiếp tục").click()

    consent = page.get_by_role("checkbox", name="Tôi đã đọc và đồng ý với nội dung trên.")
    expect(page.get_by_role("region", name="Nội dung đồng ý xử lý dữ liệu cá nhân")).to_contain_text("91/2025/QH15")
    expect(consent).not_to_be_checked()
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Vui lòng đánh dấu ô đồng ý để tiếp tục.")).to_be_visible()
    check("consent (error shown)")
    consent.check()
    if shots:
        shot(page, f"{shots}-5-consent")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("button", name="Xác nhận đặt lịch")).to_be_visible()
    expect(page.locator(".summary")).to_contain_text(name)
    check("summary")
    if shots:
        shot(page, f"{shots}-6-summary")


def test_citizen_books_and_sees_status_offline(page: Page, problems: PageProblems) -> None:
    page.goto("/")
    wait_for_service_worker(page)
    fill_booking(page, name="Nguyễn Thị Mai", phone="0912000001", shots="booking")
    page.get_by_role("button", name="Xác nhận đặt lịch").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đã gửi yêu cầu đặt lịch")
    reference = page.locator(".ref-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", reference), reference
    link = page.get_by_role("textbox", name="Đường liên kết tra cứu lịch hẹn").input_value()
    assert re.fullmatch(rf"http://127\.0\.0\.1:\d+/lich-hen/{reference}#[A-Za-z0-9_-]{{43}}", link), link
    shot(page, "booking-7-confirmation")

    page.get_by_role("link", name="Xem trạng thái").click()
    expect(page.locator(".badge")).to_have_text("Mới đăng ký")
    expect(page.get_by_role("heading", name="Lịch sử")).to_be_visible()
    expect(page.locator(".stamp")).to_contain_text("Cập nhật lúc")
    shot(page, "status")

    page.context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.locator(".badge")).to_have_text("Mới đăng ký")
    expect(page.locator(".stamp")).to_contain_text("Không có mạng — trạng thái cập nhật lúc")
    page.goto("/lich-hen")
    expect(page.locator(".booking-card")).to_contain_text(reference)
    page.context.set_offline(False)
    assert problems.unexpected(offline_ok=True) == []


def test_offline_booking_is_sent_once_when_back_online(page: Page, base_url: str) -> None:
    phone = "0912000002"
    page.goto("/")
    wait_for_service_worker(page)
    fill_booking(page, name="Trần Văn Bình", phone=phone)
    page.context.set_offline(True)
    page.get_by_role("button", name="Xác nhận đặt lịch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã lưu, sẽ gửi khi có mạng")
    shot(page, "booking-queued")
    # Still there after an offline reload (IndexedDB), and nothing reached the server.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã lưu, sẽ gửi khi có mạng")
    assert appointments_with_phone(base_url, phone) == []

    page.context.set_offline(False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã gửi yêu cầu đặt lịch", timeout=15_000)
    page.wait_for_timeout(4_000)  # a few more retry ticks: nothing is sent twice
    assert len(appointments_with_phone(base_url, phone)) == 1


def test_server_down_then_lost_answer_is_not_duplicated(page: Page, base_url: str) -> None:
    """navigator.onLine stays true: the retry timer sends it; a lost answer is retried with the same id + secret."""
    phone = "0912000003"
    page.goto("/")
    wait_for_service_worker(page)
    fill_booking(page, name="Lê Văn Cường", phone=phone)
    calls: list[str] = []
    handled: list[int] = []

    def down_then_lost(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        calls.append(route.request.post_data_json["id"])
        if len(calls) == 1:
            route.abort("connectionrefused")  # the server is down
        else:
            route.fetch()  # the server books it …
            route.fulfill(status=502, body="Bad Gateway")  # … but the answer is lost on the way back
        handled.append(len(calls))

    page.route("**/api/bookings", down_then_lost)
    page.get_by_role("button", name="Xác nhận đặt lịch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã lưu, sẽ gửi khi có mạng")
    assert page.evaluate("navigator.onLine") is True
    # The timer retries (3 s back-off): the second attempt reaches the server but its answer is lost.
    for _ in range(100):
        if len(handled) >= 2:
            break
        page.wait_for_timeout(100)
    assert len(handled) >= 2
    page.unroute("**/api/bookings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã gửi yêu cầu đặt lịch", timeout=20_000)
    assert len(set(calls)) == 1  # always the same booking id
    assert len(appointments_with_phone(base_url, phone)) == 1


def _book_via_api(base_url: str, phone: str) -> tuple[str, str]:
    created = book_visit(
        base_url,
        CAO_LANH,
        kind="guide",
        procedure_code=PROCEDURE,
        address_detail="45 Lê Lợi, khóm 2",
        citizen_name="Phạm Thị Dung",
        citizen_phone=phone,
        notes="Nhà có cổng xanh",
    )
    return str(created["reference"]), str(created["token"])


def test_dispatcher_assigns_and_citizen_sees_confirmation(
    new_context: Callable[..., BrowserContext], base_url: str
) -> None:
    reference, token = _book_via_api(base_url, "0912000004")
    citizen = new_context().new_page()  # a phone (this module's default viewport)
    citizen.goto(f"/lich-hen/{reference}#{token}")
    expect(citizen.locator(".badge")).to_have_text("Mới đăng ký")

    staff = new_context().new_page()
    staff.set_viewport_size(TABLET)
    staff.goto("/staff/")
    staff.get_by_label("Tên đăng nhập").fill("dieuphoi")
    staff.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    staff.get_by_role("button", name="Đăng nhập").click()
    staff.get_by_role("link", name="Điều phối").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Điều phối")
    card = staff.locator(".req-card", has_text=reference)
    expect(card).to_contain_text("Đăng ký khai sinh")
    expect(card).to_contain_text("Hướng dẫn kê khai")
    expect(card).to_contain_text("Phường Cao Lãnh")
    expect(card).to_contain_text("Ứng dụng")
    shot(staff, "dispatch-queue")
    card.click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(reference)
    officer = staff.get_by_role("radio", name=re.compile("^Nguyễn Văn An"))
    expect(staff.get_by_text(re.compile(r"\d+ lịch hẹn hôm nay")).first).to_be_visible()
    officer.check()
    shot(staff, "dispatch-detail")
    staff.get_by_role("button", name="Phân công và xác nhận").click()
    expect(staff.get_by_role("status").filter(has_text="Đã phân công")).to_contain_text("Nguyễn Văn An")
    expect(staff.locator(".badge")).to_have_text("Đã xác nhận lịch hẹn")

    # Cancelling needs a reason; the server's Vietnamese message is shown for an invalid action.
    staff.get_by_role("button", name="Huỷ lịch hẹn").click()
    staff.get_by_role("button", name="Xác nhận huỷ").click()
    expect(staff.get_by_role("alert")).to_have_text("Vui lòng nêu lý do huỷ lịch.")

    staff.get_by_role("link", name="Lịch trong ngày").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Lịch trong ngày")

    citizen.reload()
    expect(citizen.locator(".badge")).to_have_text("Đã xác nhận lịch hẹn")
    expect(citizen.locator(".timeline")).to_contain_text("Đã xác nhận, phân công cán bộ")
