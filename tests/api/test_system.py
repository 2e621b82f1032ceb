"""Health, OpenAPI, security headers and the one error format."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.conftest import IS_POSTGRES


def test_health_reports_database_and_version(client: TestClient[Any]) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "version": "0.1.0",
        "database": "postgresql" if IS_POSTGRES else "sqlite",
    }


def test_every_response_carries_a_strict_csp_and_security_headers(client: TestClient[Any]) -> None:
    for path in ("/api/health", "/api/does-not-exist", "/api/schema"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "script-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert len(headers["x-request-id"]) == 16


def test_openapi_document_and_browsable_ui(client: TestClient[Any]) -> None:
    schema = client.get("/api/schema/openapi.json").json()
    assert schema["info"]["title"] == "Gần Dân API"
    assert {"/api/health", "/api/auth/login", "/api/procedures", "/api/units/resolve"} <= set(schema["paths"])
    page = client.get("/api/schema")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    # The page runs under the CSP: only local scripts, no inline code.
    assert '<script src="/vendor/swagger-ui/swagger-ui-bundle.js"></script>' in page.text
    assert "<script>" not in page.text


def test_every_route_declares_a_guard() -> None:
    from backend.app import create_app

    app = create_app()
    unguarded = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.resolve_guards() or handler.http_methods == {"OPTIONS"}:
                continue  # OPTIONS is Litestar's own CORS pre-flight answer
            if route.path.startswith("/api/schema"):
                continue  # the OpenAPI document itself is public by nature
            unguarded.append(route.path)
    assert unguarded == []


def test_a_full_write_queue_answers_503_at_once(client: TestClient[Any], monkeypatch: Any) -> None:
    """Writers waiting longer than the busy timeout get a clear 503 with Retry-After instead of hanging."""
    import asyncio
    import uuid

    from backend.db import engine

    if IS_POSTGRES:
        return  # the queue exists only in front of SQLite's single writer
    monkeypatch.setenv("SQLITE_BUSY_MS", "100")
    held = client.blocking_portal.call(asyncio.Event)

    async def hold_the_write_lock() -> None:
        async with engine._sqlite_write_lock():
            held.set()
            await asyncio.sleep(1.0)

    future = client.blocking_portal.start_task_soon(hold_the_write_lock)
    client.blocking_portal.call(held.wait)
    response = client.post(
        "/api/auth/login", json={"username": "canbo", "password": "gandan-demo-2026", "device_id": str(uuid.uuid4())}
    )
    future.result(timeout=5)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["detail_vi"] == "Hệ thống đang bận. Vui lòng thử lại sau ít giây."


def test_a_writer_outside_the_queue_that_finds_the_database_locked_gets_503(
    client: TestClient[Any], monkeypatch: Any
) -> None:
    """A write outside write_transaction() (here the record of a failed login) that waits out SQLite's busy timeout
    is told to retry (503 with Retry-After), not given a 500."""
    import sqlite3
    import uuid

    from backend.db.engine import get_engine
    from backend.settings import get_settings

    if IS_POSTGRES:
        return  # SQLite's single write lock
    monkeypatch.setitem(get_engine().connection_kwargs, "timeout", 0.1)
    other = sqlite3.connect(get_settings().sqlite_path, timeout=1)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        response = client.post(
            "/api/auth/login", json={"username": "canbo", "password": "wrong-password", "device_id": str(uuid.uuid4())}
        )
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "2"
    assert response.json()["detail_vi"] == "Hệ thống đang bận. Vui lòng thử lại sau ít giây."
