"""Booking, rescheduling, cancelling, assigning and moving appointments through their statuses."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from backend.accounts import audit
from backend.accounts.services import Principal
from backend.accounts.tables import StaffUser
from backend.appointments import availability, notifications, records
from backend.appointments.consent import CURRENT_CONSENT_VERSION
from backend.appointments.schemas import BookingCreate, StaffIntake
from backend.appointments.statuses import (
    ACTIVE,
    OFFICER_SETS,
    RESCHEDULABLE,
    can_move,
    transition_refusal,
)
from backend.appointments.sync import ENTITY
from backend.appointments.tables import Appointment, AppointmentEvent
from backend.catalog.services import resolve_legacy
from backend.catalog.tables import AdminUnit, Procedure
from backend.core.errors import AppError
from backend.db.columns import utcnow
from backend.db.engine import lock_for_transaction, write_transaction
from backend.settings import get_settings
from backend.syncapi.services import get_sync_engine, writer_of
from sync.engine import StaleWrite

_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud on the phone
_PHONE_SEPARATORS = re.compile(r"[ .()-]")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_reference() -> str:
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_phone(raw: str) -> str:
    phone = _PHONE_SEPARATORS.sub("", raw)
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    elif phone.startswith("84") and len(phone) == 11:
        phone = "0" + phone[2:]
    if not re.fullmatch(r"0\d{9,10}", phone):
        raise AppError(
            400,
            "Phone number must be a Vietnamese number of 10 or 11 digits",
            "Số điện thoại không hợp lệ (cần 10–11 chữ số, ví dụ 0912 345 678).",
            extra={"field": "citizen_phone"},
        )
    return phone


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if value.tzinfo is None:
        raise AppError(
            400,
            f"{field} must include a time zone offset",
            "Thời gian phải có múi giờ.",
            extra={"field": field},
        )
    return value.astimezone(dt.UTC)


class StaleVersion(AppError):
    """The write named a version the appointment no longer has (If-Match / expect_version, or a concurrent write).

    Nothing was written. `row` is the appointment as it is now (None: it does not exist), for the 409's body.
    """

    def __init__(self, row: dict[str, Any] | None) -> None:
        current = row["version"] if row else None
        super().__init__(
            409,
            f"The appointment was changed meanwhile (it is now at version {current}); "
            "nothing was written: review its current state and try again",
            "Lịch hẹn vừa được thay đổi nên thao tác chưa được thực hiện. "
            "Vui lòng xem lại thông tin mới nhất của lịch hẹn rồi thao tác lại.",
            extra={"reason": "stale", "current_version": current},
            headers={"ETag": etag(current)} if current is not None else None,
        )
        self.row = row


def etag(version: int) -> str:
    """The ETag of an appointment: its version (the change number of its last write), as a strong tag."""
    return f'"{version}"'


def check_version(row: dict[str, Any], expect_version: int | None) -> None:
    """The optional precondition of staff writes (docs/decisions/0005-staff-write-preconditions.md)."""
    if expect_version is not None and row["version"] != expect_version:
        raise StaleVersion(row)


async def _lock_commune_day(commune_id: str, start: dt.datetime) -> None:
    """Serialise bookings that could compete for one commune's day."""
    await lock_for_transaction(f"{commune_id}:{start.astimezone(availability.VN).date().isoformat()}")


async def _lock_officer(officer_id: uuid.UUID) -> None:
    """Serialise assignments of one officer, so two dispatchers cannot double-book them."""
    await lock_for_transaction(f"officer:{officer_id}")


async def _slot_taken_error(
    config: availability.ServiceConfig, kind: str, start: dt.datetime, now: dt.datetime, exclude: Any = None
) -> AppError:
    nearest = await availability.nearest_free(config, kind, start, now, exclude=exclude)
    return AppError(
        409,
        "That slot is no longer free",
        "Khung giờ này vừa có người đặt. Vui lòng chọn một trong các khung giờ gần nhất còn trống.",
        extra={"nearest_free": [s.isoformat() for s in nearest], "reason": "slot_taken"},
    )


async def _check_slot(
    config: availability.ServiceConfig, kind: str, start: dt.datetime, now: dt.datetime, exclude: Any = None
) -> None:
    problem = availability.slot_problem(config, kind, start, now)
    if problem is not None:
        raise AppError(400, problem[0], problem[1], extra={"field": "slot_start"})
    local_day = start.astimezone(availability.VN).date()
    holidays = await availability.holidays_between(local_day, local_day)
    if holidays:
        raise AppError(
            400,
            f"No home visits on {local_day.isoformat()} ({holidays[local_day]})",
            f"Không nhận lịch hẹn vào ngày nghỉ lễ ({holidays[local_day]}).",
            extra={"field": "slot_start"},
        )
    load = await availability.load_visits(config.commune_id, start, start + config.length(kind), config.buffer, exclude)
    if not availability.is_free(config, kind, start, load):
        raise await _slot_taken_error(config, kind, start, now, exclude)


async def _resolve_commune(data: BookingCreate) -> tuple[str, str]:
    """The new unit the visit is in, and the legacy address as written when it had to be mapped."""
    if data.commune_id:
        unit = (
            await AdminUnit.select(AdminUnit.code)
            .where((AdminUnit.code == data.commune_id) & (AdminUnit.level == "commune"))
            .first()
        )
        if unit is None:
            raise AppError(400, "Unknown commune", "Xã/phường không hợp lệ.", extra={"field": "commune_id"})
        # The citizen may also have given the old address the app resolved for them: staff see both.
        written = ", ".join(x for x in (data.legacy_commune, data.legacy_district) if x)
        return data.commune_id, written
    if not data.legacy_commune:
        raise AppError(
            400,
            "Give commune_id, or legacy_commune (and legacy_district) of an old address",
            "Vui lòng chọn xã/phường.",
            extra={"field": "commune_id"},
        )
    matches = await resolve_legacy(data.legacy_commune, data.legacy_district)
    new_codes = sorted({u["code"] for m in matches for u in m["new_units"]})
    written = ", ".join(x for x in (data.legacy_commune, data.legacy_district) if x)
    if len(new_codes) == 1:
        return new_codes[0], written
    raise AppError(
        400,
        "The old address matches no single new unit; choose the commune",
        "Không xác định được xã/phường mới từ địa chỉ cũ. Vui lòng chọn xã/phường.",
        extra={"field": "commune_id", "candidates": new_codes},
    )


async def _rate_limit(phone: str, client_hash: str, by_staff: bool) -> None:
    """The per-phone and per-network limits, exact under concurrency.

    Counting is only exact if no other booking from the same phone (or network) can commit between the count
    and this booking's insert: each limit takes a transaction-scoped lock on its key first (on SQLite the write
    transaction already serialises every writer). Phone before network, both before the commune's day.
    """
    settings = get_settings()
    now = utcnow()
    await lock_for_transaction(f"booking-phone:{phone}")
    by_phone = await Appointment.count().where(
        (Appointment.citizen_phone == phone) & (Appointment.created_at > now - dt.timedelta(days=1))
    )
    if by_phone >= settings.booking_max_per_phone_day:
        raise AppError(
            429,
            "Too many bookings for this phone number today",
            f"Số điện thoại này đã đặt {by_phone} lịch hẹn trong 24 giờ qua. "
            "Vui lòng thử lại sau hoặc gọi tổng đài 1022 để được hỗ trợ.",
            headers={"Retry-After": "3600"},
        )
    if by_staff or not client_hash:
        return
    await lock_for_transaction(f"booking-client:{client_hash}")
    by_client = await Appointment.count().where(
        (Appointment.client_hash == client_hash) & (Appointment.created_at > now - dt.timedelta(hours=1))
    )
    if by_client >= settings.booking_max_per_ip_hour:
        raise AppError(
            429,
            "Too many bookings from this network; try again later",
            "Có quá nhiều lượt đặt lịch từ mạng này. Vui lòng thử lại sau ít phút.",
            headers={"Retry-After": "900"},
        )


def client_digest(ip: str) -> str:
    return hashlib.sha256(f"gandan-booking:{ip}".encode()).hexdigest() if ip else ""


@dataclass
class Booked:
    row: dict[str, Any]
    token: str
    created: bool


async def book(data: BookingCreate, by: Principal | None, ip: str, expect_version: int | None = None) -> Booked:
    """Create a booking; a retry of the same booking (same id and secret) returns it unchanged.

    A retry can arrive while the first attempt is still running (a phone that timed out and resent, two tabs):
    the id is locked for the transaction first, so the retry waits for the first attempt and then finds its
    row, exactly as a retry sent later would. `expect_version` (intake's If-Match) holds only for a retry of a
    booking still at that version.
    """
    async with write_transaction():
        await lock_for_transaction(f"booking:{data.id}")
        existing = await Appointment.select().where(Appointment.id == data.id).first()
        if existing is not None:
            same_author = (by.user_id if by else None) == existing["created_by"]
            if same_author and data.token and hmac.compare_digest(existing["token_hash"], digest(data.token)):
                check_version(existing, expect_version)
                return Booked(existing, data.token, created=False)
            raise AppError(409, "This booking id is already used", "Mã lịch hẹn này đã được sử dụng.")
        if expect_version is not None:
            raise StaleVersion(None)
        return await _book_new(data, by, ip)


async def _book_new(data: BookingCreate, by: Principal | None, ip: str) -> Booked:
    """A new booking, inside book()'s transaction."""
    if not data.consent.accepted:
        raise AppError(
            400,
            "Consent to personal-data processing is required",
            "Vui lòng đọc và đồng ý với việc xử lý dữ liệu cá nhân để đặt lịch.",
            extra={"field": "consent"},
        )
    if data.consent.version != CURRENT_CONSENT_VERSION:
        raise AppError(
            400,
            f"Consent text version {data.consent.version!r} is not the current one ({CURRENT_CONSENT_VERSION})",
            "Nội dung đồng ý đã được cập nhật. Vui lòng đọc lại và đồng ý.",
            extra={"field": "consent", "current_version": CURRENT_CONSENT_VERSION},
        )
    procedure = (
        await Procedure.select(Procedure.code, Procedure.visit_kinds)
        .where(
            (Procedure.code == data.procedure_code) & (Procedure.active == True)  # noqa: E712
        )
        .first()
        .output(load_json=True)
    )
    if procedure is None:
        raise AppError(400, "Unknown procedure", "Thủ tục không hợp lệ.", extra={"field": "procedure_code"})
    if data.kind not in procedure["visit_kinds"]:
        raise AppError(
            400,
            f"Procedure {data.procedure_code} does not offer visits of kind {data.kind}",
            "Thủ tục này không hỗ trợ hình thức hẹn đã chọn.",
            extra={"field": "kind"},
        )
    phone = normalise_phone(data.citizen_phone)
    commune_id, legacy_address = await _resolve_commune(data)
    start = _aware(data.slot_start, "slot_start")
    client_hash = client_digest(ip)
    token = data.token or secrets.token_urlsafe(32)
    now = utcnow()

    async with write_transaction():
        await _rate_limit(phone, client_hash, by is not None)
        config = await availability.service_config(commune_id)
        await _lock_commune_day(commune_id, start)
        await _check_slot(config, data.kind, start, now)
        for _ in range(5):
            reference = new_reference()
            if not await Appointment.exists().where(Appointment.reference == reference):
                break
        row = {
            "id": data.id,
            "reference": reference,
            "token_hash": digest(token),
            "commune_id": commune_id,
            "procedure_code": data.procedure_code,
            "kind": data.kind,
            "address_detail": data.address_detail.strip(),
            "legacy_address": legacy_address,
            "citizen_name": data.citizen_name.strip(),
            "citizen_phone": phone,
            "notes": data.notes.strip(),
            "language": data.language,
            "channel": data.channel if isinstance(data, StaffIntake) else "app",
            "consent_version": data.consent.version,
            "consent_at": now,
            "slot_start": start,
            "slot_end": start + config.length(data.kind),
            "status": "requested",
            "created_by": by.user_id if by else None,
            "client_hash": client_hash,
            "created_at": now,
        }
        # Through the sync engine: the officers of the commune pull the new booking.
        row = await get_sync_engine().server_create(ENTITY, row, writer_of(by))
        await _event(data.id, "requested", "created", by, slot_start=start)
        await notifications.notify("created", row)
        await audit.record(
            "create",
            "appointment",
            data.id,
            actor_user=by.user_id if by else None,
            actor_device=by.device_id if by else None,
            after=_audit_view(row),
            ip=ip,
        )
    stored = await Appointment.select().where(Appointment.id == data.id).first()
    assert stored is not None
    return Booked(stored, token, created=True)


_audit_view = records.audit_view


async def _event(
    appointment_id: uuid.UUID,
    status: str,
    action: str,
    by: Principal | None,
    reason: str = "",
    slot_start: dt.datetime | None = None,
) -> None:
    await records.add_event(
        appointment_id,
        status,
        action,
        actor_user=by.user_id if by else None,
        actor="staff" if by else "citizen",
        reason=reason,
        slot_start=slot_start,
    )


async def by_reference(reference: str, token: str) -> dict[str, Any]:
    """The booking behind a capability link; the same 404 whether the reference or the secret is wrong."""
    row = await Appointment.select().where(Appointment.reference == reference.upper()).first()
    if row is None or not hmac.compare_digest(row["token_hash"], digest(token)):
        raise AppError(404, "No booking with this reference and secret", "Không tìm thấy lịch hẹn.")
    return row


def change_deadline(row: dict[str, Any], config: availability.ServiceConfig) -> dt.datetime:
    deadline: dt.datetime = row["slot_start"] - dt.timedelta(minutes=config.min_notice_minutes)
    return deadline


async def _update(
    row: dict[str, Any],
    values: dict[str, Any],
    action: str,
    by: Principal | None,
    reason: str = "",
    ip: str = "",
) -> dict[str, Any]:
    """Write a change inside the caller's transaction, through the sync engine (officers' tablets pull it),
    then record the event and the audit log and queue the notifications.

    `row["version"]` is the change number the caller read: if another write came in between, nothing is
    written and the caller gets a 409 with the appointment as it is now. A write that changes nothing
    (a double click, a retry) records and notifies nothing either.
    """
    try:
        after = await get_sync_engine().server_write(
            ENTITY, row["id"], values, writer_of(by), expect_version=row["version"]
        )
    except StaleWrite as exc:
        raise StaleVersion(await _reload(row["id"])) from exc
    if after["version"] == row["version"]:
        return after
    values = {**values, "version": after["version"]}
    await _event(row["id"], after["status"], action, by, reason, values.get("slot_start"))
    await notifications.notify(action, after, before=row)
    await audit.record(
        action,
        "appointment",
        row["id"],
        actor_user=by.user_id if by else None,
        actor_device=by.device_id if by else None,
        before=_audit_view({k: row[k] for k in values if k in row}),
        after=_audit_view(values),
        ip=ip,
    )
    return after


async def _reload(appointment_id: uuid.UUID) -> dict[str, Any]:
    row = await Appointment.select().where(Appointment.id == appointment_id).first()
    assert row is not None
    return row


# The citizen moved a confirmed visit to a time when its officer is out on another: it goes back to the
# dispatcher, who picks an officer free at the new time (the citizen cannot choose one).
BACK_TO_DISPATCH_REASON = "Công dân đổi giờ; cán bộ đã phân công bận vào giờ mới nên lịch hẹn chờ phân công lại."


def _officer_busy_error() -> AppError:
    return AppError(
        409,
        "The officer has another visit at that time",
        "Cán bộ đã có lịch hẹn khác vào thời gian này. Vui lòng chọn giờ khác hoặc phân công cán bộ khác.",
        extra={"reason": "officer_busy"},
    )


async def reschedule(
    row: dict[str, Any],
    new_start: dt.datetime,
    reason: str,
    by: Principal | None,
    ip: str,
    expect_version: int | None = None,
) -> dict[str, Any]:
    """Move the visit to another free slot of its commune.

    A confirmed visit keeps its officer only if the officer is free at the new time (checked under the
    officer's lock, as assign does). If not: a dispatcher (`by` set) gets 409 officer_busy and chooses
    another time or another officer; a citizen's move is accepted and the visit goes back to the dispatcher
    unassigned (status requested), because the citizen cannot choose the officer and the commune still has
    room at that time. The officer taken off the visit is told.
    """
    start = _aware(new_start, "slot_start")
    now = utcnow()
    async with write_transaction():
        row = await _reload(row["id"])
        check_version(row, expect_version)
        if row["status"] not in RESCHEDULABLE:
            en, vi = transition_refusal(row["status"], "rescheduled")
            raise AppError(409, en, vi, extra={"current": row["status"]})
        config = await availability.service_config(row["commune_id"])
        if by is None and now > change_deadline(row, config):
            raise _too_late(config)
        if start == row["slot_start"]:
            return row  # already there: nothing to move, nothing to tell anyone
        await _lock_commune_day(row["commune_id"], start)
        await _check_slot(config, row["kind"], start, now, exclude=row["id"])
        end = start + config.length(row["kind"])
        values: dict[str, Any] = {"slot_start": start, "slot_end": end}
        officer_id = row["officer_id"]
        if officer_id is not None:
            await _lock_officer(officer_id)
            if await _officer_busy(officer_id, row["id"], start, end, config.buffer):
                if by is not None:
                    raise _officer_busy_error()
                values.update(status="requested", officer_id=None, status_reason=BACK_TO_DISPATCH_REASON)
        return await _update(row, values, "rescheduled", by, reason, ip)


def _too_late(config: availability.ServiceConfig) -> AppError:
    hours = config.min_notice_minutes / 60
    return AppError(
        409,
        f"Changes are possible until {hours:g} hours before the visit",
        f"Chỉ có thể đổi hoặc huỷ lịch trước giờ hẹn ít nhất {hours:g} giờ. Vui lòng gọi tổng đài 1022 để được hỗ trợ.",
        extra={"reason": "too_late"},
    )


async def cancel(
    row: dict[str, Any], reason: str, by: Principal | None, ip: str, expect_version: int | None = None
) -> dict[str, Any]:
    async with write_transaction():
        row = await _reload(row["id"])
        check_version(row, expect_version)
        if not can_move(row["status"], "cancelled"):
            en, vi = transition_refusal(row["status"], "cancelled")
            raise AppError(409, en, vi, extra={"current": row["status"]})
        if by is None:
            config = await availability.service_config(row["commune_id"])
            if utcnow() > change_deadline(row, config):
                raise _too_late(config)
        elif not reason.strip():
            raise AppError(400, "Give a reason to cancel", "Vui lòng nêu lý do huỷ lịch.", extra={"field": "reason"})
        return await _update(row, {"status": "cancelled", "status_reason": reason}, "cancelled", by, reason, ip)


async def withdraw_consent(row: dict[str, Any], ip: str) -> dict[str, Any]:
    """The citizen withdraws consent: an upcoming visit is cancelled and their personal data erased.

    The assigned officer is told as for any cancellation (push, and the change on the tablet at its next pull).
    """
    async with write_transaction():
        row = await _reload(row["id"])
        if row["consent_withdrawn_at"] is not None:
            return row
        values: dict[str, Any] = {
            "consent_withdrawn_at": utcnow(),
            "citizen_name": "(đã xoá)",
            "citizen_phone": "",
            "address_detail": "(đã xoá)",
            "legacy_address": "",
            "notes": "",
        }
        if row["status"] in ACTIVE and can_move(row["status"], "cancelled"):
            values["status"] = "cancelled"
            values["status_reason"] = "Công dân rút lại sự đồng ý xử lý dữ liệu cá nhân"
        await notifications.forget_subscriptions(row["id"])
        return await _update(row, values, "consent_withdrawn", None, "", ip)


def in_scope(principal: Principal, commune_id: str) -> bool:
    return commune_id in principal.communes


async def staff_get(principal: Principal, appointment_id: uuid.UUID) -> dict[str, Any]:
    row = await Appointment.select().where(Appointment.id == appointment_id).first()
    if row is None or not in_scope(principal, row["commune_id"]):
        raise AppError(404, "No such appointment in your communes", "Không tìm thấy lịch hẹn.")
    if principal.role == "officer" and row["officer_id"] not in (None, principal.user_id):
        raise AppError(404, "No such appointment among yours", "Không tìm thấy lịch hẹn.")
    return row


async def assign(
    principal: Principal,
    appointment_id: uuid.UUID,
    officer_id: uuid.UUID,
    slot: dt.datetime | None,
    ip: str,
    expect_version: int | None = None,
) -> dict[str, Any]:
    now = utcnow()
    async with write_transaction():
        row = await staff_get(principal, appointment_id)
        check_version(row, expect_version)
        officer = (
            await StaffUser.select(StaffUser.id, StaffUser.communes, StaffUser.role)
            .where((StaffUser.id == officer_id) & StaffUser.disabled_at.is_null())
            .first()
            .output(load_json=True)
        )
        if officer is None or officer["role"] != "officer" or row["commune_id"] not in (officer["communes"] or []):
            raise AppError(
                400,
                "That officer does not serve this commune",
                "Cán bộ này không phụ trách xã/phường của lịch hẹn.",
                extra={"field": "officer_id"},
            )
        if row["status"] not in ("requested", "confirmed"):
            en, vi = transition_refusal(row["status"], "confirmed")
            raise AppError(409, en, vi, extra={"current": row["status"]})
        config = await availability.service_config(row["commune_id"])
        start = _aware(slot, "slot_start") if slot else row["slot_start"]
        end = start + config.length(row["kind"])
        if slot is not None and start != row["slot_start"]:
            await _lock_commune_day(row["commune_id"], start)
            await _check_slot(config, row["kind"], start, now, exclude=row["id"])
        elif row["status"] == "requested" and start <= now:
            # Confirming the time the citizen asked for, but it has passed: that would confirm a visit in the
            # past. The dispatcher agrees another time with the citizen. (Giving a confirmed visit to another
            # officer at its time stays possible, even late.)
            raise await _slot_past_error(config, row["kind"], start, now, row["id"])
        await _lock_officer(officer_id)
        if await _officer_busy(officer_id, row["id"], start, end, config.buffer):
            raise _officer_busy_error()
        return await _update(
            row,
            {"status": "confirmed", "officer_id": officer_id, "slot_start": start, "slot_end": end},
            "assigned",
            principal,
            "",
            ip,
        )


async def _slot_past_error(
    config: availability.ServiceConfig, kind: str, start: dt.datetime, now: dt.datetime, exclude: Any
) -> AppError:
    nearest = await availability.nearest_free(config, kind, now, now, exclude=exclude)
    return AppError(
        409,
        "The requested time has passed; choose another time (slot_start)",
        "Giờ hẹn công dân chọn đã qua. Vui lòng thống nhất giờ khác với công dân rồi chọn giờ đó.",
        extra={"reason": "slot_past", "nearest_free": [s.isoformat() for s in nearest]},
    )


async def _officer_busy(
    officer_id: uuid.UUID, appointment_id: uuid.UUID, start: dt.datetime, end: dt.datetime, buffer: dt.timedelta
) -> bool:
    rows = await Appointment.select(Appointment.slot_start, Appointment.slot_end).where(
        (Appointment.officer_id == officer_id)
        & (Appointment.id != appointment_id)
        & Appointment.status.is_in(["confirmed", "on_the_way", "arrived"])
        & (Appointment.slot_start < end + buffer)
        & (Appointment.slot_end > start - buffer)
    )
    return bool(rows)


async def set_status(
    principal: Principal,
    appointment_id: uuid.UUID,
    target: str,
    reason: str,
    dossier_code: str,
    ip: str,
    expect_version: int | None = None,
) -> dict[str, Any]:
    async with write_transaction():
        row = await staff_get(principal, appointment_id)
        check_version(row, expect_version)
        if principal.role == "officer" and (target not in OFFICER_SETS or row["officer_id"] != principal.user_id):
            raise AppError(
                403,
                "Officers update only their own visits, from the field",
                "Cán bộ chỉ cập nhật lịch hẹn được giao cho mình.",
            )
        if not can_move(row["status"], target):
            en, vi = transition_refusal(row["status"], target)
            raise AppError(409, en, vi, extra={"current": row["status"]})
        if target == "confirmed":
            # Confirming means an officer will come: only assign checks the officer and records them.
            raise AppError(
                400,
                "Confirm a visit by assigning an officer (POST /api/staff/appointments/{id}/assign)",
                "Vui lòng phân công cán bộ để xác nhận lịch hẹn.",
                extra={"field": "status"},
            )
        if target in ("cancelled", "missed_by_agency", "citizen_absent") and not reason.strip():
            raise AppError(400, "Give a reason", "Vui lòng nêu lý do.", extra={"field": "reason"})
        values: dict[str, Any] = {"status": target, "status_reason": reason}
        if target == "requested":
            values["officer_id"] = None
        if dossier_code:
            values["dossier_code"] = dossier_code
        updated = await _update(row, values, target, principal, reason, ip)
        if target == "missed_by_agency":
            await records.add_apology(row["id"], row["commune_id"], reason, principal.user_id)
        return updated


async def history(appointment_id: uuid.UUID) -> list[dict[str, Any]]:
    return (
        await AppointmentEvent.select()
        .where(AppointmentEvent.appointment_id == appointment_id)
        .order_by(AppointmentEvent._meta.primary_key)
    )
