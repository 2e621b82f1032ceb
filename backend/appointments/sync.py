"""Appointments as a synced entity: officers' tablets pull the appointments of their communes and push
field updates (status, status_reason, dossier_code) recorded offline.

The server owns everything else: bookings are created, assigned, rescheduled and cancelled through REST,
which writes through the sync engine (`server_create` / `server_write`), so devices pull those changes
too. A device cannot create or delete an appointment. Its updates are checked by `guard` (only the
assigned officer, only the officer's statuses, only allowed transitions, a reason where one is needed)
and recorded by `after_write` (history, audit log, apology letter) in the push transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

import msgspec

from backend.accounts import audit
from backend.appointments import notifications, records
from backend.appointments.statuses import OFFICER_SETS, STATUS_VI, Status, can_move, transition_refusal
from sync.registry import EntitySpec, Registry, WriteContext

ENTITY = "appointment"

# Pulled by devices, written only by the server. Never token_hash, client_hash or consent bookkeeping.
READ_ONLY = (
    "reference",
    "procedure_code",
    "kind",
    "address_detail",
    "legacy_address",
    "citizen_name",
    "citizen_phone",
    "notes",
    "language",
    "channel",
    "slot_start",
    "slot_end",
    "officer_id",
)
NEEDS_REASON = frozenset({"citizen_absent", "missed_by_agency"})
# Roles whose resolution of a conflict stands even when it is not a field transition (a person decided).
SETTLERS = frozenset({"dispatcher", "supervisor", "admin"})


class AppointmentUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What an officer may change from the field."""

    status: Status | msgspec.UnsetType = msgspec.UNSET
    status_reason: Annotated[str, msgspec.Meta(max_length=500)] | msgspec.UnsetType = msgspec.UNSET
    dossier_code: Annotated[str, msgspec.Meta(max_length=40)] | msgspec.UnsetType = msgspec.UNSET


WRITABLE = tuple(f.name for f in msgspec.structs.fields(AppointmentUpdate))


def _both(en: str, vi: str) -> str:
    return f"{en} · {vi}"


def guard(before: Mapping[str, Any] | None, after: Mapping[str, Any], ctx: WriteContext) -> tuple[str, str] | None:
    """The rules REST applies to officers (services.set_status), for updates pushed from a tablet."""
    if before is None:
        return "not_allowed", "appointments are created by the server"
    if ctx.kind == "resolve" and ctx.role in SETTLERS:
        return None  # a dispatcher or supervisor settled a conflict: their choice stands
    if before["officer_id"] is None or before["officer_id"] != ctx.user_id:
        return "not_assigned", _both("This appointment is not assigned to you", "Lịch hẹn này không được giao cho bạn.")
    current, target = before["status"], after["status"]
    if target != current:
        if target not in OFFICER_SETS:
            return "not_allowed", _both(
                f"Officers cannot set '{target}' from the field",
                f"Cán bộ không thể chuyển lịch hẹn sang “{STATUS_VI.get(target, target)}”.",
            )
        if not can_move(current, target):
            return "invalid_transition", _both(*transition_refusal(current, target))
        if target in NEEDS_REASON and not str(after["status_reason"]).strip():
            return "reason_required", _both(
                f"Give a reason (status_reason) for '{target}'", "Vui lòng nêu lý do (status_reason)."
            )
    return None


async def after_write(before: Mapping[str, Any] | None, after: Mapping[str, Any], ctx: WriteContext) -> None:
    """History for the citizen, the audit log and the apology letter, as the REST path writes them."""
    assert before is not None
    changed = {k: after[k] for k in WRITABLE if after[k] != before[k]}
    if not changed:
        return
    status_changed = "status" in changed
    action = str(after["status"]) if status_changed else "updated"
    if ctx.kind == "resolve":
        action = "conflict_resolved"
    reason = str(after["status_reason"]) if status_changed else ""
    appointment_id: uuid.UUID = after["id"]
    await records.add_event(
        appointment_id, after["status"], action, actor_user=ctx.user_id, actor="staff", reason=reason
    )
    await audit.record(
        action,
        ENTITY,
        appointment_id,
        actor_user=ctx.user_id,
        actor_device=ctx.client_id,
        before=records.audit_view({k: before[k] for k in changed}),
        after=records.audit_view({**changed, "version": ctx.version, "mutation_id": ctx.mutation_id}),
    )
    if status_changed and after["status"] == "missed_by_agency":
        await records.add_apology(appointment_id, after["commune_id"], reason, ctx.user_id)
    await notifications.notify(str(after["status"]) if status_changed else action, dict(after), before)


APPOINTMENT = EntitySpec(
    name=ENTITY,
    table="appointment",
    create=None,
    update=AppointmentUpdate,
    read_only=READ_ONLY,
    deletable=False,
    guard=guard,
    after_write=after_write,
)


def register(registry: Registry) -> None:
    registry.register(APPOINTMENT)
