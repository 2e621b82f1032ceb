"""Small helpers shared by the API tests."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import TestClient

DEMO_PASSWORD = "gandan-demo-2026"


def login(client: TestClient[Any], username: str, device_id: uuid.UUID | None = None) -> dict[str, Any]:
    response = client.post(
        "/api/auth/login",
        json={"username": username, "password": DEMO_PASSWORD, "device_id": str(device_id or uuid.uuid4())},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
