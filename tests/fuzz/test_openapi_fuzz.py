"""Property-based fuzzing of the OpenAPI document with schemathesis: every input has a declared answer.

For each operation of the document (public and staff), schemathesis generates valid and invalid requests (its
examples, coverage and fuzzing phases; derandomized, so the same cases on every run) and each answer is checked:
no 5xx, a status the operation declares, the declared content type, and a body that matches the declared schema.

Requests go through the suite's TestClient, in process: the one app, event loop and database pool of the other
API tests (a second app on another event loop cannot share the PostgreSQL pool). Staff operations are sent with
a session of the fuzzer's own user of the least privileged role the route lets in (tests/fuzz/conftest.py); a
`flatmap_case` hook puts known values (the fuzzer's communes, bookings with their secrets, free slots, devices,
files, a valid push key) in place of generated ones in half of the fuzzing cases, so that they get past
"not found" into the code behind.

Budget: MAX_EXAMPLES per operation in the fuzzing phase, plus schemathesis' examples and coverage cases. See
docs/decisions/0007-api-fuzzing.md.
"""

from __future__ import annotations

import copy
import io
import os
from typing import Any

import hypothesis.strategies as st
import pytest
import requests
import schemathesis
import urllib3
from hypothesis import HealthCheck, Phase, settings
from litestar.routes import HTTPRoute
from litestar.testing import TestClient
from requests.structures import CaseInsensitiveDict
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend.app import create_app
from backend.appointments.consent import CURRENT_CONSENT_VERSION
from backend.core.openapi import route_roles
from tests.fuzz.conftest import FUZZ_COMMUNES, STATS, WORLD, World

pytestmark = pytest.mark.fuzz

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "40"))
BASE_URL = "http://testserver.local"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

APP = create_app()
DOCUMENT = APP.openapi_schema.to_schema()
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.config.generation.update(modes=["positive", "negative"], deterministic=True)


def _guards() -> dict[tuple[str, str], tuple[str, ...] | None]:
    """(method, path) -> the roles its staff guard lets in (empty: any staff), None for a public route."""
    return {
        (method, route.path_format): route_roles(handler)
        for route in APP.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for method in handler.http_methods
    }


GUARDS = _guards()


def role_for(method: str, path: str) -> str | None:
    """The least privileged role that passes the operation's guard; None for a public operation."""
    roles = GUARDS[(method, path)]
    if roles is None:
        return None
    return next(r for r in ("officer", "dispatcher", "supervisor", "admin") if not roles or r in roles)


# --- known values ------------------------------------------------------------------------------------------------


def _known(world: World, path_template: str, role: str | None) -> dict[str, dict[str, st.SearchStrategy[Any]]]:
    """By location, the names whose generated value may be replaced, and what with."""
    body: dict[str, st.SearchStrategy[Any]] = {
        "commune_id": st.sampled_from(FUZZ_COMMUNES),
        "kind": st.just("receive_dossier"),
        "citizen_phone": st.from_regex(r"\A09[0-9]{8}\Z"),
        "consent": st.just({"accepted": True, "version": CURRENT_CONSENT_VERSION}),
        "citizen_name": st.sampled_from(["Trần Văn Bình", "Nguyễn Thị Ánh"]),
        "address_detail": st.sampled_from(["Số 12, đường Lê Lợi, khóm 3", "Ấp Mỹ Hòa"]),
        "reason": st.sampled_from(["", "Bận việc đột xuất"]),
        "notes": st.just(""),
        "legacy_commune": st.none(),
        "legacy_district": st.none(),
        "token": st.from_regex(r"\A[A-Za-z0-9_-]{43}\Z"),
        "officer_id": st.just(world.officer_id),
        "protocol": st.sampled_from(world.versions["protocol"]),
        "schema": st.sampled_from(world.versions["schema"]),
        "entity": st.sampled_from(world.entities),
        # A loopback address (accepted in tests) where nothing listens: no push ever leaves the machine.
        "endpoint": st.from_regex(r"\Ahttp://127\.0\.0\.1:9/fuzz/[a-z0-9]{8}\Z"),
        "keys": st.just(world.push_keys),
    }
    path: dict[str, st.SearchStrategy[Any]] = {
        "device_id": st.sampled_from(world.victim_devices),
        "sha256": st.sampled_from(world.files),
        "code": st.sampled_from([*FUZZ_COMMUNES, *world.procedures]),
    }
    if world.procedures:
        body["procedure_code"] = st.sampled_from(world.procedures)
    if world.slots:
        body["slot_start"] = st.sampled_from(world.slots)
    bookings = world.bookings_for(path_template)
    if bookings:
        body["entity_id"] = path["appointment_id"] = st.sampled_from([b.id for b in bookings])
    if role is not None:
        body["client_id"] = st.just(world.devices[role])
    query = {
        "commune_id": st.sampled_from(FUZZ_COMMUNES),
        "officer_id": st.just(world.officer_id),
        "kind": st.just("receive_dossier"),
    }
    return {"body": body, "query": query, "path": path}


def _body_fields(method: str, path: str) -> set[str]:
    """The top-level fields of an operation's JSON body, from the document."""
    body = DOCUMENT["paths"][path][method.lower()].get("requestBody", {})
    ref = body.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    return set(DOCUMENT["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))


def _replace(draw: Any, container: Any, known: dict[str, st.SearchStrategy[Any]], depth: int = 0) -> Any:
    """A copy of `container` with its known names replaced (in objects nested in lists too, such as sync
    mutations), but for one left as generated half of the time."""
    if isinstance(container, list) and depth < 2:
        return [_replace(draw, item, known, depth + 1) for item in container]
    if not isinstance(container, dict):
        return container
    present = sorted(name for name in known if name in container)
    keep = draw(st.one_of(st.none(), st.sampled_from(present))) if present else None
    replaced = {name: draw(known[name]) for name in present if name != keep}
    nested = {
        name: _replace(draw, value, known, depth + 1)
        for name, value in container.items()
        if name not in replaced and isinstance(value, list) and depth < 2
    }
    return {**container, **replaced, **nested}


@st.composite
def _with_known_values(draw: Any, case: Any) -> Any:
    world = WORLD.get("world")
    if world is None or not draw(st.booleans()):
        return case
    method, path = case.operation.method.upper(), case.operation.path
    known = _known(world, path, role_for(method, path))
    # In place: the case was generated for this draw, and schemathesis re-checks what a hook changed.
    body = copy.deepcopy(case.body)
    if isinstance(body, dict):  # a field the generator left out can be given too (commune_id, token …)
        body.update({name: None for name in sorted(_body_fields(method, path) & set(known["body"]) - set(body))})
    case.body = _replace(draw, body, known["body"])
    case.query = _replace(draw, case.query, known["query"])
    case.path_parameters = _replace(draw, case.path_parameters, known["path"])
    bookings = world.bookings_for(path)
    if "reference" in (case.path_parameters or {}) and bookings and draw(st.integers(0, 5)) > 0:
        booking = draw(st.sampled_from(bookings))
        case.path_parameters = {**case.path_parameters, "reference": booking.reference}
        case.headers = CaseInsensitiveDict({**(case.headers or {}), "X-Booking-Token": booking.token})
    return case


@schema.hook
def flatmap_case(context: Any, case: Any) -> st.SearchStrategy[Any]:
    return _with_known_values(case)


# --- sending -----------------------------------------------------------------------------------------------------


class _TestClientAdapter(requests.adapters.HTTPAdapter):
    """Sends schemathesis' requests through the suite's TestClient and hands back a `requests` response."""

    def __init__(self, client: TestClient[Any]) -> None:
        super().__init__()
        self.client = client

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        body = request.body.encode() if isinstance(request.body, str) else request.body
        answer = self.client.request(str(request.method), str(request.url), content=body, headers=dict(request.headers))
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(answer.content),
            headers=list(answer.headers.multi_items()),
            status=answer.status_code,
            version=11,
            preload_content=False,
            request_method=request.method,
        )
        response = self.build_response(request, raw)
        response._content = answer.content
        response.headers = CaseInsensitiveDict(answer.headers)
        return response


@pytest.fixture(scope="module")
def session(client: TestClient[Any]) -> requests.Session:
    s = requests.Session()
    s.mount("http://", _TestClientAdapter(client))
    return s


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)
def test_every_answer_is_declared(case: Any, session: requests.Session, fuzz_world: World) -> None:
    method, path = case.operation.method.upper(), case.operation.path
    headers: dict[str, str] = {}
    role = role_for(method, path)
    if role is not None:
        # Logging out ends the session it is sent with: each logout case gets one of its own.
        token = fuzz_world.login(role)[0] if path == "/api/auth/logout" else fuzz_world.tokens[role]
        headers["Authorization"] = f"Bearer {token}"
    response = case.call(base_url=BASE_URL, session=session, headers=headers)
    sent = case.method.upper()
    STATS[(f"{method} {path}" + ("" if sent == method else f" (sent as {sent})"), response.status_code)] += 1
    case.validate_response(response, checks=CHECKS, headers=headers)
