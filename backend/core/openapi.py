"""What the OpenAPI document says beyond Litestar's defaults: every answer an operation can give, the security of
staff routes, bodies that routes read themselves, and input objects that refuse unknown fields.

Each operation's error answers are derived at app assembly from what the route is:

- every operation: 400 (a control character in the path or the query string is refused before any route runs,
  and every parameter is checked);
- a staff guard: 401 (no session, an ended one, a revoked device with `extra.wipe`), the `bearer` security
  requirement, and 503 (the session is touched, a write); a guard that lets in only some roles: 403;
- a path parameter: 404 (it names something that may not exist, or a value routing cannot place);
- a body: 413 (over the route's size limit) and, for JSON, 415 (not sent as application/json);
- a write method (POST, PUT, PATCH, DELETE): 503 when the database is busy (the SQLite write queue is full, see
  docs/decisions/0004-sqlite-write-queue.md), with Retry-After.

What a route answers because of what it does (a conflict with the current state, a rate limit, a version the
server no longer speaks) cannot be read from its signature: ROUTE_ANSWERS lists it, and declare_answers refuses
an entry that names no route, so the list cannot rot. The API fuzzer (tests/fuzz) checks that no operation gives
an answer this module did not declare.

All errors share one body, ErrorOut (backend/core/errors.py), instead of Litestar's ValidationException schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar

import msgspec
from litestar import Litestar, Response

# Litestar's own msgspec schema plugin, extended below (Litestar is pinned to 2.x).
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example, OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.routes import HTTPRoute
from litestar.typing import FieldDefinition

from backend.accounts.guards import staff_roles
from backend.accounts.schemas import ROLES
from backend.core.errors import VI_BY_STATUS, ErrorOut

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator

SECURITY_SCHEME = "bearer"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Answers that come from what a route does, by (method, path as in the document).
ROUTE_ANSWERS: dict[tuple[str, str], frozenset[int]] = {
    key: frozenset(statuses)
    for key, statuses in {
        ("GET", "/api/health"): (503,),
        ("HEAD", "/api/health"): (503,),
        ("POST", "/api/auth/login"): (401, 403, 429),  # wrong password; a revoked device; too many failures
        ("POST", "/api/bookings"): (409, 429),  # id already used, slot taken; bookings per phone and network
        ("POST", "/api/bookings/{reference}/reschedule"): (409,),
        ("POST", "/api/bookings/{reference}/cancel"): (409,),
        ("POST", "/api/bookings/{reference}/withdraw-consent"): (409,),
        ("POST", "/api/bookings/{reference}/push-subscription"): (409,),  # consent withdrawn; an old push key
        ("POST", "/api/push/subscriptions"): (409,),
        ("POST", "/api/staff/appointments"): (403, 409, 429),  # a commune outside the user's scope
        ("POST", "/api/staff/appointments/{appointment_id}/assign"): (409,),
        ("POST", "/api/staff/appointments/{appointment_id}/reschedule"): (409,),
        ("POST", "/api/staff/appointments/{appointment_id}/cancel"): (409,),
        ("POST", "/api/staff/appointments/{appointment_id}/status"): (403, 409),
        ("POST", "/api/sync/push"): (403, 409, 426),  # another device's client_id; schema/protocol versions
        ("POST", "/api/sync/pull"): (403, 409, 426),
        ("POST", "/api/sync/conflicts/{conflict_id}/resolve"): (409,),
        ("PUT", "/api/sync/attachments/{sha256}"): (409, 422),  # offset mismatch; SHA-256 mismatch
        ("GET", "/api/sync/attachments/{sha256}"): (403,),  # a file of no record in the user's communes
    }.items()
}

# Successes other than the route's own status code, by (method, path): status -> description. The body is the
# route's own.
OTHER_SUCCESSES: dict[tuple[str, str], dict[int, str]] = {
    ("POST", "/api/bookings"): {200: "A retry (same id and token): the booking already made"},
    ("POST", "/api/staff/appointments"): {200: "A retry (same id, same author): the appointment already taken"},
}

DESCRIPTIONS = {
    400: "Malformed or invalid input (`detail` names the field)",
    401: "Login required, or the session has ended; `extra.wipe` is true when the device was revoked",
    403: "Not allowed for this role, scope or device",
    404: "Not found",
    409: "Conflicts with the current state",
    413: "Request body too large",
    415: "The body must be sent as application/json",
    422: "The uploaded file does not match its SHA-256",
    426: "This version of the app is no longer supported: update it",
    429: "Too many attempts: wait for Retry-After seconds",
    503: "Busy or unavailable: retry after Retry-After seconds",
}


def _error_spec(status: int) -> ResponseSpec:
    example = {"status_code": status, "detail": HTTPStatus(status).phrase, "detail_vi": VI_BY_STATUS[status]}
    return ResponseSpec(
        data_container=ErrorOut,
        description=DESCRIPTIONS[status],
        generate_examples=False,
        examples=[Example(value=example)],
    )


def route_roles(handler: HTTPRouteHandler) -> tuple[str, ...] | None:
    """The roles a route's staff guard lets in (empty: any staff role), or None for a public route."""
    roles = None
    for layer in handler.ownership_layers:
        for guard in layer.guards or ():
            found = staff_roles(guard)
            roles = found if found is not None else roles
    return roles


def raw_body(media_type: str, description: str) -> type[Operation]:
    """The `operation_class` of a route that reads its body itself (`request.body()`), to document that body.

    Litestar documents only a `data` parameter, which it always decodes (as JSON by default).
    """

    @dataclass
    class RawBodyOperation(Operation):
        raw_media_type: ClassVar[str] = media_type

        def __post_init__(self) -> None:
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY, description=description)
            self.request_body = RequestBody(
                content={media_type: OpenAPIMediaType(schema=binary)}, description=description, required=True
            )

    return RawBodyOperation


def _body(handler: HTTPRouteHandler) -> str | None:
    """'json' when the route decodes a JSON body, 'raw' when it reads the bytes itself, else None."""
    if getattr(handler.operation_class, "raw_media_type", None):
        return "raw"
    return "json" if "data" in handler.parsed_fn_signature.parameters else None


def answers_of(handler: HTTPRouteHandler, method: str, path: str, path_parameters: Iterable[str]) -> set[int]:
    """The error statuses one operation can answer."""
    statuses = {400}
    roles = route_roles(handler)
    if roles is not None:
        statuses |= {401, 503}
        if roles and not set(ROLES) <= set(roles):
            statuses.add(403)
    if any(True for _ in path_parameters):
        statuses.add(404)
    body = _body(handler)
    if body is not None:
        statuses.add(413)
        if body == "json":
            statuses.add(415)
    if method in WRITE_METHODS:
        statuses.add(503)
    return statuses | ROUTE_ANSWERS.get((method, path), frozenset())


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """msgspec Structs as Litestar documents them, plus `additionalProperties: false` for those that refuse unknown
    fields (every input schema, see backend/core/text.py): a client, or a fuzzer, learns it from the document."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if isinstance(info, msgspec.inspect.StructType) and info.forbid_unknown_fields:
            schema.additional_properties = False
        return schema


def _body_type(handler: HTTPRouteHandler) -> Any:
    """What the route answers with: its return annotation, or T of a `Response[T]`."""
    returned = handler.parsed_fn_signature.return_type
    if returned.is_subclass_of(Response) and returned.inner_types:
        return returned.inner_types[0].annotation
    return returned.annotation


def declare_answers(app: Litestar) -> None:
    """Set each documented route handler's error responses and security before the OpenAPI document is built."""
    seen: set[tuple[str, str]] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            statuses: set[int] = set()
            for method in handler.http_methods:
                seen.add((method, route.path_format))
                statuses |= answers_of(handler, method, route.path_format, route.path_parameters)
            declared: dict[int, Any] = {status: _error_spec(status) for status in sorted(statuses)}
            for method in handler.http_methods:
                for status, description in OTHER_SUCCESSES.get((method, route.path_format), {}).items():
                    declared[status] = ResponseSpec(data_container=_body_type(handler), description=description)
            handler.responses = {**declared, **(handler.responses or {})}
            if route_roles(handler) is not None:
                handler.security = [{SECURITY_SCHEME: []}]
    unknown = sorted((set(ROUTE_ANSWERS) | set(OTHER_SUCCESSES)) - seen)
    if unknown:
        raise RuntimeError(f"ROUTE_ANSWERS or OTHER_SUCCESSES name routes that do not exist: {unknown}")
