"""The officer is told, by push, of every change that decides whether they go to a house: a cancellation
(withdrawn consent included), a visit taken from them (reassigned, or moved by the citizen to a time they are
out), and nothing twice for a repeated request."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.api.appointment_kit import Team, later_day, make_team, officer_token
from tests.api.appointment_kit import assign as kit_assign
from tests.api.appointment_kit import book as kit_book
from tests.helpers import bearer
from tests.push.conftest import Push
from tests.push.receiver import PushReceiver, Subscription


def follow(client: TestClient[Any], receiver: PushReceiver, officer: dict[str, str]) -> Subscription:
    """The officer turns on notifications on their tablet."""
    sub = receiver.subscription(receiver.origins[1])
    response = client.post(
        "/api/push/subscriptions", json=sub.as_json(), headers=bearer(officer_token(client, officer))
    )
    assert response.status_code == 201, response.text
    return sub


def received(receiver: PushReceiver, sub: Subscription) -> list[dict[str, Any]]:
    got = [r for r in receiver.at(sub.origin) if r.endpoint == sub.endpoint]
    assert [r.problems for r in got] == [[] for _ in got]  # VAPID verified, decrypted
    return [r.payload for r in got if r.payload is not None]


def settle(push: Push) -> None:
    """Deliver everything queued."""
    push.deliver_until(lambda: all(m["status"] in ("sent", "failed") for m in push.messages()))


def _confirmed(client: TestClient[Any], run_db: Any, officers: int = 1) -> tuple[Team, dict[str, Any]]:
    team = make_team(client, run_db, communes=1, officers=officers)
    visit = kit_book(client, team.communes[0], later_day(client, team.communes[0])[0])
    assert kit_assign(client, team.dispatcher, visit["id"], team.officer["id"]).status_code == 200
    return team, visit


def test_withdrawn_consent_on_a_confirmed_visit_tells_the_officer(
    client: TestClient[Any], run_db: Any, receiver: PushReceiver, push: Push
) -> None:
    team, visit = _confirmed(client, run_db)
    sub = follow(client, receiver, team.officer)
    response = client.post(
        f"/api/bookings/{visit['reference']}/withdraw-consent", headers={"X-Booking-Token": visit["token"]}
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    settle(push)
    (payload,) = received(receiver, sub)
    assert payload["event"] == "staff_cancelled" and payload["title"] == "Lịch hẹn đã huỷ"
    assert payload["reference"] == visit["reference"] and payload["url"] == "/staff/"
    text = str(payload)
    for personal in (visit["body"]["citizen_name"], visit["body"]["citizen_phone"], visit["body"]["address_detail"]):
        assert personal not in text


def test_withdrawn_consent_after_the_visit_tells_nobody(
    client: TestClient[Any], run_db: Any, receiver: PushReceiver, push: Push
) -> None:
    """A visit already done is not cancelled by withdrawing consent (only the data is erased): no alarm."""
    team, visit = _confirmed(client, run_db)
    for status in ("on_the_way", "arrived", "done"):
        moved = client.post(
            f"/api/staff/appointments/{visit['id']}/status",
            json={"status": status},
            headers=bearer(officer_token(client, team.officer)),
        )
        assert moved.status_code == 200, moved.text
    sub = follow(client, receiver, team.officer)
    response = client.post(
        f"/api/bookings/{visit['reference']}/withdraw-consent", headers={"X-Booking-Token": visit["token"]}
    )
    assert response.status_code == 200 and response.json()["status"] == "done"
    settle(push)
    assert received(receiver, sub) == []


def test_an_officer_whose_visit_is_given_to_another_is_told(
    client: TestClient[Any], run_db: Any, receiver: PushReceiver, push: Push
) -> None:
    team, visit = _confirmed(client, run_db, officers=2)
    first, second = follow(client, receiver, team.officers[0]), follow(client, receiver, team.officers[1])
    response = kit_assign(client, team.dispatcher, visit["id"], team.officers[1]["id"])
    assert response.status_code == 200, response.text
    settle(push)
    assert [p["event"] for p in received(receiver, first)] == ["staff_unassigned"]
    assert [p["event"] for p in received(receiver, second)] == ["staff_assigned"]
    assert received(receiver, first)[0]["title"] == "Lịch hẹn không còn giao cho bạn"


def test_a_citizen_move_that_sends_the_visit_back_to_dispatch_tells_the_officer(
    client: TestClient[Any], run_db: Any, receiver: PushReceiver, push: Push
) -> None:
    team = make_team(client, run_db, communes=2)
    x, y = team.communes
    day = later_day(client, x, y)
    first, second = kit_book(client, x, day[0]), kit_book(client, y, day[-1])
    for visit in (first, second):
        assert kit_assign(client, team.dispatcher, visit["id"], team.officer["id"]).status_code == 200
    sub = follow(client, receiver, team.officer)
    moved = client.post(
        f"/api/bookings/{second['reference']}/reschedule",
        json={"slot_start": first["slot_start"]},
        headers={"X-Booking-Token": second["token"]},
    )
    assert moved.status_code == 200 and moved.json()["status"] == "requested"
    settle(push)
    assert [(p["event"], p["reference"]) for p in received(receiver, sub)] == [
        ("staff_unassigned", second["reference"])
    ]


def test_a_repeated_assignment_notifies_once(
    client: TestClient[Any], run_db: Any, receiver: PushReceiver, push: Push
) -> None:
    team = make_team(client, run_db, communes=1)
    visit = kit_book(client, team.communes[0], later_day(client, team.communes[0])[0])
    sub = follow(client, receiver, team.officer)
    for _ in range(3):  # a double (triple) click
        assert kit_assign(client, team.dispatcher, visit["id"], team.officer["id"]).status_code == 200
    settle(push)
    assert [p["event"] for p in received(receiver, sub)] == ["staff_assigned"]
