"""What the citizen is told, by Web Push, when their appointment changes; and the reminders before the visit.

Messages are written to the push outbox inside the transaction of the change (backend/push/outbox.py), so a
notification exists exactly when the change does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Controller, Request, post
from litestar.params import HeaderParameter, JSONBody, PathParameter

from backend.accounts.guards import public
from backend.appointments.tables import Appointment, AppointmentEvent
from backend.core.errors import AppError
from backend.db.columns import utcnow
from backend.db.engine import lock_for_transaction, write_transaction
from backend.push.messages import AppointmentRef, Event, format_time, topic_for
from backend.push.outbox import enqueue_for_appointment, enqueue_for_staff, subscribe_for_appointment
from backend.push.schemas import PushPayload, SubscriptionIn, SubscriptionOut
from backend.push.tables import PushSubscription

REMINDERS: tuple[tuple[Event, dt.timedelta], ...] = (
    ("reminder_24h", dt.timedelta(hours=24)),
    ("reminder_1h", dt.timedelta(hours=1)),
)


def event_for(action: str, row: dict[str, Any]) -> Event | None:
    """The notification an appointment change deserves, if any."""
    match action:
        case "created":
            return "requested"
        case "assigned":
            return "confirmed"
        case "rescheduled":
            return "rescheduled"
        case "cancelled":
            return "cancelled"
        case "on_the_way":
            return "officer_on_way"
        case "done" if row["kind"] == "receive_dossier":
            return "dossier_received"
        case "done" if row["kind"] in ("return_result", "postal_delivery"):
            return "result_ready"
    return None


def ref_of(row: dict[str, Any]) -> AppointmentRef:
    return AppointmentRef(
        id=row["id"],
        reference=row["reference"],
        slot_start=row["slot_start"],
        dossier_code=row["dossier_code"] or None,
        url=f"/lich-hen/{row['reference']}",
    )


async def notify(action: str, row: dict[str, Any], before: Mapping[str, Any] | None = None) -> None:
    """Queue the notifications a change deserves; call inside the change's write transaction.

    The citizen hears of every step. The officer hears when a visit is given to them, moved or cancelled
    (withdrawn consent cancels too); an officer the visit was taken from (reassigned, sent back to the
    dispatcher) hears that it is no longer theirs. `before` is the row as it was before the change.
    """
    event = event_for(action, row)
    if event is not None:
        await enqueue_for_appointment(row["id"], event, ref_of(row))
    officer = row.get("officer_id")
    previous = before.get("officer_id") if before else None
    topic = topic_for(row["id"])
    if before is not None and previous and previous != officer:
        # Said with the time they knew the visit by.
        await enqueue_for_staff(previous, officer_message("unassigned", before), topic=topic)
    staff_action = officer_action(action, row, before)
    if staff_action and officer:
        await enqueue_for_staff(officer, officer_message(staff_action, row), topic=topic)


def officer_action(action: str, row: Mapping[str, Any], before: Mapping[str, Any] | None) -> str | None:
    """Which officer message a change deserves, if any."""
    if action in ("assigned", "rescheduled", "cancelled"):
        return action
    if action == "consent_withdrawn" and row["status"] == "cancelled" and (before or {}).get("status") != "cancelled":
        return "cancelled"  # the visit is off: the officer must not go to the house
    return None


_OFFICER_TITLES = {
    "assigned": "Lịch hẹn mới được giao",
    "rescheduled": "Lịch hẹn đã đổi giờ",
    "cancelled": "Lịch hẹn đã huỷ",
    "unassigned": "Lịch hẹn không còn giao cho bạn",
}


def officer_message(action: str, row: Mapping[str, Any]) -> PushPayload:
    """The officer's notification: time and reference only; the details are on the tablet after sync."""
    when = format_time(row["slot_start"], "vi")
    return PushPayload(
        event=f"staff_{action}",
        title=_OFFICER_TITLES[action],
        body=f"Mã hẹn {row['reference']} — {when}.",
        url="/staff/",
        tag=f"appt-{row['reference']}",
        appointment_id=str(row["id"]),
        reference=row["reference"],
    )


async def forget_subscriptions(appointment_id: uuid.UUID) -> None:
    """The citizen withdrew consent: stop following this appointment from any browser."""
    await PushSubscription.delete().where(PushSubscription.appointment_id == appointment_id)


async def due_reminders(now: dt.datetime | None = None) -> int:
    """Queue the 24-hour and 1-hour reminders that are due; safe to run from several workers at once.

    The reminder is recorded as an appointment event in the same transaction, which makes the scan idempotent;
    a reminder whose moment has passed for a visit confirmed late is skipped (the 1-hour one still goes).
    """
    now = now or utcnow()
    sent = 0
    async with write_transaction():
        await lock_for_transaction("reminder-scan")  # one scan at a time
        for event, before in REMINDERS:
            rows = await Appointment.select().where(
                (Appointment.status == "confirmed")
                & (Appointment.slot_start > now)
                & (Appointment.slot_start <= now + before)
            )
            if not rows:
                continue
            done = {
                r["appointment_id"]
                for r in await AppointmentEvent.select(AppointmentEvent.appointment_id).where(
                    AppointmentEvent.appointment_id.is_in([r["id"] for r in rows])
                    # A 1-hour reminder already sent makes the 24-hour one pointless.
                    & AppointmentEvent.action.is_in(sorted({event, "reminder_1h"}))
                )
            }
            for row in rows:
                if row["id"] in done:
                    continue
                if event == "reminder_24h" and row["slot_start"] - now <= dt.timedelta(hours=1):
                    continue  # too close: the 1-hour reminder says it
                await AppointmentEvent.insert(
                    AppointmentEvent(
                        appointment_id=row["id"], status=row["status"], action=event, actor="system", at=now
                    )
                )
                await enqueue_for_appointment(row["id"], event, ref_of(row), now=now)
                sent += 1
    return sent


BookingToken = Annotated[str, HeaderParameter(name="X-Booking-Token", min_length=16, max_length=64)]


class BookingPushController(Controller):
    """The citizen's browser follows a booking: notifications without an account, through the secret link."""

    path = "/api/bookings"
    tags = ["appointments", "push"]
    guards = [public]

    @post("/{reference:str}/push-subscription", status_code=201, summary="Get notifications for this booking")
    async def subscribe(
        self,
        request: Request[Any, Any, Any],
        reference: Annotated[str, PathParameter(min_length=9, max_length=9)],
        token: BookingToken,
        data: JSONBody[SubscriptionIn],
    ) -> SubscriptionOut:
        from backend.appointments.services import by_reference

        row = await by_reference(reference, token)
        if row["consent_withdrawn_at"] is not None:
            # The citizen asked us to stop processing their data: following the booking would undo that.
            raise AppError(
                409,
                "Consent was withdrawn for this booking",
                "Ông/bà đã rút lại sự đồng ý xử lý dữ liệu cho lịch hẹn này nên không thể nhận thông báo.",
            )
        return await subscribe_for_appointment(row["id"], data, request.headers.get("user-agent", ""))
