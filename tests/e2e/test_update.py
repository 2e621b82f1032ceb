"""The update prompt: a new service worker waits, the page offers "Cập nhật", and reloads once after it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PageProblems, Server
from tests.e2e.support import wait_for_service_worker

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("path", "sw"), [("/", "sw.js"), ("/staff/", "staff/sw.js")], ids=["citizen", "staff"])
def test_new_version_prompt_and_reload(page: Page, problems: PageProblems, server: Server, path: str, sw: str) -> None:
    page.goto(path)
    wait_for_service_worker(page)
    assert page.locator(".toast").count() == 0

    script = Path(server.env["PWA_DIST"]) / sw
    original = script.read_bytes()
    try:
        script.write_bytes(original + b"\n// a new version for the update test\n")
        page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
        toast = page.get_by_role("status").filter(has_text="Đã có phiên bản mới")
        expect(toast).to_be_visible(timeout=15_000)

        loads: list[str] = []
        page.on("load", lambda p: loads.append(p.url))
        page.evaluate("window.__beforeUpdate = true")
        with page.expect_event("load"):
            toast.get_by_role("button", name="Cập nhật").click()
        wait_for_service_worker(page)
        assert page.evaluate("window.__beforeUpdate") is None, "the page must reload after the update"
        page.wait_for_timeout(500)
        assert len(loads) == 1, f"reloaded {len(loads)} times"
        expect(page.locator(".toast")).to_have_count(0)
        waiting = page.evaluate("navigator.serviceWorker.getRegistration().then(r => Boolean(r.waiting))")
        assert waiting is False
    finally:
        script.write_bytes(original)
    assert problems.unexpected() == []
