"""ASGI middleware: security headers on every response and one structured log line per request."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("gandan.request")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(self), geolocation=(self), microphone=()"),
]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("gandan")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A `before_send` hook: it also sees the responses that error handlers send, unlike middleware."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", []))
    present = {bytes(name).lower() for name, _ in headers}
    headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
    scope["gandan_status"] = message["status"]  # type: ignore[typeddict-unknown-key]
    request_id = scope.get("gandan_request_id")
    if isinstance(request_id, str):
        headers.append((b"x-request-id", request_id.encode()))
    message["headers"] = headers


def request_log_middleware(app: ASGIApp) -> ASGIApp:
    """One JSON log line per request, with a request id that the response carries too."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        scope["gandan_request_id"] = request_id  # type: ignore[typeddict-unknown-key]
        failure: BaseException | None = None
        try:
            await app(scope, receive, send)
        except BaseException as exc:
            failure = exc
            raise
        finally:
            status = scope.get("gandan_status") or getattr(failure, "status_code", 500)
            log.info(
                "request",
                extra={
                    "fields": {
                        "request_id": request_id,
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                    }
                },
            )

    return middleware
