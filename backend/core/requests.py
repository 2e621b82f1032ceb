"""Reading requests: one place where every JSON body, path and query string is checked before a route sees it.

- a JSON body that is not UTF-8, or nested deeper than MAX_JSON_DEPTH, is a 400 (msgspec raises
  UnicodeDecodeError and RecursionError there, which Litestar lets through as 500s; and code that walks the
  decoded value recursively must never meet a thousand levels);
- no control character anywhere in a JSON body (keys too), a path or a query string: a 400 naming the field
  (see backend/core/text.py for the rule);
- a JSON body sent with another media type (a form, text/plain) is a 415.

The checks cost nothing for the bodies the apps send: the walk over the decoded value runs only when the raw
bytes show that it could find something (many brackets, a `\\u00` escape, a DEL or C1 character).
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.types import Empty

from backend.core.errors import AppError
from backend.core.text import CONTROL_CHARS, URL_CONTROL_CHARS, label_vi, preclean

MAX_JSON_DEPTH = 64

# Bytes that may stand for a control character in a JSON text: an escape \u00XX, a raw DEL, a raw C1 character.
_MAYBE_CONTROL = re.compile(rb"\\u00|\x7f|\xc2[\x80-\x9f]")


class _TooDeep(Exception):
    pass


def _find_problem(value: Any, depth: int, path: str, check_text: bool) -> tuple[str, str] | None:
    """(path, field) of the first string holding a control character; raises _TooDeep past MAX_JSON_DEPTH."""
    if depth > MAX_JSON_DEPTH:
        raise _TooDeep
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}"
            if check_text and isinstance(key, str) and CONTROL_CHARS.search(key):
                return path, "key"
            if isinstance(item, str):
                if check_text and CONTROL_CHARS.search(item):
                    return where, key
            elif isinstance(item, (dict, list)):
                found = _find_problem(item, depth + 1, where, check_text)
                if found:
                    return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                if check_text and CONTROL_CHARS.search(item):
                    return f"{path}[{index}]", path.rsplit(".", 1)[-1]
            elif isinstance(item, (dict, list)):
                found = _find_problem(item, depth + 1, f"{path}[{index}]", check_text)
                if found:
                    return found
    elif isinstance(value, str) and check_text and CONTROL_CHARS.search(value):
        return path, "$"
    return None


def _too_deep() -> AppError:
    return AppError(
        400,
        f"Malformed JSON body: nested more than {MAX_JSON_DEPTH} levels deep",
        "Dữ liệu gửi lên không hợp lệ (lồng nhau quá sâu).",
    )


def check_json_value(value: Any, body: bytes, *, text: bool = True) -> None:
    """Refuse a decoded JSON body nested too deeply or (with `text`) holding a control character (AppError 400)."""
    deep = body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH
    check_text = text and _MAYBE_CONTROL.search(body) is not None
    if not deep and not check_text:
        return
    try:
        found = _find_problem(value, 1, "$", check_text)
    except _TooDeep:
        raise _too_deep() from None
    if found is not None:
        where, field = found
        label = label_vi(field) if field not in ("$", "key") else "Dữ liệu gửi lên"
        raise AppError(
            400,
            f"Text must not contain control characters (at {where})",
            f"{label} chứa ký tự không hợp lệ (ký tự điều khiển).",
        )


class AppRequest(Request[Any, Any, Any]):
    """Litestar's request, with a JSON body decoder that answers every malformed body with a 400, and cleans the
    text fields of the route's input schema before they are validated (backend/core/text.py).

    `check_text = False` leaves the text rules to the route: the sync endpoints reject a bad value with its own
    mutation (sync/inputs.py) instead of refusing the batch, which would stall the device's queue for good.
    """

    check_text = True

    async def decode(self) -> Any:
        """The body as JSON (Litestar's decoder); a subclass may read more leniently."""
        return await super().json()

    async def json(self) -> Any:
        fresh = self._json is Empty and self._connection_state.json is Empty
        if fresh:
            _refuse_other_media_types(self.headers.get("content-type"))
        try:
            value = await self.decode()
        except UnicodeDecodeError as exc:
            raise AppError(
                400,
                f"Malformed JSON body: not valid UTF-8 (byte {exc.start})",
                "Dữ liệu gửi lên không hợp lệ (không phải văn bản UTF-8).",
            ) from None
        except RecursionError:
            raise _too_deep() from None
        if fresh:
            check_json_value(value, await self.body(), text=self.check_text)
            data = self.route_handler.parsed_fn_signature.parameters.get("data")
            if data is not None:
                preclean(value, data.annotation)
        return value


def _refuse_other_media_types(content_type: str | None) -> None:
    """A JSON body sent as anything else (a form, text/plain) is a 415; without a Content-Type it is read as JSON."""
    if content_type is None:
        return
    media = content_type.partition(";")[0].strip().lower()
    if media == "application/json" or (media.startswith("application/") and media.endswith("+json")):
        return
    raise AppError(
        415,
        "The body must be sent as application/json",
        "Dữ liệu phải được gửi ở dạng JSON (application/json).",
    )


def refuse_control_chars_in_url(request: Request[Any, Any, Any]) -> None:
    """`before_request` of every route: no control character in the path or in a query parameter."""
    if URL_CONTROL_CHARS.search(request.scope["path"]):
        raise AppError(400, "The path must not contain control characters", "Đường dẫn chứa ký tự không hợp lệ.")
    if request.scope.get("query_string"):
        for key, value in request.query_params.multi_items():
            if URL_CONTROL_CHARS.search(key) or URL_CONTROL_CHARS.search(value):
                raise AppError(
                    400,
                    f"Query parameter {key!r} must not contain control characters",
                    f"{label_vi(key)} chứa ký tự không hợp lệ (ký tự điều khiển).",
                )
