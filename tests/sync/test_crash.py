"""Acceptance test 14: the server process is SIGKILLed while it applies a large batch; after a restart
the device retries and every mutation is applied exactly once.

A real `gandan serve` (granian) runs on a free port with its own GANDAN_VAR_DIR and the test
database (SQLite file or PostgreSQL, from DATABASE_URL).
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import httpx

from tests.servers import running_server, server_env
from tests.sync.kit import CAO_LANH, db_fetch

DEMO_PASSWORD = "gandan-demo-2026"


def _batch(device_id: uuid.UUID, n: int) -> tuple[dict[str, Any], list[uuid.UUID]]:
    ids = [uuid.uuid4() for _ in range(n)]
    mutations = [
        {
            "id": str(uuid.uuid4()),
            "seq": i + 1,
            "name": "create",
            "entity": "outreach_session",
            "entity_id": str(sid),
            "changed": {
                "commune_id": CAO_LANH,
                "kind": "village_outreach",
                "title": f"Buổi đối thoại số {i}",
                "held_on": "2026-11-03",
                "notes": "Ghi chép " * 20,
            },
        }
        for i, sid in enumerate(ids)
    ]
    return {"protocol": 1, "schema": 2, "client_id": str(device_id), "mutations": mutations}, ids


def test_14_sigkill_while_applying_then_retry_applies_exactly_once(client, run_db, tmp_path):
    env = server_env(tmp_path / "var")
    base = f"http://127.0.0.1:{env['PORT']}"
    killed_mid_request: list[bool] = []
    committed_before_retry: list[bool] = []
    for delay in (0.05, 0.2, 0.6):
        device_id = uuid.uuid4()
        body, ids = _batch(device_id, 1000)
        with running_server(env, tmp_path / "server.log") as server:
            login = httpx.post(
                f"{base}/api/auth/login",
                json={"username": "canbo", "password": DEMO_PASSWORD, "device_id": str(device_id)},
                timeout=30,
            )
            headers = {"Authorization": f"Bearer {login.json()['token']}"}
            outcome: dict[str, Any] = {}

            def send(headers: dict[str, str] = headers, outcome: dict[str, Any] = outcome, body: Any = body) -> None:
                try:
                    outcome["response"] = httpx.post(f"{base}/api/sync/push", json=body, headers=headers, timeout=30)
                except httpx.HTTPError as exc:
                    outcome["error"] = exc

            sender = threading.Thread(target=send)
            sender.start()
            time.sleep(delay)
            server.kill()  # mid-request: before, during or after the batch's transaction
            sender.join(30)
        # All or nothing: the batch's transaction either committed whole or left no trace.
        before = db_fetch(run_db, "SELECT count(*) AS n FROM sync_mutation WHERE client_id = $1", device_id)[0]["n"]
        assert before in (0, 1000)
        committed_before_retry.append(before == 1000)
        with running_server(env, tmp_path / "server.log"):
            retry = httpx.post(f"{base}/api/sync/push", json=body, headers=headers, timeout=60)
        assert retry.status_code == 200, retry.text
        result = retry.json()
        assert result["last_seq"] == 1000
        assert [r["seq"] for r in result["results"]] == list(range(1, 1001))
        assert {r["status"] for r in result["results"]} == {"applied"}
        stored = db_fetch(
            run_db, "SELECT count(*) AS n, count(DISTINCT seq) AS d FROM sync_mutation WHERE client_id = $1", device_id
        )[0]
        assert (stored["n"], stored["d"]) == (1000, 1000)
        assert _count_sessions(run_db, ids) == 1000
        killed_mid_request.append("error" in outcome)
    assert any(killed_mid_request), "no kill landed while the request was in flight"
    print(f"killed mid-request: {killed_mid_request}; committed before the retry: {committed_before_retry}")


def _count_sessions(run_db: Any, ids: list[uuid.UUID]) -> int:
    from backend.syncapi.services import get_sync_engine

    async def go() -> int:
        async with get_sync_engine().db.read() as tx:
            row = await tx.fetchrow(
                f"SELECT count(*) AS n FROM outreach_session WHERE {tx.any('id', '$1', 'uuid')}", tx.list_param(ids)
            )
        assert row is not None
        return int(row["n"])

    result: int = run_db(go)
    return result
