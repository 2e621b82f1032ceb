"""Helpers for the browser tests: waiting for service workers, running axe-core, folding Vietnamese text."""

from __future__ import annotations

import json
import secrets
import unicodedata
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "pwa" / "dist"
AXE_JS = ROOT / "pwa" / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "gandan-demo-2026"
SW_TIMEOUT_MS = 20_000


def fold(text: str) -> str:
    """The same folding as pwa/src/shared/text.ts: no diacritics, đ → d, lower case, single spaces."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "d").lower().split())


def wait_for_service_worker(page: Page) -> None:
    """Until this page is controlled by an activated service worker (a controller can still be activating)."""
    page.wait_for_function("() => navigator.serviceWorker.controller?.state === 'activated'", timeout=SW_TIMEOUT_MS)


def api_json(base_url: str, path: str, *, method: str = "GET", body: Any = None, token: str | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base_url}{path}", data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def staff_token(base_url: str, username: str = "dieuphoi", password: str = DEMO_PASSWORD) -> str:
    body = {"username": username, "password": password, "device_id": str(uuid.uuid4())}
    return str(api_json(base_url, "/api/auth/login", method="POST", body=body)["token"])


def free_slots(base_url: str, commune: str, kind: str = "receive_dossier", days: int = 14) -> list[str]:
    """Every free start (ISO, UTC) in the next days, from the public availability API (the server's clock)."""
    found = api_json(base_url, f"/api/bookings/availability?commune_id={commune}&kind={kind}&days={days}")["days"]
    return [slot["start"] for day in found for slot in day["slots"]]


def book_visit(base_url: str, commune: str, *, kind: str = "receive_dossier", **fields: Any) -> Any:
    """A citizen's booking through the public API (at the first free slot unless `slot_start` is given); the
    answer, with its secret `token`."""
    token = "e2e-" + secrets.token_urlsafe(32)
    body = {
        "id": str(uuid.uuid4()),
        "token": token,
        "procedure_code": "1.001193",
        "kind": kind,
        "commune_id": commune,
        "address_detail": "Số 8, đường Phạm Hữu Lầu, khóm 2",
        "citizen_name": "Lâm Thị Thu",
        "citizen_phone": "09" + "".join(secrets.choice("0123456789") for _ in range(8)),
        "slot_start": fields.get("slot_start") or free_slots(base_url, commune, kind)[0],
        "consent": {"accepted": True, "version": api_json(base_url, "/api/bookings/consent")["version"]},
        **fields,
    }
    return {**api_json(base_url, "/api/bookings", method="POST", body=body), "token": token}


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the current page (WCAG 2.x A/AA and best practices)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
                resultTypes: ['violations'],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            }));
        }"""
    )


def serious(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def assign_officer(base_url: str, token: str, appointment_id: str, officer_id: str, commune: str) -> Any:
    """Assign; when this officer is already out at that time (409 officer_busy), move the visit to a free slot."""
    import urllib.error

    url = f"/api/staff/appointments/{appointment_id}/assign"
    slots = [None, *free_slots(base_url, commune)[::-1]]
    for slot in slots:
        body = {"officer_id": officer_id} | ({"slot_start": slot} if slot else {})
        try:
            return api_json(base_url, url, method="POST", body=body, token=token)
        except urllib.error.HTTPError as error:
            if error.code != 409 or "officer_busy" not in error.read().decode():
                raise
    raise AssertionError("no slot where the officer is free")
