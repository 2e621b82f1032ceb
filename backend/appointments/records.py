"""What every appointment change leaves behind, whichever way it came (REST or a synced mutation):
the history the citizen sees, the audit log, and the apology letter when the agency missed a visit."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from backend.appointments.tables import AppointmentEvent, LetterTask

# Never copied into the audit log: secrets and sync bookkeeping.
_NOT_AUDITED = frozenset({"token_hash", "client_hash", "field_versions"})
# The citizen's personal data: the audit log records that it was set or changed, not its value, so that
# withdrawing consent (which erases it from the appointment) leaves no copy behind (Law 91/2025).
_PERSONAL = frozenset({"citizen_name", "citizen_phone", "address_detail", "legacy_address", "notes"})
MASK = "(dữ liệu cá nhân)"


def audit_view(row: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of an appointment: no secrets, no personal values, times and ids as text."""
    return {
        k: MASK
        if k in _PERSONAL and v
        else (v.isoformat() if isinstance(v, dt.datetime) else str(v) if isinstance(v, uuid.UUID) else v)
        for k, v in row.items()
        if k not in _NOT_AUDITED
    }


async def add_event(
    appointment_id: uuid.UUID,
    status: str,
    action: str,
    *,
    actor_user: uuid.UUID | None,
    actor: str,
    reason: str = "",
    slot_start: dt.datetime | None = None,
) -> None:
    await AppointmentEvent.insert(
        AppointmentEvent(
            appointment_id=appointment_id,
            status=status,
            action=action,
            reason=reason,
            slot_start=slot_start,
            actor_user=actor_user,
            actor=actor,
        )
    )


async def add_apology(appointment_id: uuid.UUID, commune_id: str, reason: str, created_by: uuid.UUID | None) -> None:
    """The agency missed a visit: a letter of apology to write (model 3)."""
    await LetterTask.insert(
        LetterTask(
            id=uuid.uuid4(),
            kind="apology",
            appointment_id=appointment_id,
            commune_id=commune_id,
            reason=reason,
            created_by=created_by,
        )
    )
