"""Push subscriptions at the edge: keys a browser could have made, endpoints a push service could have, and
`old_endpoint` moving only the caller's own subscription."""

from __future__ import annotations

import random
import uuid
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from backend.push import outbox
from backend.push.schemas import SubscriptionIn, b64url_encode, endpoint_problem
from backend.push.tables import PushSubscription
from backend.push.vapid import load_keyring
from tests.helpers import bearer, booking_body, free_slots, login
from tests.push.conftest import Push

MY_TRA = "29888"
# 65 bytes that start like an uncompressed point but are not on P-256: (1, 1) is not a solution of the curve.
OFF_CURVE = b"\x04" + (1).to_bytes(32, "big") + (1).to_bytes(32, "big")
BEYOND_FIELD = b"\x04" + b"\xff" * 64  # coordinates larger than the field's prime


def _book(client: TestClient[Any]) -> tuple[str, str, str]:
    """A fresh booking: (reference, token, appointment id)."""
    body = booking_body(MY_TRA, random.choice(free_slots(client, MY_TRA)))
    created = client.post("/api/bookings", json=body)
    assert created.status_code == 201, created.text
    return created.json()["reference"], body["token"], created.json()["id"]


def _follow(client: TestClient[Any], reference: str, token: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/bookings/{reference}/push-subscription", json=body, headers={"X-Booking-Token": token})


@pytest.mark.parametrize(
    ("p256dh", "auth", "problem"),
    [
        (OFF_CURVE, bytes(16), "not a point on the P-256 curve"),
        (BEYOND_FIELD, bytes(16), "not a point on the P-256 curve"),
        (b"\x02" + bytes(32), bytes(16), "uncompressed P-256 point"),  # compressed form
        (b"\x05" + OFF_CURVE[1:], bytes(16), "uncompressed P-256 point"),
        (None, bytes(15), "keys.auth must be 16 bytes"),
        (None, bytes(17), "keys.auth must be 16 bytes"),
    ],
    ids=["off-curve", "beyond-field", "compressed", "bad-prefix", "auth-15", "auth-17"],
)
def test_keys_no_browser_could_make_are_refused_on_both_routes(
    client: TestClient[Any], push: Push, p256dh: bytes | None, auth: bytes, problem: str
) -> None:
    sub = push.receiver.subscription(push.receiver.origins[0]).as_json()
    keys = {
        "p256dh": sub["keys"]["p256dh"] if p256dh is None else b64url_encode(p256dh),
        "auth": b64url_encode(auth),
    }
    body = {**sub, "keys": keys}
    officer = bearer(login(client, "canbo")["token"])
    reference, token, _ = _book(client)
    for response in (
        client.post("/api/push/subscriptions", json=body, headers=officer),
        _follow(client, reference, token, body),
    ):
        assert response.status_code == 400, response.text
        assert problem in response.json()["detail"]
        assert "không hợp lệ" in response.json()["detail_vi"]
    assert push.subscriptions() == []


@pytest.mark.parametrize(
    ("env", "endpoint", "accepted"),
    [
        ("production", "https://fcm.googleapis.com/fcm/send/abc123", True),
        ("production", "https://web.push.apple.com/QGx9", True),
        ("production", "http://fcm.googleapis.com/fcm/send/abc123", False),
        ("production", "http://127.0.0.1:8123/push/x", False),
        ("production", "https://127.0.0.1/push/x", False),
        ("production", "https://localhost/push/x", False),
        ("production", "https://[::1]/push/x", False),
        ("production", "https://10.1.2.3/push/x", False),
        ("production", "https://169.254.169.254/latest/meta-data", False),
        ("production", "https://192.168.1.10/push/x", False),
        ("production", "https://user:pw@fcm.googleapis.com/fcm/send/x", False),
        ("production", "https://fcm.googleapis.com/fcm/send/a b", False),
        ("production", "https://fcm.googleapis.com:99999/x", False),
        ("production", "/relative/only", False),
        ("test", "http://127.0.0.1:8123/push/x", True),
        ("test", "http://localhost:8123/push/x", True),
        ("development", "http://[::1]:8123/push/x", True),
        ("test", "http://192.168.1.10/push/x", False),
        ("test", "ftp://127.0.0.1/push/x", False),
    ],
)
def test_endpoint_rules(monkeypatch: pytest.MonkeyPatch, env: str, endpoint: str, accepted: bool) -> None:
    """https to a public host always; plain http only to loopback in test and development (the module's rule)."""
    monkeypatch.setenv("GANDAN_ENV", env)
    assert (endpoint_problem(endpoint) is None) == accepted


def test_a_citizen_naming_an_officers_endpoint_does_not_take_it(client: TestClient[Any], push: Push) -> None:
    origin = push.receiver.origins[0]
    officer_browser = push.receiver.subscription(origin)
    officer = bearer(login(client, "canbo")["token"])
    created = client.post("/api/push/subscriptions", json=officer_browser.as_json(), headers=officer)
    assert created.status_code == 201, created.text
    [before] = push.subscriptions()

    reference, token, appointment = _book(client)
    citizen_browser = push.receiver.subscription(origin)
    moved = _follow(client, reference, token, citizen_browser.as_json(old_endpoint=officer_browser.endpoint))
    assert moved.status_code == 201, moved.text
    # The citizen may even claim the officer's endpoint itself, with keys of its own.
    stranger = push.receiver.subscription(origin)
    claimed = _follow(client, reference, token, {**stranger.as_json(), "endpoint": officer_browser.endpoint})
    assert claimed.status_code == 201, claimed.text

    rows = {(str(r["staff_user_id"]), str(r["appointment_id"]), r["endpoint"]): r for r in push.subscriptions()}
    officer_row = rows[(str(before["staff_user_id"]), "None", officer_browser.endpoint)]
    assert officer_row["id"] == before["id"]
    assert (officer_row["p256dh"], officer_row["auth"]) == (before["p256dh"], before["auth"])
    assert ("None", appointment, citizen_browser.endpoint) in rows
    assert len(rows) == 3  # the officer's, and the citizen's two


def test_the_callers_own_subscription_follows_the_new_endpoint(client: TestClient[Any], push: Push) -> None:
    origin = push.receiver.origins[0]
    old, new = push.receiver.subscription(origin), push.receiver.subscription(origin)
    first, first_token, first_id = _book(client)
    second, second_token, second_id = _book(client)
    for reference, token in ((first, first_token), (second, second_token)):
        assert _follow(client, reference, token, old.as_json()).status_code == 201

    moved = _follow(client, first, first_token, new.as_json(old_endpoint=old.endpoint))
    assert moved.status_code == 201, moved.text
    where = {str(r["appointment_id"]): r["endpoint"] for r in push.subscriptions()}
    assert where == {first_id: new.endpoint, second_id: old.endpoint}  # the other follow moves with its own call
    assert _follow(client, second, second_token, new.as_json(old_endpoint=old.endpoint)).status_code == 201
    assert {r["endpoint"] for r in push.subscriptions()} == {new.endpoint}
    assert len(push.subscriptions()) == 2

    officer = bearer(login(client, "canbo2")["token"])
    staff_old, staff_new = push.receiver.subscription(origin), push.receiver.subscription(origin)
    assert client.post("/api/push/subscriptions", json=staff_old.as_json(), headers=officer).status_code == 201
    again = client.post(
        "/api/push/subscriptions", json=staff_new.as_json(old_endpoint=staff_old.endpoint), headers=officer
    )
    assert again.status_code == 201
    staff_rows = [r for r in push.subscriptions() if r["staff_user_id"] is not None]
    assert [r["endpoint"] for r in staff_rows] == [staff_new.endpoint]


def test_the_worker_fails_a_message_to_unusable_keys_once_without_crashing(push: Push) -> None:
    """Rows stored before the edge checked keys: the message fails for good, nothing is sent, no retry loop."""
    origin = push.receiver.origins[0]
    owner = uuid.uuid4()
    endpoint = push.receiver.subscription(origin).endpoint
    legacy = PushSubscription(
        id=uuid.uuid4(),
        owner_key=outbox._owner_key("appointment", owner, endpoint),
        endpoint=endpoint,
        p256dh=b64url_encode(OFF_CURVE),
        auth=b64url_encode(bytes(16)),
        key_id=load_keyring().current.key_id,
        appointment_id=owner,
    )
    push.run(lambda: PushSubscription.insert(legacy).run())
    assert push.enqueue(owner) == 1
    [outcome] = push.deliver()
    assert outcome.status == "failed" and "keys are unusable" in outcome.error
    [message] = push.messages()
    assert message["status"] == "failed" and message["next_attempt_at"] is None
    assert push.receiver.at(origin) == []
    assert push.deliver() == []  # nothing left to claim


def test_a_valid_subscription_still_converts() -> None:
    """The browser's own PushSubscription.toJSON() shape, with a real key, passes the edge."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    body = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
        "expirationTime": None,
        "keys": {"p256dh": b64url_encode(point), "auth": b64url_encode(bytes(16))},
    }
    assert msgspec.convert(body, SubscriptionIn).keys.p256dh == body["keys"]["p256dh"]
