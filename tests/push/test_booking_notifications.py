"""A citizen's browser follows a booking through its secret link and is told what happens, end to end."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from typing import Any

from litestar.testing import TestClient

from backend.appointments.notifications import due_reminders
from backend.appointments.tables import Appointment
from backend.db.columns import utcnow
from tests.helpers import assign_officer, bearer, booking_body, free_slots, login
from tests.push.conftest import Push
from tests.push.receiver import PushReceiver

MY_TRA = "29888"


def book_and_follow(client: TestClient[Any], receiver: PushReceiver, lang: str = "vi") -> tuple[dict[str, Any], Any]:
    slot = random.choice(free_slots(client, MY_TRA, "receive_dossier"))
    body = booking_body(MY_TRA, slot, language=lang)
    created = client.post("/api/bookings/", json=body).json()
    sub = receiver.subscription(receiver.origins[0])
    response = client.post(
        f"/api/bookings/{created['reference']}/push-subscription",
        json=sub.as_json(lang=lang),
        headers={"X-Booking-Token": body["token"]},
    )
    assert response.status_code == 201, response.text
    return {
        **created,
        "token": body["token"],
        "citizen_name": body["citizen_name"],
        "phone": body["citizen_phone"],
    }, sub


def test_dispatcher_confirmation_reaches_the_citizen_decrypted(
    client: TestClient[Any], receiver: PushReceiver, push: Push
) -> None:
    booking, sub = book_and_follow(client, receiver)
    dispatcher = login(client, "dieuphoi")["token"]
    officers = client.get("/api/staff/officers/", params={"commune_id": MY_TRA}, headers=bearer(dispatcher)).json()
    assigned = assign_officer(client, dispatcher, booking["id"], officers[0]["id"], MY_TRA)
    assert assigned.status_code == 200, assigned.text
    push.deliver_until(lambda: len(receiver.at(sub.origin)) >= 1)
    received = receiver.at(sub.origin)
    assert [r.problems for r in received] == [[]]  # VAPID verified, headers right, decrypted
    payload = received[0].payload
    assert payload is not None
    assert payload["event"] == "confirmed" and payload["reference"] == booking["reference"]
    assert payload["url"] == f"/lich-hen/{booking['reference']}"
    assert payload["title"] == "Lịch hẹn đã được xác nhận" and booking["reference"] in payload["body"]
    text = str(payload)
    assert booking["citizen_name"] not in text and booking["phone"] not in text and booking["token"] not in text


def test_english_subscribers_get_english(client: TestClient[Any], receiver: PushReceiver, push: Push) -> None:
    booking, sub = book_and_follow(client, receiver, lang="en")
    response = client.post(
        f"/api/bookings/{booking['reference']}/cancel",
        json={"reason": ""},
        headers={"X-Booking-Token": booking["token"]},
    )
    assert response.status_code == 200
    push.deliver_until(lambda: len(receiver.at(sub.origin)) >= 1)
    payload = receiver.at(sub.origin)[0].payload
    assert payload is not None and payload["event"] == "cancelled" and payload["lang"] == "en"


def test_reminders_are_queued_once_and_at_the_right_moment(
    client: TestClient[Any], receiver: PushReceiver, push: Push
) -> None:
    booking, _ = book_and_follow(client, receiver)
    now = utcnow()
    visit = now + dt.timedelta(hours=20)

    async def confirm_for(at: dt.datetime) -> None:
        await Appointment.update(
            {
                Appointment.status: "confirmed",
                Appointment.slot_start: at,
                Appointment.slot_end: at + dt.timedelta(minutes=45),
            }
        ).where(Appointment.id == uuid.UUID(booking["id"]))

    push.run(lambda: confirm_for(visit))
    assert push.run(lambda: due_reminders(now)) >= 1
    assert push.run(lambda: due_reminders(now)) == 0  # a second scan (or another worker) sends nothing more
    assert push.run(lambda: due_reminders(visit - dt.timedelta(minutes=50))) >= 1  # the 1-hour one
    payloads = [json.loads(m["payload"]) for m in push.messages()]
    events = [p["event"] for p in payloads if p["appointment_id"] == booking["id"]]
    assert sorted(events) == ["reminder_1h", "reminder_24h"]


def test_subscribing_needs_the_booking_secret(client: TestClient[Any], receiver: PushReceiver) -> None:
    slot = random.choice(free_slots(client, MY_TRA, "receive_dossier"))
    created = client.post("/api/bookings/", json=booking_body(MY_TRA, slot)).json()
    sub = receiver.subscription(receiver.origins[0])
    response = client.post(
        f"/api/bookings/{created['reference']}/push-subscription",
        json=sub.as_json(),
        headers={"X-Booking-Token": "z" * 43},
    )
    assert response.status_code == 404


def test_withdrawing_consent_stops_notifications(client: TestClient[Any], receiver: PushReceiver, push: Push) -> None:
    booking, _ = book_and_follow(client, receiver)
    response = client.post(
        f"/api/bookings/{booking['reference']}/withdraw-consent", headers={"X-Booking-Token": booking["token"]}
    )
    assert response.status_code == 200
    assert [s for s in push.subscriptions() if s["appointment_id"] == uuid.UUID(booking["id"])] == []
    again = client.post(
        f"/api/bookings/{booking['reference']}/push-subscription",
        json=receiver.subscription(receiver.origins[0]).as_json(),
        headers={"X-Booking-Token": booking["token"]},
    )
    assert again.status_code == 409  # withdrawn consent cannot be undone by a stale page


def test_the_assigned_officer_is_told_too(client: TestClient[Any], receiver: PushReceiver, push: Push) -> None:
    booking, _ = book_and_follow(client, receiver)
    officer = login(client, "canbo")
    sub = receiver.subscription(receiver.origins[1])
    subscribed = client.post("/api/push/subscriptions", json=sub.as_json(), headers=bearer(officer["token"]))
    assert subscribed.status_code == 201, subscribed.text
    dispatcher = login(client, "dieuphoi")["token"]
    assert assign_officer(client, dispatcher, booking["id"], officer["user"]["id"], MY_TRA).status_code == 200
    push.deliver_until(lambda: len(receiver.at(sub.origin)) >= 1)
    payload = receiver.at(sub.origin)[0].payload
    assert payload is not None and payload["event"] == "staff_assigned" and payload["url"] == "/staff/"
    assert booking["citizen_name"] not in str(payload)
