"""A scripted device for the sync tests: keeps its seq counter, queue, cursor and local replica."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from litestar.testing import TestClient

from backend.db.columns import utcnow
from tests.helpers import bearer, login

CAO_LANH = "29869"
MY_TRA = "29888"
SCHEMA = 2


@dataclass
class Device:
    client: TestClient[Any]
    username: str
    device_id: uuid.UUID = field(default_factory=uuid.uuid4)
    token: str = ""
    seq: int = 0
    queue: list[dict[str, Any]] = field(default_factory=list)
    cursor: str | None = None
    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    clock_offset: dt.timedelta = dt.timedelta(0)

    def __post_init__(self) -> None:
        self.login()

    def login(self) -> None:
        self.token = login(self.client, self.username, self.device_id)["token"]

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)

    # ---- building mutations

    def mutation(
        self,
        name: str,
        entity: str,
        entity_id: uuid.UUID,
        changed: dict[str, Any] | None = None,
        base_version: int = 0,
        **extra: Any,
    ) -> dict[str, Any]:
        self.seq += 1
        m = {
            "id": str(uuid.uuid4()),
            "seq": self.seq,
            "name": name,
            "entity": entity,
            "entity_id": str(entity_id),
            "base_version": base_version,
            "changed": changed or {},
            "client_ts": (utcnow() + self.clock_offset).isoformat(),
            **extra,
        }
        self.queue.append(m)
        return m

    def create_session(self, commune: str = CAO_LANH, **fields: Any) -> uuid.UUID:
        sid = uuid.uuid4()
        changed = {
            "commune_id": commune,
            "kind": "village_outreach",
            "title": "Đối thoại với Nhân dân khóm 3",
            "place": "Nhà văn hóa khóm 3",
            "held_on": "2026-11-20",
            "attendance": 45,
            **fields,
        }
        self.mutation("create", "outreach_session", sid, changed)
        return sid

    def update(
        self, entity: str, entity_id: uuid.UUID, changed: dict[str, Any], base_version: int, **extra: Any
    ) -> None:
        self.mutation("update", entity, entity_id, changed, base_version, **extra)

    # ---- talking to the server

    def push_raw(self, mutations: list[dict[str, Any]], schema: int = SCHEMA) -> Any:
        body = {"protocol": 1, "schema": schema, "client_id": str(self.device_id), "mutations": mutations}
        return self.client.post("/api/sync/push", json=body, headers=self.headers)

    def push(self, schema: int = SCHEMA) -> dict[str, Any]:
        """Send the queue; drop what the server acknowledged."""
        response = self.push_raw(self.queue, schema)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        self.queue = [m for m in self.queue if m["seq"] > body["last_seq"]]
        return body

    def pull_once(self, limit: int = 1000) -> dict[str, Any]:
        body = {
            "protocol": 1,
            "schema": SCHEMA,
            "client_id": str(self.device_id),
            "cursor": self.cursor,
            "limit": limit,
        }
        response = self.client.post("/api/sync/pull", json=body, headers=self.headers)
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        if page["reset"]:
            self.rows.clear()
        for commune in page["removed_communes"]:
            self.rows = {k: v for k, v in self.rows.items() if v.get("commune_id") != commune}
        for change in page["changes"]:
            key = (change["entity"], change["id"])
            if change["op"] == "delete":
                self.rows.pop(key, None)
            else:
                self.rows[key] = {**change["data"], "commune_id": change["commune_id"]}
        self.cursor = page["next_cursor"]
        return page

    def pull(self, limit: int = 1000) -> list[dict[str, Any]]:
        pages = [self.pull_once(limit)]
        while pages[-1]["has_more"]:
            pages.append(self.pull_once(limit))
        return pages

    def row(self, entity: str, entity_id: uuid.UUID) -> dict[str, Any] | None:
        return self.rows.get((entity, str(entity_id)))

    def conflicts(self, entity_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
        found = [v for (e, _), v in self.rows.items() if e == "sync_conflict"]
        return [c for c in found if entity_id is None or c["entity_id"] == str(entity_id)]


def db_fetch(run_db: Any, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Read with raw SQL ($1 placeholders) on the app's loop, through the sync engine's database."""
    from backend.syncapi.services import get_sync_engine

    async def go() -> list[dict[str, Any]]:
        async with get_sync_engine().db.read() as tx:
            return await tx.fetch(sql, *args)

    result: list[dict[str, Any]] = run_db(go)
    return result


def last_seq(run_db: Any, device: Device) -> int | None:
    rows = db_fetch(run_db, "SELECT last_seq FROM sync_client WHERE client_id = $1", device.device_id)
    return int(rows[0]["last_seq"]) if rows else None


def count_rows(run_db: Any, table: str, entity_id: uuid.UUID) -> int:
    return len(db_fetch(run_db, f"SELECT id FROM {table} WHERE id = $1", entity_id))
