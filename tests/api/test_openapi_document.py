"""The OpenAPI document declares what every operation can answer, its security, and the app's one error body."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from litestar import Litestar, get
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from backend.accounts.guards import public, staff, staff_roles
from backend.app import create_app
from backend.core import openapi
from tests.helpers import bearer, login

ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app().openapi_schema.to_schema()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, item in document["paths"].items() for method, op in item.items()]


def _guards() -> dict[tuple[str, str], tuple[str, ...] | None]:
    """(method, path) -> the roles its staff guard lets in (empty: any staff), None for a public route."""
    return {
        (method, route.path_format): openapi.route_roles(handler)
        for route in create_app().routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for method in handler.http_methods
    }


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.1 meta-schema


def test_every_error_answer_has_the_apps_error_body(document: dict[str, Any]) -> None:
    body = document["components"]["schemas"]["ErrorOut"]
    assert set(body["required"]) == {"status_code", "detail", "detail_vi"}
    assert set(body["properties"]) == {"status_code", "detail", "detail_vi", "extra"}
    for method, path, op in _operations(document):
        for status, answer in op["responses"].items():
            if int(status) >= 400:
                assert answer["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, (method, path, status)
        assert "Validation Exception" not in str(op), (method, path)


def test_answers_follow_the_guard_the_path_and_the_body(document: dict[str, Any]) -> None:
    guards = _guards()
    for method, path, op in _operations(document):
        declared = {int(s) for s in op["responses"]}
        roles = guards[(method, path)]
        assert 400 in declared, (method, path)
        if roles is None:
            assert "security" not in op, (method, path)
        else:
            assert op["security"] == [{"bearer": []}], (method, path)
            assert {401, 503} <= declared, (method, path)
            if roles and set(roles) != {"officer", "dispatcher", "supervisor", "admin"}:
                assert 403 in declared, (method, path)
        if "{" in path:
            assert 404 in declared, (method, path)
        content = op.get("requestBody", {}).get("content", {})
        if content:
            assert 413 in declared, (method, path)
        if "application/json" in content:
            assert 415 in declared, (method, path)
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            assert 503 in declared, (method, path)
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Device session",
    }


def test_what_routes_answer_by_what_they_do_is_declared(document: dict[str, Any]) -> None:
    def declared(method: str, path: str) -> set[int]:
        return {int(s) for s in document["paths"][path][method.lower()]["responses"]}

    assert {401, 403, 429} <= declared("POST", "/api/auth/login")
    assert {200, 201, 409, 429} <= declared("POST", "/api/bookings")
    assert {409, 426} <= declared("POST", "/api/sync/push")
    assert {409, 426} <= declared("POST", "/api/sync/pull")
    assert {409, 413, 422} <= declared("PUT", "/api/sync/attachments/{sha256}")
    assert 503 in declared("GET", "/api/health")
    # Only what can happen: a public catalogue read has neither a session nor a body to refuse.
    assert declared("GET", "/api/units") == {200, 400}


def test_a_route_that_reads_its_own_body_documents_it(document: dict[str, Any]) -> None:
    upload = document["paths"]["/api/sync/attachments/{sha256}"]["put"]
    assert upload["requestBody"]["required"] is True
    assert upload["requestBody"]["content"]["application/octet-stream"]["schema"]["format"] == "binary"
    assert {p["name"] for p in upload["parameters"]} >= {"sha256", "offset", "total", "X-Content-Type"}


def test_inputs_refuse_unknown_fields_in_the_document_as_on_the_wire(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name in ("LoginRequest", "BookingCreate", "StaffIntake", "PushRequest", "Mutation", "SubscriptionIn"):
        assert schemas[name]["additionalProperties"] is False, name
    assert "additionalProperties" not in schemas["BookingOut"]


def test_an_answer_for_a_route_that_does_not_exist_is_refused() -> None:
    @get("/api/x", guards=[public], sync_to_thread=False)
    def handler() -> None:
        return None

    app = Litestar(route_handlers=[handler])
    original = dict(openapi.ROUTE_ANSWERS)
    openapi.ROUTE_ANSWERS[("GET", "/api/renamed")] = frozenset({409})
    try:
        with pytest.raises(RuntimeError, match="/api/renamed"):
            openapi.declare_answers(app)
    finally:
        openapi.ROUTE_ANSWERS.clear()
        openapi.ROUTE_ANSWERS.update(original)


def test_a_staff_guard_says_which_roles_it_lets_in() -> None:
    assert staff_roles(staff()) == ()
    assert staff_roles(staff("admin")) == ("admin",)
    assert staff_roles(public) is None


def test_documented_errors_are_what_the_api_sends(client: TestClient[Any], document: dict[str, Any]) -> None:
    """The error body the document promises is the one on the wire, with its Vietnamese text."""
    required = set(document["components"]["schemas"]["ErrorOut"]["required"])
    token = login(client, "canbo")["token"]
    answers = [
        client.get("/api/auth/me"),  # 401
        client.get("/api/admin/devices", headers=bearer(token)),  # 403
        client.get("/api/units/00000"),  # 404
        client.post("/api/auth/login", content=b"{", headers={"content-type": "application/json"}),  # 400
    ]
    assert [a.status_code for a in answers] == [401, 403, 404, 400]
    for answer in answers:
        body = answer.json()
        assert required <= set(body) <= required | {"extra"}
        assert body["status_code"] == answer.status_code
        assert body["detail_vi"]
