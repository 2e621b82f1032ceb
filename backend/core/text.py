"""Text: search that ignores diacritics (đ = d too), and the one rule for every text a client sends.

The input rule (`Input`, `clean_line`, `clean_block`, `control_char_at`):

- no control characters: C0 except tab, newline and carriage return, DEL, and C1. PostgreSQL refuses NUL in
  text (a 500 otherwise) and the others are never typed by a person. The request body decoder
  (`backend/core/requests.py`) refuses them anywhere in a JSON body, in keys too, and in the path and query;
- text is NFC-normalised (Vietnamese typed with a "Unicode tổ hợp" keyboard arrives decomposed) and stripped,
  one-line fields have their runs of white space (tabs and newlines included) collapsed to one space;
- the length limits of a field's `msgspec.Meta` apply to the cleaned text: a REST body is cleaned before it is
  validated (`preclean`, called by the body decoder), and `Input.__post_init__` cleans and checks again for
  every other way in (the sync engine, code). A name of only spaces is an empty name, refused, never stored as "".
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, ClassVar, Literal

import msgspec

from backend.core.errors import InvalidInput

_SPACES = re.compile(r"\s+")
# Control characters a person never types. Tab, newline and carriage return are white space, handled apart.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# In a path or a query string nothing below a space belongs, white space included.
URL_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")

TextKind = Literal["line", "block", "raw"]

# Vietnamese names of the fields people fill in, for the messages they read.
FIELD_LABELS_VI: dict[str, str] = {
    "citizen_name": "Họ tên",
    "full_name": "Họ tên",
    "asker_name": "Tên người hỏi",
    "citizen_phone": "Số điện thoại",
    "address_detail": "Địa chỉ",
    "notes": "Ghi chú",
    "reason": "Lý do",
    "username": "Tên đăng nhập",
    "password": "Mật khẩu",
    "device_name": "Tên thiết bị",
    "procedure_code": "Mã thủ tục",
    "commune_id": "Mã xã/phường",
    "legacy_commune": "Xã/phường cũ",
    "legacy_district": "Quận/huyện cũ",
    "dossier_code": "Mã hồ sơ",
    "version": "Phiên bản",
    "title": "Tiêu đề",
    "place": "Địa điểm",
    "text": "Nội dung",
    "answer": "Câu trả lời",
    "q": "Từ khóa tìm kiếm",
    "limit": "Số kết quả",
    "days": "Số ngày",
    "start": "Ngày bắt đầu",
    "day": "Ngày",
    "kind": "Loại",
    "level": "Cấp đơn vị hành chính",
    "status": "Trạng thái",
    "channel": "Kênh tiếp nhận",
    "language": "Ngôn ngữ",
    "lang": "Ngôn ngữ",
    "slot_start": "Giờ hẹn",
    "officer_id": "Cán bộ",
    "consent": "Sự đồng ý",
    "accepted": "Sự đồng ý",
    "id": "Mã",
    "token": "Mã bí mật",
    "device_id": "Mã thiết bị",
    "held_on": "Ngày tổ chức",
    "attendance": "Số người tham dự",
    "category": "Lĩnh vực",
    "keys": "Khóa thông báo",
    "endpoint": "Địa chỉ nhận thông báo",
    "old_endpoint": "Địa chỉ nhận thông báo cũ",
    "key_id": "Mã khóa thông báo",
    "p256dh": "Khóa thông báo",
    "auth": "Khóa xác thực thông báo",
}


def fold(text: str) -> str:
    """Lower-case, strip diacritics and map đ to d: "Đăng ký khai sinh" → "dang ky khai sinh"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def search_tokens(query: str) -> list[str]:
    """The folded words of a query; every one must appear in a match."""
    return [t for t in re.split(r"[^0-9a-z.]+", fold(query)) if t]


# --- the input rule ------------------------------------------------------------------------------------


def label_vi(field: str) -> str:
    return FIELD_LABELS_VI.get(field, f"Trường «{field}»")


def control_char_at(text: str) -> int | None:
    """Index of the first control character in `text` (None when there is none)."""
    found = CONTROL_CHARS.search(text)
    return found.start() if found else None


def control_char_error(field: str) -> InvalidInput:
    return InvalidInput(
        f"{field} must not contain control characters",
        f"{label_vi(field)} chứa ký tự không hợp lệ (ký tự điều khiển).",
    )


def clean_line(text: str) -> str:
    """One line of text as stored: NFC, white space collapsed, no leading or trailing space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def clean_block(text: str) -> str:
    """Several lines (notes, reasons, answers): NFC, Windows line ends made plain, no surrounding space."""
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").strip()


def clean_text(field: str, text: str, kind: TextKind = "line") -> str:
    """`text` cleaned by the rule of its kind; InvalidInput when it holds a control character."""
    if control_char_at(text) is not None:
        raise control_char_error(field)
    if kind == "raw":
        return text
    return clean_line(text) if kind == "line" else clean_block(text)


def check_length(field: str, text: str, min_length: int | None, max_length: int | None) -> None:
    """The limits of a field, in characters of the cleaned text."""
    label = label_vi(field)
    if min_length and len(text) < min_length:
        if not text:
            raise InvalidInput(f"{field} must not be empty", f"{label} không được để trống.")
        raise InvalidInput(
            f"{field} must have at least {min_length} characters",
            f"{label} phải có ít nhất {min_length} ký tự.",
        )
    if max_length is not None and len(text) > max_length:
        raise InvalidInput(
            f"{field} must have at most {max_length} characters",
            f"{label} không được dài quá {max_length} ký tự.",
        )


class _Rule(msgspec.Struct, frozen=True):
    field: str
    kind: TextKind
    min_length: int | None
    max_length: int | None
    pattern: re.Pattern[str] | None


_RULES: dict[type, tuple[_Rule, ...]] = {}
_NESTED: dict[type, tuple[tuple[str, type[Input]], ...]] = {}


def _str_type(info: msgspec.inspect.Type) -> msgspec.inspect.StrType | None:
    if isinstance(info, msgspec.inspect.StrType):
        return info
    if isinstance(info, msgspec.inspect.UnionType):
        for member in info.types:
            if isinstance(member, msgspec.inspect.StrType):
                return member
    return None


def _input_struct(info: msgspec.inspect.Type) -> type[Input] | None:
    members = info.types if isinstance(info, msgspec.inspect.UnionType) else (info,)
    for member in members:
        if isinstance(member, msgspec.inspect.StructType) and issubclass(member.cls, Input):
            return member.cls
    return None


def _rules_of(cls: type[Input]) -> tuple[_Rule, ...]:
    rules = _RULES.get(cls)
    if rules is None:
        info = msgspec.inspect.type_info(cls)
        assert isinstance(info, msgspec.inspect.StructType)
        found, nested = [], []
        for f in info.fields:
            text = _str_type(f.type)
            if text is None:
                inner = _input_struct(f.type)
                if inner is not None:
                    nested.append((f.encode_name, inner))
                continue
            kind = cls.text_kinds.get(f.name, "line")
            pattern = re.compile(text.pattern) if text.pattern else None
            found.append(_Rule(f.name, kind, text.min_length, text.max_length, pattern))
        _NESTED[cls] = tuple(nested)
        rules = _RULES[cls] = tuple(found)
    return rules


def preclean(value: Any, cls: Any) -> None:
    """Clean, in place, the text fields of a decoded JSON object that is about to be validated as `cls`.

    So that length limits and patterns apply to the text as it will be stored: "  Bình  " fits where "Bình"
    does. Text holding a control character is left for validation to refuse.
    """
    if not (isinstance(cls, type) and issubclass(cls, Input)) or not isinstance(value, dict):
        return
    for rule in _rules_of(cls):
        text = value.get(rule.field)
        if isinstance(text, str) and rule.kind != "raw" and control_char_at(text) is None:
            value[rule.field] = clean_line(text) if rule.kind == "line" else clean_block(text)
    for name, inner in _NESTED[cls]:
        preclean(value.get(name), inner)


def clean_fields(obj: Input) -> None:
    """Apply the input rule to every text field of a decoded struct, in place."""
    for rule in _rules_of(type(obj)):
        value: Any = getattr(obj, rule.field)
        if not isinstance(value, str):
            continue  # None, UNSET
        cleaned = clean_text(rule.field, value, rule.kind)
        if rule.kind == "raw":
            continue
        check_length(rule.field, cleaned, rule.min_length, rule.max_length)
        if rule.pattern is not None and not rule.pattern.search(cleaned):
            raise InvalidInput(
                f"{rule.field} does not match {rule.pattern.pattern!r}", f"{label_vi(rule.field)} không hợp lệ."
            )
        if cleaned != value:
            setattr(obj, rule.field, cleaned)


class Input(msgspec.Struct, forbid_unknown_fields=True):
    """Base of every input schema: unknown fields refused, and every text field cleaned and checked.

    Fields are one line of text unless `text_kinds` says "block" (several lines) or "raw" (a password: kept
    exactly as typed, checked for control characters only). A subclass with its own `__post_init__` calls
    `super().__post_init__()` first.
    """

    text_kinds: ClassVar[dict[str, TextKind]] = {}

    def __post_init__(self) -> None:
        clean_fields(self)
