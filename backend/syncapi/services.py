"""The process's sync engine: the registry of synced domains, the database and the file store."""

from __future__ import annotations

import os
from functools import lru_cache

from backend.accounts.services import Principal
from backend.appointments import sync as appointment_sync
from backend.db.engine import get_engine
from backend.outreach import sync as outreach_sync
from backend.settings import get_settings
from sync.attachments import FileStore
from sync.db import Database
from sync.engine import Actor, SyncEngine, server_actor
from sync.registry import Registry

# Client schema versions accepted: 2 is the current one; 1 is still upcast (outreach_session).
SCHEMA_MIN = 1
SCHEMA_MAX = 2

ATTACHMENT_MAX_BYTES = int(os.environ.get("SYNC_ATTACHMENT_MAX_BYTES") or 100 * 1024 * 1024)
CHUNK_MAX_BYTES = int(os.environ.get("SYNC_CHUNK_MAX_BYTES") or 5 * 1024 * 1024)
PUSH_MAX_BODY_BYTES = 16 * 1024 * 1024


def build_registry() -> Registry:
    registry = Registry(schema_min=SCHEMA_MIN, schema_max=SCHEMA_MAX)
    outreach_sync.register(registry)
    appointment_sync.register(registry)
    return registry


@lru_cache(maxsize=1)
def get_sync_engine() -> SyncEngine:
    return SyncEngine(Database(get_engine()), build_registry())


@lru_cache(maxsize=1)
def get_file_store() -> FileStore:
    return FileStore(get_settings().var_dir / "files", ATTACHMENT_MAX_BYTES, CHUNK_MAX_BYTES)


def actor_of(principal: Principal) -> Actor:
    return Actor(
        client_id=principal.device_id,
        user_id=principal.user_id,
        communes=frozenset(principal.communes),
        role=principal.role,
    )


def writer_of(principal: Principal | None) -> Actor:
    """The author of a server-side write made through REST: the staff member's device, or the server
    itself for a citizen (who has no account and no device id)."""
    if principal is None:
        return server_actor()
    return server_actor(user_id=principal.user_id, client_id=principal.device_id)
