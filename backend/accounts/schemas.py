"""Wire schemas of the accounts domain."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import msgspec

Role = Literal["officer", "dispatcher", "supervisor", "admin"]
ROLES: tuple[Role, ...] = ("officer", "dispatcher", "supervisor", "admin")


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    device_id: uuid.UUID
    device_name: Annotated[str, msgspec.Meta(max_length=120)] = ""


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
