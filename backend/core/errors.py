"""One exception mapper: every error leaves as JSON with an English `detail` and a Vietnamese `detail_vi`.

No stack trace ever reaches the client; unexpected errors are logged with the request id.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

log = logging.getLogger("gandan.errors")

# Vietnamese wording of the common statuses, shown to citizens and officers.
VI_BY_STATUS = {
    400: "Dữ liệu gửi lên không hợp lệ.",
    401: "Vui lòng đăng nhập.",
    403: "Không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy.",
    405: "Thao tác không được hỗ trợ.",
    409: "Thao tác xung đột với trạng thái hiện tại.",
    413: "Dữ liệu gửi lên quá lớn.",
    415: "Định dạng dữ liệu không được hỗ trợ.",
    422: "Dữ liệu gửi lên không hợp lệ.",
    426: "Phiên bản ứng dụng không còn được hỗ trợ. Vui lòng cập nhật ứng dụng.",
    429: "Thao tác quá nhiều lần. Vui lòng thử lại sau.",
    500: "Hệ thống gặp sự cố. Vui lòng thử lại sau.",
    503: "Hệ thống tạm thời không sẵn sàng. Vui lòng thử lại sau.",
}


class ErrorOut(msgspec.Struct, kw_only=True):
    """The body of every error answer (the OpenAPI document declares it; error_response writes it)."""

    status_code: int
    detail: str
    detail_vi: str
    # What a client may act on: {"wipe": true} on a revoked device, {"code": …} from sync, {"field": …}, or
    # the list of validation errors ({"message", "key", "source"}) behind a 400.
    extra: dict[str, Any] | list[dict[str, Any]] | msgspec.UnsetType = msgspec.UNSET


class InvalidInput(ValueError):
    """Bad input found while decoding (in a schema's `__post_init__`): a 400 with a message for people.

    A ValueError, so that msgspec reports it as a validation error with its location; the mapper finds it behind
    Litestar's ValidationException and answers with its Vietnamese text.
    """

    def __init__(self, detail: str, detail_vi: str) -> None:
        super().__init__(detail)
        self.detail_vi = detail_vi


class AppError(HTTPException):
    """An expected failure with a message for people: `detail` in English, `detail_vi` in Vietnamese."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        detail_vi: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status_code, detail=detail, extra=extra, headers=headers)
        self.detail_vi = detail_vi


def error_response(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    from backend.db.engine import WriteQueueFull

    if isinstance(exc, OverflowError):
        # A date so far from today that arithmetic on it overflows (year 1 or 9999): bad input, not a crash.
        exc = AppError(400, "Date or time out of range", "Ngày giờ không hợp lệ.")
    if _unencodable_argument(exc):
        # The same on PostgreSQL: asyncpg cannot send a value the column type cannot hold (a date before year 1
        # in UTC, an integer past 64 bits). Routes should bound their inputs; this is the net under them.
        log.warning("value out of the database's range on %s %s: %s", request.method, request.url.path, exc)
        exc = AppError(400, "A value is out of range", "Giá trị gửi lên nằm ngoài phạm vi cho phép.")
    if isinstance(exc, WriteQueueFull) or _sqlite_busy(exc):
        # A writer outside write_transaction() (a session touch, a failed login) waited the whole busy timeout for
        # SQLite's lock: the same answer as a full write queue, not a 500.
        exc = AppError(
            503,
            "The service is busy; retry in a few seconds",
            "Hệ thống đang bận. Vui lòng thử lại sau ít giây.",
            headers={"Retry-After": "2"},
        )
    if isinstance(exc, HTTPException):
        status = exc.status_code
        detail = exc.detail
        if isinstance(exc, ValidationException):
            detail = _validation_detail(exc)
        decode_error = _decode_error_behind(exc)
        if decode_error is not None:
            detail = f"Malformed JSON body: {decode_error}"
        detail_vi = getattr(exc, "detail_vi", None) or _detail_vi_behind(exc)
        if detail_vi is None and isinstance(exc, ValidationException):
            detail_vi = _validation_detail_vi(exc)
        body: dict[str, Any] = {
            "status_code": status,
            "detail": detail,
            "detail_vi": detail_vi or VI_BY_STATUS.get(status, VI_BY_STATUS[400]),
        }
        if exc.extra:
            body["extra"] = exc.extra
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=exc.headers)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response(
        {"status_code": 500, "detail": "Internal server error", "detail_vi": VI_BY_STATUS[500]},
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        media_type=MediaType.JSON,
    )


def _sqlite_busy(exc: Exception) -> bool:
    """SQLite's SQLITE_BUSY: another connection held the write lock for longer than the busy timeout."""
    return isinstance(exc, sqlite3.OperationalError) and str(exc).startswith("database is locked")


def _unencodable_argument(exc: Exception) -> bool:
    """asyncpg's DataError for a query argument it could not encode (raised before anything reaches the server)."""
    return (
        type(exc).__module__.startswith("asyncpg")
        and type(exc).__name__ == "DataError"
        and str(exc).startswith("invalid input for query argument")
    )


def _decode_error_behind(exc: BaseException) -> msgspec.DecodeError | None:
    """The JSON syntax error (not a schema mismatch) behind a 400, if that is what it is."""
    cause = exc.__cause__
    while cause is not None:
        if isinstance(cause, msgspec.DecodeError) and not isinstance(cause, msgspec.ValidationError):
            return cause
        cause = cause.__cause__
    return None


def _detail_vi_behind(exc: BaseException) -> str | None:
    """The Vietnamese message of an InvalidInput that caused this error, if one did."""
    cause = exc.__cause__
    while cause is not None:
        if isinstance(cause, InvalidInput):
            return cause.detail_vi
        cause = cause.__cause__
    return None


# msgspec's validation messages, and what they say to a Vietnamese reader ({label} is the field's name).
_VI_BY_MESSAGE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), text)
    for pattern, text in (
        (r"^Expected `str` of length >= 1$", "{label} không được để trống."),
        (r"^Expected `str` of length >= (\d+)$", "{label} phải có ít nhất {0} ký tự."),
        (r"^Expected `str` of length <= (\d+)$", "{label} không được dài quá {0} ký tự."),
        (r"^Expected `array` of length <= (\d+)$", "{label} có quá {0} mục."),
        (r"^Expected `(?:int|float)` >= (\S+)$", "{label} phải lớn hơn hoặc bằng {0}."),
        (r"^Expected `(?:int|float)` <= (\S+)$", "{label} phải nhỏ hơn hoặc bằng {0}."),
        (r"^Object missing required field `([^`]+)`$", "Thiếu trường bắt buộc: {field0}."),
        (r"^Object contains unknown field `([^`]+)`$", "Trường không được hỗ trợ: {0}."),
        (r"^Expected `[^`]+`, got `[^`]+`$", "{label} không đúng kiểu dữ liệu."),
        (r"^(?:Invalid enum value|Expected `str` matching regex|Invalid)", "{label} không hợp lệ."),
    )
)


def _missing_body(exc: ValidationException) -> bool:
    """Litestar's way of saying that a route needing a body got none: a KeyError on `data`."""
    extra = exc.extra
    return (
        isinstance(extra, list)
        and len(extra) == 1
        and isinstance(extra[0], dict)
        and extra[0].get("key") == "data"
        and extra[0].get("source") == "body"
        and extra[0].get("message") == "'data'"
    )


def _validation_detail_vi(exc: ValidationException) -> str | None:
    """The Vietnamese for the first of Litestar's validation messages, naming the field when it can."""
    from backend.core.text import label_vi

    extra = exc.extra
    if not (isinstance(extra, list) and extra and isinstance(extra[0], dict)):
        return None
    if _missing_body(exc):
        return "Thiếu dữ liệu gửi lên."
    message, key = str(extra[0].get("message", "")), str(extra[0].get("key") or "")
    field = key.rsplit(".", 1)[-1]
    for pattern, text in _VI_BY_MESSAGE:
        found = pattern.search(message)
        if found:
            groups = found.groups()
            label = label_vi(field) if field and field != "data" else "Dữ liệu gửi lên"
            field0 = label_vi(groups[0]) if groups else ""
            return text.format(*groups, label=label, field0=field0)
    return None


def _validation_detail(exc: ValidationException) -> str:
    """Litestar says "Validation failed for POST /x"; add the field and the reason a caller needs."""
    extra = exc.extra
    if _missing_body(exc):
        return "The request needs a JSON body"
    if isinstance(extra, list) and extra:
        first = extra[0]
        if isinstance(first, dict) and first.get("message"):
            key = first.get("key")
            return f"{first['message']}" + (f" (at {key})" if key else "")
    return exc.detail
