"""Wire schemas of the accounts domain."""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from typing import Annotated, ClassVar, Literal

import msgspec

from backend.core.errors import InvalidInput
from backend.core.text import CONTROL_CHARS, Input, TextKind

Role = Literal["officer", "dispatcher", "supervisor", "admin"]
ROLES: tuple[Role, ...] = ("officer", "dispatcher", "supervisor", "admin")


USERNAME_MAX = 64  # the column's length: checked on the normalised name


def normalise_username(raw: str) -> str:
    """The one spelling of a username: NFKC, case-folded, without surrounding space.

    Validates AFTER normalising, because normalising can lengthen a name ("İ" folds to two characters): a name
    that no longer fits the column is refused here instead of failing in the database.
    """
    name = unicodedata.normalize("NFKC", raw).casefold().strip()
    if CONTROL_CHARS.search(name) or any(ch.isspace() for ch in name):
        raise InvalidInput(
            "username must not contain spaces or control characters",
            "Tên đăng nhập không được chứa khoảng trắng hay ký tự điều khiển.",
        )
    if not name:
        raise InvalidInput("username must not be empty", "Tên đăng nhập không được để trống.")
    if len(name) > USERNAME_MAX:
        raise InvalidInput(
            f"username must have at most {USERNAME_MAX} characters",
            f"Tên đăng nhập không được dài quá {USERNAME_MAX} ký tự.",
        )
    return name


class LoginRequest(Input):
    text_kinds: ClassVar[dict[str, TextKind]] = {"username": "raw", "password": "raw"}

    username: Annotated[str, msgspec.Meta(min_length=1, max_length=USERNAME_MAX)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    device_id: uuid.UUID
    device_name: Annotated[str, msgspec.Meta(max_length=120)] = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.username = normalise_username(self.username)


class UserOut(msgspec.Struct):
    id: uuid.UUID
    username: str
    full_name: str
    role: Role
    communes: list[str]


class LoginResponse(msgspec.Struct):
    token: str
    expires_at: dt.datetime
    device_id: uuid.UUID
    user: UserOut


class MeResponse(msgspec.Struct):
    user: UserOut
    device_id: uuid.UUID
    expires_at: dt.datetime


class DeviceOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    user_agent: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    revoked_at: dt.datetime | None
    active_sessions: int


class RevokeResponse(msgspec.Struct):
    id: uuid.UUID
    revoked_at: dt.datetime
    sessions_ended: int
