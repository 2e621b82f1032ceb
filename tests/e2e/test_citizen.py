"""The citizen app at /: installs its service worker, renders the catalogue from IndexedDB, searches offline."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import PageProblems
from tests.e2e.support import api_json, fold, wait_for_service_worker

pytestmark = pytest.mark.e2e

PHONE = {"width": 412, "height": 915}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": PHONE}


@pytest.fixture(scope="module")
def catalogue(base_url: str) -> list[dict[str, Any]]:
    procedures = api_json(base_url, "/api/procedures?limit=500")
    assert procedures, "the API returned no procedures: is data/procedures.json loaded by `gandan migrate`?"
    return procedures


def _pick(catalogue: list[dict[str, Any]]) -> dict[str, Any]:
    """Birth registration when the catalogue has it, else the first procedure."""
    return next((p for p in catalogue if p["name"] == "Đăng ký khai sinh"), catalogue[0])


def _expected_matches(catalogue: list[dict[str, Any]], query: str) -> set[str]:
    tokens = fold(query).split()
    return {
        p["code"]
        for p in catalogue
        if all(t in fold(" ".join([p["name"], p["name_en"], p["code"], p["field"]])) for t in tokens)
    }


def _open_installed(page: Page, path: str = "/") -> None:
    page.goto(path)
    wait_for_service_worker(page)


def test_home_renders_and_installs(page: Page, problems: PageProblems, catalogue: list[dict[str, Any]]) -> None:
    _open_installed(page)
    expect(page).to_have_title(re.compile("Gần Dân"))
    assert page.evaluate("document.documentElement.lang") == "vi"
    expect(page.get_by_role("heading", level=1)).to_have_text("Cán bộ đến tận nhà")
    expect(page.locator(".brand__name")).to_have_text("Gần Dân")
    expect(page.locator(".proc-card")).to_have_count(len(catalogue))
    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["name"] == "Gần Dân" and manifest["lang"] == "vi" and manifest["scope"] == "/"
    assert problems.unexpected() == []


def test_offline_reload_and_search(
    page: Page, context: BrowserContext, problems: PageProblems, catalogue: list[dict[str, Any]]
) -> None:
    _open_installed(page)
    expect(page.locator(".proc-card")).to_have_count(len(catalogue))
    # Now that the SW controls the page, a catalogue GET passes through its network-first cache.
    assert page.evaluate("fetch('/api/procedures?limit=500').then(r => r.ok)") is True

    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker, "the offline page must come from the SW"
    assert page.evaluate("navigator.onLine") is False
    expect(page.locator(".net-status")).to_contain_text("Không có mạng")
    # Rendered from IndexedDB, without the network.
    expect(page.locator(".proc-card")).to_have_count(len(catalogue))
    # Offline, the SW answers the catalogue API from that cache.
    cached = page.evaluate("fetch('/api/procedures?limit=500').then(r => r.json())")
    assert [p["code"] for p in cached] == [p["code"] for p in catalogue]

    target = _pick(catalogue)
    query = fold(target["name"])  # typed without diacritics, e.g. "dang ky khai sinh"
    expected = _expected_matches(catalogue, query)
    page.get_by_label("Tìm thủ tục").fill(query)
    cards = page.locator(".proc-card")
    expect(cards).to_have_count(len(expected))
    assert {c.get_attribute("data-code") for c in cards.all()} == expected
    expect(page.locator(f'.proc-card[data-code="{target["code"]}"]')).to_contain_text(target["name"])

    page.get_by_label("Tìm thủ tục").fill("khong co thu tuc nao nhu the nay")
    expect(cards).to_have_count(0)
    expect(page.get_by_text("Không tìm thấy thủ tục nào")).to_be_visible()
    assert problems.unexpected(offline_ok=True) == []


def test_procedure_detail_offline(
    page: Page, context: BrowserContext, problems: PageProblems, catalogue: list[dict[str, Any]]
) -> None:
    target = _pick(catalogue)
    _open_installed(page)
    page.locator(f'.proc-card[data-code="{target["code"]}"]').click()
    expect(page).to_have_url(re.compile(r"/thu-tuc\?ma="))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(target["name"])
    expect(heading).to_be_focused()
    expect(page.get_by_role("heading", name="Thành phần hồ sơ")).to_be_visible()
    docs = page.locator(".doc-list > li")
    expect(docs).to_have_count(len(target["required_documents"]))

    fee = page.locator(".facts dt", has_text="Lệ phí").locator("xpath=following-sibling::dd")
    if target["fee_vnd"]:
        amount = f"{target['fee_vnd']:,}".replace(",", ".")
        expect(fee).to_contain_text(re.compile(rf"{re.escape(amount)}\s₫"))
    elif target["fee_vnd"] == 0:
        expect(fee).to_contain_text("Miễn lệ phí")

    # The detail URL itself opens offline (the SW serves the shell, IndexedDB the data).
    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.get_by_role("heading", level=1)).to_have_text(target["name"])
    page.get_by_role("link", name="Quay lại danh mục").click()
    expect(page.locator(".proc-card")).to_have_count(len(catalogue))
    assert problems.unexpected(offline_ok=True) == []


def test_language_switch(page: Page, problems: PageProblems) -> None:
    _open_installed(page)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Officers come to your home")
    expect(page.get_by_role("heading", name="Administrative procedures")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("localStorage.getItem('gandan.lang')") == "en"

    page.reload()  # the choice is remembered
    expect(page.get_by_role("heading", level=1)).to_have_text("Officers come to your home")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")

    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cán bộ đến tận nhà")
    assert page.evaluate("document.documentElement.lang") == "vi"
    assert problems.unexpected() == []
