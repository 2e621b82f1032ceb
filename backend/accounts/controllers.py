"""Staff login, logout, the current session, and device management for admins."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, PathParameter

from backend.accounts import services
from backend.accounts.guards import client_ip, principal_of, public, staff
from backend.accounts.schemas import DeviceOut, LoginRequest, LoginResponse, MeResponse, RevokeResponse
from backend.accounts.tables import Device, DeviceSession
from backend.db.columns import utcnow


class AuthController(Controller):
    path = "/api/auth"
    tags = ["accounts"]

    @post("/login", guards=[public], status_code=200, summary="Log in on a device")
    async def login(self, request: Request[Any, Any, Any], data: JSONBody[LoginRequest]) -> LoginResponse:
        token, principal = await services.login(
            data.username,
            data.password,
            data.device_id,
            data.device_name,
            request.headers.get("user-agent", ""),
            client_ip(request),
        )
        return LoginResponse(
            token=token,
            expires_at=principal.expires_at,
            device_id=principal.device_id,
            user=principal.user_out(),
        )

    @post("/logout", guards=[staff()], status_code=204, summary="End this device session")
    async def logout(self, request: Request[Any, Any, Any]) -> None:
        await services.logout(principal_of(request), client_ip(request))

    @get("/me", guards=[staff()], summary="The logged-in user and device")
    async def me(self, request: Request[Any, Any, Any]) -> MeResponse:
        principal = principal_of(request)
        return MeResponse(user=principal.user_out(), device_id=principal.device_id, expires_at=principal.expires_at)


class DeviceAdminController(Controller):
    path = "/api/admin/devices"
    tags = ["accounts"]

    @get("/", guards=[staff("admin")], summary="List devices")
    async def list_devices(self) -> list[DeviceOut]:
        devices = await Device.select().order_by(Device.last_seen_at, ascending=False)
        now = utcnow()
        active = await DeviceSession.select(DeviceSession.device).where(
            DeviceSession.ended_at.is_null() & (DeviceSession.expires_at > now)
        )
        counts: dict[uuid.UUID, int] = {}
        for row in active:
            counts[row["device"]] = counts.get(row["device"], 0) + 1
        return [
            DeviceOut(
                id=d["id"],
                name=d["name"],
                user_agent=d["user_agent"],
                created_at=d["created_at"],
                last_seen_at=d["last_seen_at"],
                revoked_at=d["revoked_at"],
                active_sessions=counts.get(d["id"], 0),
            )
            for d in devices
        ]

    @post("/{device_id:uuid}/revoke", guards=[staff("admin")], status_code=200, summary="Revoke a device")
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        device_id: Annotated[uuid.UUID, PathParameter(description="The device to cut off")],
    ) -> RevokeResponse:
        revoked_at, ended = await services.revoke_device(device_id, principal_of(request), client_ip(request))
        return RevokeResponse(id=device_id, revoked_at=revoked_at, sessions_ended=ended)
