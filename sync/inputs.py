"""What a pushed mutation may carry, checked per mutation (see PROTOCOL.md, "Input rules").

A device's queue must never stall on one bad value, so the wire types stay lenient where a device's own data lands
(`changed`, `base`, `client_ts`) and the rules live here: a mutation that breaks one is stored rejected (`invalid`)
with a detail naming the field, and the rest of the batch goes on. The rules also keep out what a database cannot
store (NUL in PostgreSQL text, lone surrogates in UTF-8, integers beyond 64 bits), so that no value reaches a
5xx.

- Text: no control characters (Unicode category Cc) other than TAB, LF and CR, and no lone UTF-16 surrogates
  (a JavaScript string cut in the middle of an emoji), in any string of the mutation, nested values and object
  keys included.
- Numbers: integers within 64 bits (signed); floats finite.
- Nesting: at most 32 levels of objects and lists in one value.
- `client_ts`: an RFC 3339 date-time with a UTC offset, from the Unix epoch to two years after the server's
  clock. A tablet whose clock reset shows 1970; one whose owner set it a year ahead still syncs; nothing later is a
  clock.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

import msgspec

# Control characters (C0, DEL, C1) other than TAB, LF and CR, and lone surrogates.
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
MAX_DEPTH = 32  # levels of nested objects and lists in one value: far beyond any record, far below the stack's

CLIENT_TS_EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
CLIENT_TS_AHEAD = dt.timedelta(days=2 * 366)
_CLIENT_TS_MAX_LENGTH = 64


class InputError(ValueError):
    """A value of one mutation breaks an input rule; the message names the field (English · Vietnamese)."""


def _both(en: str, vi: str) -> str:
    return f"{en} · {vi}"


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def _field(path: str) -> str:
    return path if len(path) <= 120 else path[:117] + "…"


def check_value(value: Any, path: str, depth: int = 0) -> None:
    """Raise InputError for the first string, key, number or nesting level under `value` that breaks a rule."""
    if depth > MAX_DEPTH:
        name = _field(path)
        raise InputError(
            _both(
                f"{name} is nested too deeply (more than {MAX_DEPTH} levels)",
                f"Trường {name} lồng nhau quá nhiều cấp (hơn {MAX_DEPTH}).",
            )
        )
    if isinstance(value, str):
        bad = _BAD_TEXT.search(value)
        if bad is not None:
            char, name = _describe(bad.group()), _field(path)
            if _SURROGATES.match(bad.group()):
                raise InputError(
                    _both(
                        f"{name} contains a broken character ({char}, half of a surrogate pair)",
                        f"Trường {name} chứa ký tự bị hỏng ({char}).",
                    )
                )
            raise InputError(
                _both(f"{name} contains a control character ({char})", f"Trường {name} chứa ký tự điều khiển ({char}).")
            )
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            name = _field(path)
            raise InputError(
                _both(f"{name} is out of range (64-bit integers)", f"Trường {name} vượt quá giới hạn cho phép.")
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            name = _field(path)
            raise InputError(_both(f"{name} is not a finite number", f"Trường {name} không phải là số hợp lệ."))
    elif isinstance(value, dict):
        for key, item in value.items():
            check_value(key, f"{path} (a key)", depth)
            check_value(item, f"{path}.{key}", depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_value(item, f"{path}[{i}]", depth + 1)


def client_ts(value: str | None, now: dt.datetime) -> dt.datetime | None:
    """The device's clock reading of a mutation, parsed and checked against the accepted window."""
    if value is None:
        return None
    latest = now + CLIENT_TS_AHEAD
    window = f"{CLIENT_TS_EARLIEST:%Y-%m-%d} … {latest:%Y-%m-%d}"
    try:
        if len(value) > _CLIENT_TS_MAX_LENGTH:
            raise ValueError(value[:_CLIENT_TS_MAX_LENGTH])
        parsed = msgspec.convert(value, dt.datetime)
    except (msgspec.ValidationError, ValueError):
        raise InputError(
            _both(
                "client_ts is not an RFC 3339 date-time (e.g. 2026-11-20T08:15:00+07:00)",
                "client_ts không đúng định dạng ngày giờ RFC 3339.",
            )
        ) from None
    if parsed.tzinfo is None:
        raise InputError(
            _both("client_ts needs a UTC offset (Z or ±hh:mm)", "client_ts cần có múi giờ (Z hoặc ±hh:mm).")
        )
    if not CLIENT_TS_EARLIEST <= parsed <= latest:
        raise InputError(
            _both(
                f"client_ts is outside the accepted window ({window}): check the device's clock",
                f"client_ts nằm ngoài khoảng cho phép ({window}): hãy kiểm tra đồng hồ của thiết bị.",
            )
        )
    return parsed


def scrub(value: Any) -> Any:
    """A copy that can be encoded as UTF-8 (lone surrogates become U+FFFD), for storing a rejected payload."""
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value)
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def printable(text: str | None) -> str | None:
    """Text safe in any text column: control characters (but TAB, LF, CR) and lone surrogates become U+FFFD."""
    return None if text is None else _BAD_TEXT.sub("\ufffd", text)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads_lenient(body: bytes) -> Any:
    """JSON that msgspec refuses only because a string escapes a lone surrogate (`"\\ud83d"`).

    JavaScript strings may hold one, and `JSON.stringify` writes it escaped. The standard library reads it, so the
    mutation that carries it can be rejected on its own. Anything else that is not JSON still raises ValueError.
    """
    return json.loads(body, parse_constant=_no_constant)
