"""Route guards. Every route declares one: `public`, or `staff(...)` with the roles allowed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from backend.accounts.services import Principal, authenticate
from backend.core.errors import AppError
from backend.settings import get_settings

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]
# The attribute of a staff(...) guard that holds its roles: the OpenAPI document reads it (backend/core/openapi.py).
STAFF_ROLES = "gandan_staff_roles"


async def public(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Open to anyone (citizens have no account); abuse is limited by rate limits where it matters."""


def staff(*roles: str) -> Guard:
    """Allow a logged-in staff member whose role is one of `roles` (any staff role when empty)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise AppError(401, "Login required", "Vui lòng đăng nhập.")
        principal = await authenticate(token.strip())
        if roles and principal.role not in roles:
            raise AppError(403, "Your role may not do this", "Vai trò của bạn không được phép thực hiện thao tác này.")
        connection.state.principal = principal

    guard.__qualname__ = f"staff({','.join(roles) or 'any'})"
    setattr(guard, STAFF_ROLES, roles)
    return guard


def staff_roles(guard: object) -> tuple[str, ...] | None:
    """The roles a `staff(...)` guard lets in (empty: any staff role); None for any other guard."""
    roles = getattr(guard, STAFF_ROLES, None)
    return tuple(roles) if isinstance(roles, tuple) else None


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = connection.state.get("principal")
    if not isinstance(principal, Principal):
        raise AppError(401, "Login required", "Vui lòng đăng nhập.")
    return principal


def client_ip(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's address, as seen through trusted reverse proxies (TRUSTED_PROXIES) and no others.

    Behind a TLS proxy every request comes from the proxy; rate limits keyed on that address would lock
    everyone out at once. X-Forwarded-For is read right to left, skipping trusted hops; the first address
    that is not a trusted proxy is the client. From an untrusted peer the header is ignored (it is forgeable).
    """
    peer = connection.client.host if connection.client else ""
    trusted = get_settings().trusted_proxies
    if peer not in trusted:
        return peer
    hops = [h.strip() for h in connection.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return peer
