"""The Litestar application, assembled in small steps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.config.app import AppConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from backend import __version__
from backend.accounts.controllers import AuthController, DeviceAdminController
from backend.appointments.controllers import BookingController, OfficerController, StaffAppointmentController
from backend.appointments.notifications import BookingPushController
from backend.catalog.controllers import ProcedureController, UnitController
from backend.core.apidocs import LocalSwaggerPlugin
from backend.core.clock import configure_clock
from backend.core.errors import error_response
from backend.core.health import HealthController
from backend.core.middleware import (
    add_security_headers,
    configure_logging,
    keep_alive_middleware,
    request_log_middleware,
)
from backend.core.openapi import StrictStructSchemaPlugin, declare_answers
from backend.core.requests import AppRequest, refuse_control_chars_in_url
from backend.core.static import PwaController
from backend.db.engine import close_engine, prepare_engine
from backend.push.controllers import PushController
from backend.settings import get_settings
from backend.syncapi.controllers import AttachmentController, SyncController

API_HANDLERS: list[Any] = [
    HealthController,
    AuthController,
    DeviceAdminController,
    UnitController,
    ProcedureController,
    BookingController,
    StaffAppointmentController,
    OfficerController,
    SyncController,
    AttachmentController,
    PushController,
    BookingPushController,
]


@asynccontextmanager
async def database_lifespan(_: Litestar) -> AsyncIterator[None]:
    await prepare_engine()
    try:
        yield
    finally:
        await close_engine()


def _configure_openapi(config: AppConfig) -> None:
    config.openapi_config = OpenAPIConfig(
        title="Gần Dân API",
        version=__version__,
        description="Public services at the citizen's door: booking, dispatch, offline field work and sync.",
        path="/api/schema",
        render_plugins=[LocalSwaggerPlugin(), JsonRenderPlugin(path="/openapi.json")],
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", description="Device session")}
        ),
    )
    config.plugins.append(StrictStructSchemaPlugin())


def _configure_routes(config: AppConfig) -> None:
    # The PWA's catch-all route goes last so that every API route wins over it.
    config.route_handlers = [*API_HANDLERS, PwaController]


def _configure_errors(config: AppConfig) -> None:
    config.exception_handlers = {Exception: error_response}


def _configure_http(config: AppConfig) -> None:
    settings = get_settings()
    config.before_send = [add_security_headers]
    config.request_max_body_size = settings.max_body_bytes
    # Malformed bodies, paths and query strings are answered with a 400 before a route sees them.
    config.request_class = AppRequest
    config.before_request = refuse_control_chars_in_url
    config.lifespan = [database_lifespan]


def _drain_limit(app: Litestar) -> int:
    """The most an early answer reads of a request body it does not need (see keep_alive_middleware): four times
    MAX_BODY_BYTES, and at least the largest body any route accepts (an attachment chunk)."""
    largest = max(
        (
            handler.resolve_request_max_body_size() or 0
            for route in app.routes
            for handler in getattr(route, "route_handlers", [])
        ),
        default=0,
    )
    return max(4 * get_settings().max_body_bytes, largest)


def create_app() -> Litestar:
    settings = get_settings()
    configure_clock(settings)
    configure_logging(settings.log_level)
    config = AppConfig()
    for step in (_configure_openapi, _configure_routes, _configure_errors, _configure_http):
        step(config)
    app = Litestar.from_config(config)
    # Each operation's error answers and security, derived from its guard, path and body (before the document is built).
    declare_answers(app)
    # Outermost, so that they also see requests that end in an error handler or match no route.
    app.asgi_handler = request_log_middleware(keep_alive_middleware(app.asgi_handler, _drain_limit(app)))
    return app


app = create_app()
