"""ASGI middleware: security headers on every response, one structured log line per request, and keep-alive
connections that survive an early answer."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

import anyio
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

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


# How long an early answer waits for the rest of a request body it did not need before giving up on the connection.
_DRAIN_SECONDS = 10.0


def keep_alive_middleware(app: ASGIApp, drain_limit: int) -> ASGIApp:
    """Keep HTTP/1.1 connections usable when the app answers before reading the whole request body.

    A 413 (Litestar stops reading at MAX_BODY_BYTES), a 401 from a guard or a 400 on a query parameter is sent
    while the body is still on the wire. granian then cannot read the next request on that connection and closes
    it after the response, without saying so: a keep-alive client's next request fails, and a client still
    sending its body may get a reset instead of the answer. So before such an answer goes out, the rest of the
    body is read and thrown away when the whole body is at most `drain_limit` bytes (and arrives within
    _DRAIN_SECONDS); then the connection is clean and lives on. A larger body is not read: the answer says
    `Connection: close` and the client opens a new connection for its next request.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope.get("http_version") not in ("1.0", "1.1"):
            await app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        length_header = headers.get(b"content-length")
        chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
        try:
            announced = int(length_header) if length_header is not None else None
        except ValueError:
            announced = None
            chunked = True  # unknown length: treat it like a stream
        received = 0
        finished = not chunked and not announced  # nothing to read: a GET, or an empty body

        async def tracked_receive() -> ReceiveMessage:
            nonlocal received, finished
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                finished = finished or not message.get("more_body", False)
            elif message["type"] == "http.disconnect":
                finished = True
            return message

        async def drain() -> bool:
            """Read the unread rest of the body if it is small; True when the connection can be reused."""
            if announced is not None and announced > drain_limit:
                return False
            with anyio.move_on_after(_DRAIN_SECONDS):
                while not finished:
                    if received > drain_limit:
                        return False
                    await tracked_receive()
            return finished and received <= drain_limit

        async def tracked_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not finished and not await drain():
                message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        await app(scope, tracked_receive, tracked_send)

    return middleware
