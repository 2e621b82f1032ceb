"""One exception mapper: every error leaves as JSON with an English `detail` and a Vietnamese `detail_vi`.

No stack trace ever reaches the client; unexpected errors are logged with the request id.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

log = logging.getLogger("gandan.errors")

# Vietnamese wording of the common statuses, shown to citizens and officers.
_VI_BY_STATUS = {
    400: "Dữ liệu gửi lên không hợp lệ.",
    401: "Vui lòng đăng nhập.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy.",
    405: "Thao tác không được hỗ trợ.",
    409: "Thao tác xung đột với trạng thái hiện tại.",
    413: "Dữ liệu gửi lên quá lớn.",
    415: "Định dạng dữ liệu không được hỗ trợ.",
    422: "Dữ liệu gửi lên không hợp lệ.",
    429: "Bạn thao tác quá nhiều lần. Vui lòng thử lại sau.",
    500: "Hệ thống gặp sự cố. Vui lòng thử lại sau.",
    503: "Hệ thống tạm thời không sẵn sàng. Vui lòng thử lại sau.",
}


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
    if isinstance(exc, WriteQueueFull):
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
        body: dict[str, Any] = {
            "status_code": status,
            "detail": detail,
            "detail_vi": getattr(exc, "detail_vi", None) or _VI_BY_STATUS.get(status, _VI_BY_STATUS[400]),
        }
        if exc.extra:
            body["extra"] = exc.extra
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=exc.headers)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response(
        {"status_code": 500, "detail": "Internal server error", "detail_vi": _VI_BY_STATUS[500]},
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        media_type=MediaType.JSON,
    )


def _decode_error_behind(exc: BaseException) -> msgspec.DecodeError | None:
    """The JSON syntax error (not a schema mismatch) behind a 400, if that is what it is."""
    cause = exc.__cause__
    while cause is not None:
        if isinstance(cause, msgspec.DecodeError) and not isinstance(cause, msgspec.ValidationError):
            return cause
        cause = cause.__cause__
    return None


def _validation_detail(exc: ValidationException) -> str:
    """Litestar says "Validation failed for POST /x"; add the field and the reason a caller needs."""
    extra = exc.extra
    if isinstance(extra, list) and extra:
        first = extra[0]
        if isinstance(first, dict) and first.get("message"):
            key = first.get("key")
            return f"{first['message']}" + (f" (at {key})" if key else "")
    return exc.detail
