"""The background worker's housekeeping removes only what has expired."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar.testing import TestClient

from backend.accounts.tables import DeviceSession, LoginAttempt
from backend.db.columns import utcnow
from backend.worker import housekeeping
from tests.helpers import login


def test_housekeeping_drops_old_attempts_and_long_expired_sessions(client: TestClient[Any], run_db: Any) -> None:
    fresh = login(client, "canbo2")
    old_device = uuid.uuid4()
    login(client, "canbo2", old_device)

    async def age() -> None:
        await LoginAttempt.insert(
            LoginAttempt(username="ai-do", ip="10.0.0.1", at=utcnow() - dt.timedelta(days=2)),
            LoginAttempt(username="ai-do", ip="10.0.0.1"),
        )
        await DeviceSession.update({DeviceSession.expires_at: utcnow() - dt.timedelta(days=8)}).where(
            DeviceSession.device == old_device
        )

    run_db(age)
    removed = run_db(housekeeping)
    assert removed["login_attempts"] >= 1 and removed["sessions"] >= 1
    assert run_db(lambda: LoginAttempt.count().where(LoginAttempt.username == "ai-do").run()) == 1
    assert run_db(lambda: DeviceSession.count().where(DeviceSession.device == old_device).run()) == 0
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {fresh['token']}"}).status_code == 200
