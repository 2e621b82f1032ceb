"""Web Push in the staff app: a message delivered to the /staff/ service worker (CDP) shows a notification."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PageProblems
from tests.e2e.support import wait_for_service_worker
from tests.e2e.test_push import PushDelivery

pytestmark = pytest.mark.e2e

ASSIGNED = {
    "event": "staff_assigned",
    "title": "Lịch hẹn mới được giao",
    "body": "K7M3-9PQ2 · 09:00 thứ Hai 12/05 · Cấp đổi CCCD tại nhà",
    "url": "/staff/",
    "tag": "staff-appt-0f3a",
    "appointment_id": "0f3a",
    "reference": "K7M3-9PQ2",
    "lang": "vi",
    "v": 1,
}


class StaffPushDelivery(PushDelivery):
    def registration_id(self) -> str:
        scope = f"{self.origin}/staff/"
        deadline = time.monotonic() + 10
        while scope not in self.registrations:
            assert time.monotonic() < deadline, f"no service worker registration for {scope}: {self.registrations}"
            self.page.wait_for_timeout(50)
        return self.registrations[scope]


def test_staff_worker_shows_assignment_and_generic_notifications(
    page: Page, base_url: str, problems: PageProblems
) -> None:
    sw_errors: list[str] = []
    page.context.on(
        "serviceworker", lambda w: w.on("console", lambda m: m.type == "error" and sw_errors.append(m.text))
    )
    page.context.grant_permissions(["notifications"], origin=base_url)
    page.goto("/staff/")
    wait_for_service_worker(page)
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/staff/sw.js")

    push = StaffPushDelivery(page, base_url)
    push.deliver(json.dumps(ASSIGNED, ensure_ascii=False))
    shown: dict[str, Any] = push.wait_for(lambda n: n["tag"] == "staff-appt-0f3a")
    assert shown["title"] == ASSIGNED["title"]
    assert shown["body"] == ASSIGNED["body"]
    assert shown["data"]["url"] == "/staff/"

    # A link outside the staff app falls back to /staff/; an unusable payload still shows the staff text.
    push.deliver(json.dumps({**ASSIGNED, "tag": "staff-x", "url": "/lich-hen/K7M3-9PQ2"}, ensure_ascii=False))
    assert push.wait_for(lambda n: n["tag"] == "staff-x")["data"]["url"] == "/staff/"
    push.deliver("not json{")
    generic = push.wait_for(lambda n: n["title"] == "Gần Dân – Cán bộ")
    assert generic["body"] == "Có thay đổi về lịch hẹn được giao."
    assert generic["data"]["url"] == "/staff/"
    assert push.errors == [] and sw_errors == [] and problems.unexpected() == []
