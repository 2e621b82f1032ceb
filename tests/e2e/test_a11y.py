"""axe-core on every screen: no serious or critical violations. And proof that the audit can fail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.support import DEMO_PASSWORD, api_json, run_axe, serious

pytestmark = pytest.mark.e2e

PHONE = {"width": 412, "height": 915}
TABLET = {"width": 1280, "height": 800}


@pytest.fixture
def axe_context(new_context: Callable[..., BrowserContext]) -> Callable[[dict[str, int]], Page]:
    """A page whose CSP is bypassed only so that axe-core can be injected as a script tag."""

    def open_page(viewport: dict[str, int]) -> Page:
        return new_context(bypass_csp=True, viewport=viewport).new_page()

    return open_page


def _assert_clean(page: Page, where: str) -> None:
    found = serious(run_axe(page))
    assert found == [], f"{where}: {found}"


def test_citizen_home(axe_context: Callable[[dict[str, int]], Page]) -> None:
    page = axe_context(PHONE)
    page.goto("/")
    expect(page.locator(".proc-card").first).to_be_visible()
    _assert_clean(page, "citizen home")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Officers come to your home")
    _assert_clean(page, "citizen home (English)")


def test_procedure_detail(axe_context: Callable[[dict[str, int]], Page], base_url: str) -> None:
    procedures: list[dict[str, Any]] = api_json(base_url, "/api/procedures?limit=1")
    page = axe_context(PHONE)
    page.goto(f"/thu-tuc?ma={procedures[0]['code']}")
    expect(page.get_by_role("heading", name="Thành phần hồ sơ")).to_be_visible()
    _assert_clean(page, "procedure detail")


def test_staff_login_and_today(axe_context: Callable[[dict[str, int]], Page]) -> None:
    page = axe_context(TABLET)
    page.goto("/staff/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    _assert_clean(page, "staff login")
    page.get_by_label("Tên đăng nhập").fill("giamsat")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hôm nay")
    expect(page.locator(".userbox__role")).to_have_text("Giám sát")
    _assert_clean(page, "staff today")


def test_the_audit_can_fail(axe_context: Callable[[dict[str, int]], Page]) -> None:
    page = axe_context(PHONE)
    page.set_content(
        """<!doctype html><html><head><title>broken</title></head><body>
        <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
        <input type="text">
        <p style="color:#bbb;background:#fff">low contrast</p>
        </body></html>"""
    )
    ids = {v["id"] for v in serious(run_axe(page))}
    assert {"image-alt", "label"} <= ids, ids
