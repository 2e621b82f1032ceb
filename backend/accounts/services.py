"""Logins, device sessions, revocation and user creation."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from backend.accounts import audit
from backend.accounts.passwords import hash_password, needs_rehash, verify_password
from backend.accounts.schemas import ROLES, UserOut, normalise_username
from backend.accounts.tables import Device, DeviceSession, LoginAttempt, StaffUser
from backend.core.errors import AppError
from backend.core.text import CONTROL_CHARS, clean_line
from backend.db.columns import utcnow
from backend.db.engine import write_transaction
from backend.settings import get_settings

# Sessions are touched at most this often, so that reads do not turn into writes.
_TOUCH_EVERY = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Principal:
    """The authenticated person and device behind a request."""

    user_id: uuid.UUID
    username: str
    full_name: str
    role: str
    communes: tuple[str, ...]
    device_id: uuid.UUID
    session_id: uuid.UUID
    expires_at: dt.datetime

    def user_out(self) -> UserOut:
        return UserOut(
            id=self.user_id,
            username=self.username,
            full_name=self.full_name,
            role=self.role,  # type: ignore[arg-type]
            communes=list(self.communes),
        )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _throttle(username: str, ip: str) -> None:
    settings = get_settings()
    since = utcnow() - dt.timedelta(minutes=settings.login_window_minutes)
    by_user = await LoginAttempt.count().where((LoginAttempt.username == username) & (LoginAttempt.at > since))
    by_ip = await LoginAttempt.count().where((LoginAttempt.ip == ip) & (LoginAttempt.at > since))
    if by_user >= settings.login_max_failures or by_ip >= settings.login_max_failures * 4:
        raise AppError(
            429,
            "Too many failed logins; try again later",
            f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {settings.login_window_minutes} phút.",
            headers={"Retry-After": str(settings.login_window_minutes * 60)},
        )


async def login(
    username: str, password: str, device_id: uuid.UUID, device_name: str, user_agent: str, ip: str
) -> tuple[str, Principal]:
    """Log in; `username` as LoginRequest leaves it (normalised, see normalise_username)."""
    await _throttle(username, ip)
    user = await StaffUser.objects().where(StaffUser.username == username).first().output(load_json=True)
    if (
        user is None
        or user.disabled_at is not None
        or not verify_password(user.password_hash if user else None, password)
    ):
        await LoginAttempt.insert(LoginAttempt(username=username, ip=ip[:64]))
        raise AppError(401, "Wrong username or password", "Sai tên đăng nhập hoặc mật khẩu.")

    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + dt.timedelta(days=get_settings().session_days)
    session_id = uuid.uuid4()
    async with write_transaction():
        device = await Device.objects().where(Device.id == device_id).first()
        if device is not None and device.revoked_at is not None:
            raise AppError(
                403,
                "This device has been revoked",
                "Thiết bị này đã bị thu hồi quyền truy cập.",
                extra={"wipe": True},
            )
        if device is None:
            await Device.insert(
                Device(id=device_id, name=device_name[:120], user_agent=user_agent[:300], last_seen_at=now)
            )
        else:
            await Device.update({Device.last_seen_at: now, Device.user_agent: user_agent[:300]}).where(
                Device.id == device_id
            )
        await DeviceSession.insert(
            DeviceSession(
                id=session_id,
                token_hash=token_digest(token),
                user=user.id,
                device=device_id,
                expires_at=expires_at,
            )
        )
        if needs_rehash(user.password_hash):
            await StaffUser.update({StaffUser.password_hash: hash_password(password)}).where(StaffUser.id == user.id)
        await LoginAttempt.delete().where(LoginAttempt.username == username)
        await audit.record("login", "device_session", session_id, actor_user=user.id, actor_device=device_id, ip=ip)
    principal = Principal(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        communes=tuple(user.communes or []),
        device_id=device_id,
        session_id=session_id,
        expires_at=expires_at,
    )
    return token, principal


async def authenticate(token: str) -> Principal:
    """Resolve a bearer token. A revoked device is told to wipe what it holds."""
    row: dict[str, Any] | None = (
        await DeviceSession.select(
            DeviceSession.id,
            DeviceSession.expires_at,
            DeviceSession.ended_at,
            DeviceSession.last_seen_at,
            DeviceSession.device.id.as_alias("device_id"),
            DeviceSession.device.revoked_at.as_alias("device_revoked_at"),
            DeviceSession.user.id.as_alias("user_id"),
            DeviceSession.user.username.as_alias("username"),
            DeviceSession.user.full_name.as_alias("full_name"),
            DeviceSession.user.role.as_alias("role"),
            DeviceSession.user.communes.as_alias("communes"),
            DeviceSession.user.disabled_at.as_alias("disabled_at"),
        )
        .where(DeviceSession.token_hash == token_digest(token))
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise AppError(401, "Invalid session token", "Phiên đăng nhập không hợp lệ. Vui lòng đăng nhập lại.")
    if row["device_revoked_at"] is not None:
        raise AppError(
            401,
            "This device has been revoked; wipe local data",
            "Thiết bị này đã bị thu hồi quyền truy cập. Dữ liệu trên máy sẽ được xoá.",
            extra={"wipe": True},
        )
    now = utcnow()
    if row["ended_at"] is not None or row["expires_at"] <= now or row["disabled_at"] is not None:
        raise AppError(401, "Session has ended", "Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại.")
    if now - row["last_seen_at"] > _TOUCH_EVERY:
        await DeviceSession.update({DeviceSession.last_seen_at: now}).where(DeviceSession.id == row["id"])
        await Device.update({Device.last_seen_at: now}).where(Device.id == row["device_id"])
    return Principal(
        user_id=row["user_id"],
        username=row["username"],
        full_name=row["full_name"],
        role=row["role"],
        communes=tuple(row["communes"] or []),
        device_id=row["device_id"],
        session_id=row["id"],
        expires_at=row["expires_at"],
    )


async def logout(principal: Principal, ip: str) -> None:
    async with write_transaction():
        await DeviceSession.update({DeviceSession.ended_at: utcnow()}).where(DeviceSession.id == principal.session_id)
        await audit.record(
            "logout",
            "device_session",
            principal.session_id,
            actor_user=principal.user_id,
            actor_device=principal.device_id,
            ip=ip,
        )


async def revoke_device(device_id: uuid.UUID, by: Principal, ip: str) -> tuple[dt.datetime, int]:
    now = utcnow()
    async with write_transaction():
        device = await Device.objects().where(Device.id == device_id).first()
        if device is None:
            raise AppError(404, "No such device", "Không tìm thấy thiết bị.")
        if device.revoked_at is not None:
            return device.revoked_at, 0
        await Device.update({Device.revoked_at: now, Device.revoked_by: by.user_id}).where(Device.id == device_id)
        ended = await DeviceSession.count().where(
            (DeviceSession.device == device_id) & DeviceSession.ended_at.is_null()
        )
        await DeviceSession.update({DeviceSession.ended_at: now}).where(
            (DeviceSession.device == device_id) & DeviceSession.ended_at.is_null()
        )
        await audit.record(
            "revoke",
            "device",
            device_id,
            actor_user=by.user_id,
            actor_device=by.device_id,
            before={"revoked_at": None},
            after={"revoked_at": now.isoformat()},
            ip=ip,
        )
    return now, ended


async def create_user(username: str, full_name: str, role: str, communes: list[str], password: str) -> uuid.UUID:
    """Create a staff user, or update the role, scope and password of an existing one."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    username = normalise_username(username)  # InvalidInput is a ValueError
    if CONTROL_CHARS.search(full_name):
        raise ValueError("full name must not contain control characters")
    full_name = clean_line(full_name)
    if not 1 <= len(full_name) <= 120:
        raise ValueError("full name must have 1 to 120 characters")
    async with write_transaction():
        existing = await StaffUser.objects().where(StaffUser.username == username).first()
        values: dict[str, Any] = {
            "full_name": full_name,
            "role": role,
            "communes": communes,
            "password_hash": hash_password(password),
        }
        if existing is None:
            user_id = uuid.uuid4()
            await StaffUser.insert(StaffUser(id=user_id, username=username, **values))
            await audit.record("create", "staff_user", user_id, after={**values, "password_hash": "***"})
        else:
            user_id = existing.id
            await StaffUser.update(values).where(StaffUser.id == user_id)  # type: ignore[arg-type]
            await audit.record("update", "staff_user", user_id, after={**values, "password_hash": "***"})
    return user_id
