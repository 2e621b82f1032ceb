"""Liveness and readiness in one: the database answers, and which version runs."""

from __future__ import annotations

import msgspec
from litestar import Controller, MediaType, get, head

from backend import __version__
from backend.accounts.guards import public
from backend.core.errors import AppError
from backend.db.engine import get_engine, is_sqlite


class Health(msgspec.Struct):
    status: str
    version: str
    database: str


class HealthController(Controller):
    path = "/api/health"
    tags = ["system"]

    @get("/", guards=[public], summary="Health of the service and its database", cache_control=None)
    async def health(self) -> Health:
        await _database_answers()
        return Health(status="ok", version=__version__, database="sqlite" if is_sqlite() else "postgresql")

    @head("/", guards=[public], summary="Health, status only (for load balancers)", media_type=MediaType.TEXT)
    async def health_head(self) -> None:
        await _database_answers()


async def _database_answers() -> None:
    try:
        await get_engine().run_ddl("SELECT 1")
    except Exception as exc:  # any driver error means "not ready"
        raise AppError(503, f"Database unreachable: {type(exc).__name__}", "Cơ sở dữ liệu không phản hồi.") from exc
