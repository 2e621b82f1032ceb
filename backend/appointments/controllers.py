"""Citizens book and follow their visit through a secret link; staff take requests, dispatch and update them."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Awaitable
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter

from backend.accounts.guards import client_ip, principal_of, public, staff
from backend.accounts.tables import StaffUser
from backend.appointments import availability, services
from backend.appointments.consent import CONSENT_TEXTS, CURRENT_CONSENT_VERSION
from backend.appointments.ics import booking_calendar
from backend.appointments.notifications import BookingToken
from backend.appointments.schemas import (
    AppointmentOut,
    AssignIn,
    AvailabilityOut,
    BookingCreate,
    BookingCreated,
    BookingOut,
    CancelIn,
    ConsentOut,
    DayAvailability,
    HistoryItem,
    OfficerOut,
    RescheduleIn,
    Slot,
    StaffCancelIn,
    StaffIntake,
    StaffRescheduleIn,
    StatusIn,
)
from backend.appointments.statuses import KIND_VI, RESCHEDULABLE, STATUS_EN, STATUS_VI, VisitKind
from backend.appointments.tables import Appointment
from backend.catalog.tables import AdminUnit, Procedure
from backend.core.errors import AppError
from backend.db.columns import utcnow
from backend.db.engine import read_transaction, write_transaction
from backend.settings import get_settings

WEEKDAY_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
Reference = Annotated[str, PathParameter(min_length=9, max_length=9, description="Booking reference, e.g. K7M3-9PQ2")]
# The secret of the capability link travels in a header, never in a URL that ends up in logs.


async def _names(rows: list[dict[str, Any]]) -> tuple[dict[str, str], dict[str, str], dict[Any, str]]:
    procedures = {
        r["code"]: r["name"]
        for r in await Procedure.select(Procedure.code, Procedure.name).where(
            Procedure.code.is_in(sorted({r["procedure_code"] for r in rows}) or [""])
        )
    }
    communes = {
        r["code"]: r["name"]
        for r in await AdminUnit.select(AdminUnit.code, AdminUnit.name).where(
            AdminUnit.code.is_in(sorted({r["commune_id"] for r in rows}) or [""])
        )
    }
    officer_ids = sorted({r["officer_id"] for r in rows if r["officer_id"]}, key=str)
    officers = {
        r["id"]: r["full_name"]
        for r in (
            await StaffUser.select(StaffUser.id, StaffUser.full_name).where(StaffUser.id.is_in(officer_ids))
            if officer_ids
            else []
        )
    }
    return procedures, communes, officers


def public_base(request: Request[Any, Any, Any]) -> str:
    """The app's public address: PUBLIC_URL, else derived from the request (through trusted proxies only)."""
    settings = get_settings()
    if settings.public_url:
        return settings.public_url
    scheme, host = request.url.scheme, request.headers.get("host", "")
    peer = request.client.host if request.client else ""
    if peer in settings.trusted_proxies:
        scheme = request.headers.get("x-forwarded-proto", scheme).split(",")[0].strip() or scheme
        host = request.headers.get("x-forwarded-host", host).split(",")[0].strip() or host
    if scheme not in ("http", "https") or not re.fullmatch(r"[A-Za-z0-9.:\[\]-]{1,255}", host):
        # A forged or missing Host: a relative link, as before, rather than a link to somewhere else.
        return ""
    return f"{scheme}://{host}"


def booking_link(request: Request[Any, Any, Any], reference: str, token: str) -> str:
    """The capability link: whoever holds it can change or cancel the booking. Only ever given to the booker."""
    return f"{public_base(request)}/lich-hen/{reference}#{token}"


def status_page(request: Request[Any, Any, Any], reference: str) -> str:
    """The booking's status page without the secret: opens on a device that keeps the booking."""
    return f"{public_base(request)}/lich-hen/{reference}"


async def booking_out(row: dict[str, Any]) -> BookingOut:
    procedures, communes, _ = await _names([row])
    config = await availability.service_config(row["commune_id"])
    deadline = services.change_deadline(row, config)
    events = await services.history(row["id"])
    return BookingOut(
        id=row["id"],
        reference=row["reference"],
        status=row["status"],
        status_vi=STATUS_VI[row["status"]],
        status_en=STATUS_EN[row["status"]],
        procedure_code=row["procedure_code"],
        procedure_name=procedures.get(row["procedure_code"], row["procedure_code"]),
        kind=row["kind"],
        kind_vi=KIND_VI[row["kind"]],
        commune_id=row["commune_id"],
        commune_name=communes.get(row["commune_id"], row["commune_id"]),
        address_detail=row["address_detail"],
        citizen_name=row["citizen_name"],
        citizen_phone=row["citizen_phone"],
        notes=row["notes"],
        language=row["language"],
        slot_start=row["slot_start"],
        slot_end=row["slot_end"],
        dossier_code=row["dossier_code"],
        can_change=row["status"] in RESCHEDULABLE and utcnow() <= deadline,
        change_deadline=deadline,
        consent_version=row["consent_version"],
        consent_withdrawn=row["consent_withdrawn_at"] is not None,
        history=[
            HistoryItem(
                at=e["at"],
                status=e["status"],
                status_vi=STATUS_VI.get(e["status"], e["status"]),
                status_en=STATUS_EN.get(e["status"], e["status"]),
                action=e["action"],
                reason=e["reason"],
                slot_start=e["slot_start"],
            )
            for e in events
        ],
    )


async def appointments_out(rows: list[dict[str, Any]]) -> list[AppointmentOut]:
    procedures, communes, officers = await _names(rows)
    return [
        AppointmentOut(
            id=r["id"],
            reference=r["reference"],
            status=r["status"],
            status_vi=STATUS_VI[r["status"]],
            procedure_code=r["procedure_code"],
            procedure_name=procedures.get(r["procedure_code"], r["procedure_code"]),
            kind=r["kind"],
            commune_id=r["commune_id"],
            commune_name=communes.get(r["commune_id"], r["commune_id"]),
            address_detail=r["address_detail"],
            legacy_address=r["legacy_address"],
            citizen_name=r["citizen_name"],
            citizen_phone=r["citizen_phone"],
            notes=r["notes"],
            channel=r["channel"],
            slot_start=r["slot_start"],
            slot_end=r["slot_end"],
            officer_id=r["officer_id"],
            officer_name=officers.get(r["officer_id"]),
            status_reason=r["status_reason"],
            dossier_code=r["dossier_code"],
            created_at=r["created_at"],
            updated_at=r["updated_at"],
            version=r["version"],
        )
        for r in rows
    ]


async def _created(request: Request[Any, Any, Any], booked: services.Booked) -> Response[BookingCreated]:
    out = await booking_out(booked.row)
    body = BookingCreated(
        **{f: getattr(out, f) for f in BookingOut.__struct_fields__},
        token=booked.token,
        link=booking_link(request, booked.row["reference"], booked.token),
    )
    return Response(body, status_code=201 if booked.created else 200)


class BookingController(Controller):
    """The citizen side. No account: a booking is opened with its reference and secret."""

    path = "/api/bookings"
    tags = ["appointments"]
    guards = [public]

    @get("/consent", summary="The personal-data consent text to show before booking")
    async def consent(self) -> ConsentOut:
        texts = CONSENT_TEXTS[CURRENT_CONSENT_VERSION]
        return ConsentOut(version=CURRENT_CONSENT_VERSION, text_vi=texts["vi"], text_en=texts["en"])

    @get("/availability", summary="Free home-visit slots of a commune")
    async def availability(
        self,
        commune_id: Annotated[str, QueryParameter(max_length=10)],
        kind: Annotated[VisitKind, QueryParameter()],
        start: Annotated[dt.date | None, QueryParameter(description="First local day (default today)")] = None,
        days: Annotated[int, QueryParameter(ge=1, le=31)] = 14,
    ) -> AvailabilityOut:
        if not await AdminUnit.exists().where((AdminUnit.code == commune_id) & (AdminUnit.level == "commune")):
            raise AppError(400, "Unknown commune", "Xã/phường không hợp lệ.", extra={"field": "commune_id"})
        config = await availability.service_config(commune_id)
        now = utcnow()
        first = start or now.astimezone(availability.VN).date()
        found = await availability.free_slots(config, kind, first, days, now)
        length = config.length(kind)
        return AvailabilityOut(
            commune_id=commune_id,
            kind=kind,
            timezone="Asia/Ho_Chi_Minh",
            slot_minutes=int(length.total_seconds() // 60),
            days=[
                DayAvailability(
                    day=day,
                    weekday_vi=WEEKDAY_VI[day.weekday()],
                    holiday=holiday,
                    slots=[
                        Slot(start=s, end=s + length, label=s.astimezone(availability.VN).strftime("%H:%M"))
                        for s in starts
                    ],
                )
                for day, starts, holiday in found
            ],
        )

    @post("/", summary="Book a home visit (retrying with the same id and token is safe)")
    async def create(self, request: Request[Any, Any, Any], data: JSONBody[BookingCreate]) -> Response[BookingCreated]:
        async with write_transaction():
            return await _created(request, await services.book(data, None, client_ip(request)))

    @get("/{reference:str}", summary="The booking behind a secret link")
    async def show(self, reference: Reference, token: BookingToken) -> BookingOut:
        async with read_transaction():
            return await booking_out(await services.by_reference(reference, token))

    @get("/{reference:str}/calendar.ics", summary="The booking as a calendar file", media_type="text/calendar")
    async def calendar(
        self, request: Request[Any, Any, Any], reference: Reference, token: BookingToken
    ) -> Response[bytes]:
        row = await services.by_reference(reference, token)
        procedures, communes, _ = await _names([row])
        body = booking_calendar(
            row,
            procedures.get(row["procedure_code"], row["procedure_code"]),
            communes.get(row["commune_id"], row["commune_id"]),
            # Never the secret link: a calendar entry is shared, synced and forwarded.
            status_page(request, row["reference"]),
        )
        return Response(
            body,
            media_type="text/calendar",  # Litestar adds "; charset=utf-8" to text types
            headers={"Content-Disposition": f'attachment; filename="lich-hen-{row["reference"]}.ics"'},
        )

    @post("/{reference:str}/reschedule", status_code=200, summary="Move the visit to another free slot")
    async def reschedule(
        self, request: Request[Any, Any, Any], reference: Reference, token: BookingToken, data: JSONBody[RescheduleIn]
    ) -> BookingOut:
        row = await services.by_reference(reference, token)
        return await booking_out(await services.reschedule(row, data.slot_start, data.reason, None, client_ip(request)))

    @post("/{reference:str}/cancel", status_code=200, summary="Cancel the visit")
    async def cancel(
        self, request: Request[Any, Any, Any], reference: Reference, token: BookingToken, data: JSONBody[CancelIn]
    ) -> BookingOut:
        row = await services.by_reference(reference, token)
        return await booking_out(await services.cancel(row, data.reason, None, client_ip(request)))

    @post("/{reference:str}/withdraw-consent", status_code=200, summary="Withdraw consent: cancel and erase")
    async def withdraw_consent(
        self, request: Request[Any, Any, Any], reference: Reference, token: BookingToken
    ) -> BookingOut:
        row = await services.by_reference(reference, token)
        return await booking_out(await services.withdraw_consent(row, client_ip(request)))


IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        required=False,
        max_length=40,
        description='The ETag of the appointment as the user saw it (e.g. "71"); the write is refused with 409 and '
        "the current appointment if it has changed since. Optional (docs/decisions/0005).",
    ),
]
_ETAG_HEADER = [
    ResponseHeader(
        name="ETag",
        value='"71"',  # documents its type (a string); the real value is set by each response
        documentation_only=True,
        description="The appointment's version, to send back in If-Match (or as expect_version) with the next write",
    )
]
_ETAG = re.compile(r'(?:W/)?"?(\d{1,18})"?')


def expected_version(if_match: str | None, in_body: int | None) -> int | None:
    """The version a staff write is conditioned on: If-Match or expect_version (both: they must agree)."""
    from_header: int | None = None
    if if_match is not None and if_match.strip() != "*":
        # A weak tag names the same version: proxies that compress weaken ETags (nginx gzip does).
        found = _ETAG.fullmatch(if_match.strip())
        if found is None:
            raise AppError(
                400,
                'If-Match must be one ETag of this API, e.g. "71"',
                "Điều kiện phiên bản (If-Match) không hợp lệ.",
                extra={"field": "If-Match"},
            )
        from_header = int(found.group(1))
    if from_header is not None and in_body is not None and from_header != in_body:
        raise AppError(
            400,
            "If-Match and expect_version name different versions",
            "Điều kiện phiên bản (If-Match và expect_version) không khớp nhau.",
            extra={"field": "expect_version"},
        )
    return from_header if from_header is not None else in_body


async def _with_current(exc: services.StaleVersion) -> services.StaleVersion:
    """The 409 of a stale staff write carries the appointment as it is now, for the screen to show."""
    if exc.row is not None:
        current = (await appointments_out([exc.row]))[0]
        exc.extra = {**(exc.extra if isinstance(exc.extra, dict) else {}), "appointment": msgspec.to_builtins(current)}
    return exc


async def _staff_answer(write: Awaitable[dict[str, Any]]) -> Response[AppointmentOut]:
    try:
        row = await write
    except services.StaleVersion as exc:
        raise await _with_current(exc) from None
    out = (await appointments_out([row]))[0]
    return Response(out, headers={"ETag": services.etag(out.version)})


class StaffAppointmentController(Controller):
    """Intake, the dispatcher's queue, assignment and status changes, all limited to the user's communes.

    Every write takes an optional precondition, If-Match: "<version>" or `expect_version` in the body; reads
    of one appointment return its ETag. See docs/decisions/0005-staff-write-preconditions.md.
    """

    path = "/api/staff/appointments"
    tags = ["appointments"]

    @post(
        "/",
        guards=[staff("officer", "dispatcher", "supervisor", "admin")],
        summary="Take a request for a citizen",
        response_headers=_ETAG_HEADER,
    )
    async def intake(
        self, request: Request[Any, Any, Any], data: JSONBody[StaffIntake], if_match: IfMatch = None
    ) -> Response[AppointmentOut]:
        principal = principal_of(request)
        expect = expected_version(if_match, data.expect_version)
        if data.commune_id and data.commune_id not in principal.communes:
            raise AppError(403, "That commune is outside your scope", "Xã/phường này ngoài phạm vi phụ trách của bạn.")
        try:
            async with write_transaction():
                booked = await services.book(data, principal, client_ip(request), expect)
                if booked.row["commune_id"] not in principal.communes:
                    raise AppError(
                        403, "That commune is outside your scope", "Xã/phường này ngoài phạm vi phụ trách của bạn."
                    )
        except services.StaleVersion as exc:
            raise await _with_current(exc) from None
        out = (await appointments_out([booked.row]))[0]
        return Response(out, status_code=201 if booked.created else 200, headers={"ETag": services.etag(out.version)})

    @get("/", guards=[staff("dispatcher", "supervisor", "admin", "officer")], summary="Appointments in your communes")
    async def list_appointments(
        self,
        request: Request[Any, Any, Any],
        status: Annotated[list[str] | None, QueryParameter(description="Filter by status")] = None,
        commune_id: Annotated[str | None, QueryParameter(max_length=10)] = None,
        day: Annotated[dt.date | None, QueryParameter(description="Local day of the visit")] = None,
        officer_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 200,
    ) -> list[AppointmentOut]:
        principal = principal_of(request)
        communes = [c for c in principal.communes if commune_id in (None, c)]
        query = Appointment.select().where(Appointment.commune_id.is_in(communes or [""]))
        if principal.role == "officer":
            query = query.where(Appointment.officer_id == principal.user_id)
        if status:
            query = query.where(Appointment.status.is_in(status))
        if officer_id:
            query = query.where(Appointment.officer_id == officer_id)
        if day:
            # In UTC here, not in the database: a day at the edge of the calendar (year 1 or 9999) overflows
            # in Python, which is a 400, instead of in PostgreSQL, which was a 500.
            start = dt.datetime.combine(day, dt.time(0), availability.VN).astimezone(dt.UTC)
            query = query.where(
                (Appointment.slot_start >= start) & (Appointment.slot_start < start + dt.timedelta(days=1))
            )
        rows = await query.order_by(Appointment.slot_start).limit(limit)
        return await appointments_out(rows)

    @get("/{appointment_id:uuid}", guards=[staff()], summary="One appointment", response_headers=_ETAG_HEADER)
    async def show(
        self, request: Request[Any, Any, Any], appointment_id: Annotated[uuid.UUID, PathParameter()]
    ) -> Response[AppointmentOut]:
        row = await services.staff_get(principal_of(request), appointment_id)
        out = (await appointments_out([row]))[0]
        return Response(out, headers={"ETag": services.etag(out.version)})

    @post(
        "/{appointment_id:uuid}/assign",
        guards=[staff("dispatcher", "supervisor", "admin")],
        status_code=200,
        summary="Assign an officer and confirm the slot",
        response_headers=_ETAG_HEADER,
    )
    async def assign(
        self,
        request: Request[Any, Any, Any],
        appointment_id: Annotated[uuid.UUID, PathParameter()],
        data: JSONBody[AssignIn],
        if_match: IfMatch = None,
    ) -> Response[AppointmentOut]:
        expect = expected_version(if_match, data.expect_version)
        return await _staff_answer(
            services.assign(
                principal_of(request), appointment_id, data.officer_id, data.slot_start, client_ip(request), expect
            )
        )

    @post(
        "/{appointment_id:uuid}/reschedule",
        guards=[staff("dispatcher", "supervisor", "admin")],
        status_code=200,
        summary="Move the visit (agreed with the citizen)",
        response_headers=_ETAG_HEADER,
    )
    async def reschedule(
        self,
        request: Request[Any, Any, Any],
        appointment_id: Annotated[uuid.UUID, PathParameter()],
        data: JSONBody[StaffRescheduleIn],
        if_match: IfMatch = None,
    ) -> Response[AppointmentOut]:
        expect = expected_version(if_match, data.expect_version)
        principal = principal_of(request)
        row = await services.staff_get(principal, appointment_id)
        return await _staff_answer(
            services.reschedule(row, data.slot_start, data.reason, principal, client_ip(request), expect)
        )

    @post(
        "/{appointment_id:uuid}/cancel",
        guards=[staff("dispatcher", "supervisor", "admin")],
        status_code=200,
        summary="Cancel with a reason",
        response_headers=_ETAG_HEADER,
    )
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        appointment_id: Annotated[uuid.UUID, PathParameter()],
        data: JSONBody[StaffCancelIn],
        if_match: IfMatch = None,
    ) -> Response[AppointmentOut]:
        expect = expected_version(if_match, data.expect_version)
        principal = principal_of(request)
        row = await services.staff_get(principal, appointment_id)
        return await _staff_answer(services.cancel(row, data.reason, principal, client_ip(request), expect))

    @post(
        "/{appointment_id:uuid}/status",
        guards=[staff()],
        status_code=200,
        summary="Move to another status",
        response_headers=_ETAG_HEADER,
    )
    async def set_status(
        self,
        request: Request[Any, Any, Any],
        appointment_id: Annotated[uuid.UUID, PathParameter()],
        data: JSONBody[StatusIn],
        if_match: IfMatch = None,
    ) -> Response[AppointmentOut]:
        expect = expected_version(if_match, data.expect_version)
        return await _staff_answer(
            services.set_status(
                principal_of(request),
                appointment_id,
                data.status,
                data.reason,
                data.dossier_code,
                client_ip(request),
                expect,
            )
        )


class OfficerController(Controller):
    path = "/api/staff/officers"
    tags = ["appointments"]

    @get("/", guards=[staff("dispatcher", "supervisor", "admin")], summary="Officers of your communes")
    async def officers(
        self, request: Request[Any, Any, Any], commune_id: Annotated[str | None, QueryParameter(max_length=10)] = None
    ) -> list[OfficerOut]:
        principal = principal_of(request)
        rows = (
            await StaffUser.select(StaffUser.id, StaffUser.full_name, StaffUser.communes)
            .where((StaffUser.role == "officer") & StaffUser.disabled_at.is_null())
            .order_by(StaffUser.full_name)
            .output(load_json=True)
        )
        wanted = {commune_id} if commune_id else set(principal.communes)
        rows = [r for r in rows if wanted & set(r["communes"] or []) and set(r["communes"]) & set(principal.communes)]
        today = dt.datetime.combine(utcnow().astimezone(availability.VN).date(), dt.time(0), availability.VN)
        busy = await Appointment.select(Appointment.officer_id).where(
            Appointment.officer_id.is_in([r["id"] for r in rows] or [uuid.uuid4()])
            & (Appointment.slot_start >= today)
            & (Appointment.slot_start < today + dt.timedelta(days=1))
            & Appointment.status.is_in(["confirmed", "on_the_way", "arrived", "done"])
        )
        counts: dict[Any, int] = {}
        for b in busy:
            counts[b["officer_id"]] = counts.get(b["officer_id"], 0) + 1
        return [
            OfficerOut(
                id=r["id"], full_name=r["full_name"], communes=r["communes"], visits_today=counts.get(r["id"], 0)
            )
            for r in rows
        ]
