"""The audit log: every write records who, when, what, and the values before and after."""

from __future__ import annotations

import uuid
from typing import Any

from backend.accounts.tables import AuditLog


async def record(
    action: str,
    entity_type: str,
    entity_id: str | uuid.UUID,
    *,
    actor_user: uuid.UUID | None = None,
    actor_device: uuid.UUID | None = None,
    before: Any = None,
    after: Any = None,
    ip: str = "",
) -> None:
    """Write one audit row; call inside the transaction of the change so both commit or neither."""
    await AuditLog.insert(
        AuditLog(
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            actor_user=actor_user,
            actor_device=actor_device,
            before=before,
            after=after,
            ip=ip[:64],
        )
    )
