"""Route guards. Every route declares one: `public`, or `staff(...)` with the roles allowed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from backend.accounts.services import Principal, authenticate
from backend.core.errors import AppError

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


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
    return guard


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = connection.state.get("principal")
    if not isinstance(principal, Principal):
        raise AppError(401, "Login required", "Vui lòng đăng nhập.")
    return principal


def client_ip(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return connection.client.host if connection.client else ""
