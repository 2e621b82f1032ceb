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
