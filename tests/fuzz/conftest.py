"""The API fuzzer's world: its own staff users, device sessions, bookings, files and push keys, made once.

Nothing here touches the demo users or the demo communes: the fuzzer logs in wrongly, books, cancels, revokes and
logs out as much as it likes without locking out, filling the slots of, or revoking anything another test uses.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.helpers import bearer, booking_body, free_slots

# Its own communes: the fuzzer's bookings fill slots no other test counts on.
FUZZ_COMMUNES = ["28249", "28261"]  # Phường Đạo Thạnh, Phường Mỹ Tho
FUZZ_PASSWORD = "fuzz-password-2026"
# username: (role, communes); None = every commune, as for the demo admin
FUZZ_USERS: dict[str, tuple[str, list[str] | None]] = {
    "fuzz-canbo": ("officer", FUZZ_COMMUNES),
    "fuzz-dieuphoi": ("dispatcher", FUZZ_COMMUNES),
    "fuzz-giamsat": ("supervisor", FUZZ_COMMUNES),
    "fuzz-quantri": ("admin", None),
}
# The address the fuzzer's sessions log in from (through the service, not the API): the fuzzer's own failed logins,
# which come from the test client's address, never throttle them.
SETUP_IP = "192.0.2.77"

# (operation, status) -> number of answers, reported at the end of the run (pytest_terminal_summary).
STATS: Counter[tuple[str, int]] = Counter()


@dataclass
class Booking:
    id: str
    reference: str
    token: str


@dataclass
class World:
    """What the fuzzer may put in place of a generated value, so that cases reach past "not found"."""

    client: TestClient[Any]
    tokens: dict[str, str] = field(default_factory=dict)  # role -> bearer token
    devices: dict[str, str] = field(default_factory=dict)  # role -> device id of that session
    user_ids: list[uuid.UUID] = field(default_factory=list)
    officer_id: str = ""
    bookings: list[Booking] = field(default_factory=list)  # for operations that leave a booking open
    doomed: list[Booking] = field(default_factory=list)  # for cancelling, withdrawing consent, ending a visit
    slots: list[str] = field(default_factory=list)
    procedures: list[str] = field(default_factory=list)
    victim_devices: list[str] = field(default_factory=list)  # devices the fuzzer may revoke
    files: list[str] = field(default_factory=list)  # SHA-256 of a complete and of a partial upload
    push_keys: dict[str, str] = field(default_factory=dict)
    versions: dict[str, list[int]] = field(default_factory=dict)  # "protocol" / "schema" -> supported
    entities: list[str] = field(default_factory=list)

    def bookings_for(self, path: str) -> list[Booking]:
        """Bookings that an operation may use: the ones it may close are not those the others need open."""
        closes = path.endswith(("/cancel", "/withdraw-consent", "/status"))
        return self.doomed if closes else self.bookings

    def login(self, role: str) -> tuple[str, str]:
        """A new device session of the fuzzer's user with this role: (token, device id)."""
        from backend.accounts import services

        username = next(name for name, (r, _) in FUZZ_USERS.items() if r == role)
        device_id = uuid.uuid4()
        token, _ = self.client.blocking_portal.call(
            lambda: services.login(username, FUZZ_PASSWORD, device_id, "fuzz", "fuzz", SETUP_IP)
        )
        return token, str(device_id)


WORLD: dict[str, World] = {}


def _push_keys() -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    return {"p256dh": b64(point), "auth": b64(secrets.token_bytes(16))}


def _upload(client: TestClient[Any], token: str, content: bytes, send: int) -> str:
    sha = hashlib.sha256(content).hexdigest()
    response = client.put(
        f"/api/sync/attachments/{sha}",
        params={"offset": 0, "total": len(content)},
        content=content[:send],
        headers={**bearer(token), "content-type": "application/octet-stream", "x-content-type": "image/png"},
    )
    assert response.status_code == 200, response.text
    return sha


async def _forget_push(world: World) -> None:
    """The push subscriptions the fuzzer made (of its users, of bookings in its communes) and their messages: no
    worker of a later test is to try to deliver them."""
    from backend.appointments.tables import Appointment
    from backend.push.tables import PushAttempt, PushMessage, PushSubscription

    bookings = [
        r["id"] for r in await Appointment.select(Appointment.id).where(Appointment.commune_id.is_in(FUZZ_COMMUNES))
    ]
    owned = PushSubscription.staff_user_id.is_in(world.user_ids)
    if bookings:
        owned = owned | PushSubscription.appointment_id.is_in(bookings)
    subscriptions = [r["id"] for r in await PushSubscription.select(PushSubscription.id).where(owned)]
    if not subscriptions:
        return
    messages = [
        r["id"]
        for r in await PushMessage.select(PushMessage.id).where(PushMessage.subscription_id.is_in(subscriptions))
    ]
    if messages:
        await PushAttempt.delete().where(PushAttempt.message_id.is_in(messages))
        await PushMessage.delete().where(PushMessage.id.is_in(messages))
    await PushSubscription.delete().where(PushSubscription.id.is_in(subscriptions))


@pytest.fixture(scope="session")
def fuzz_world(client: TestClient[Any]) -> Iterator[World]:
    from backend.accounts.services import create_user
    from backend.catalog.tables import AdminUnit

    world = World(client=client)

    async def make_users() -> dict[str, uuid.UUID]:
        every = sorted(r["code"] for r in await AdminUnit.select(AdminUnit.code).where(AdminUnit.level == "commune"))
        return {
            role: await create_user(username, f"Fuzz {role}", role, communes or every, FUZZ_PASSWORD)
            for username, (role, communes) in FUZZ_USERS.items()
        }

    users = client.blocking_portal.call(make_users)
    world.user_ids = list(users.values())
    world.officer_id = str(users["officer"])
    for role in ("officer", "dispatcher", "supervisor", "admin"):
        world.tokens[role], world.devices[role] = world.login(role)
    world.victim_devices = [world.login("officer")[1]]

    procedures = client.get("/api/procedures", params={"limit": 500}).json()
    world.procedures = [p["code"] for p in procedures if "receive_dossier" in p["visit_kinds"]][:3]
    for kept in [world.bookings] * 3 + [world.doomed] * 3:
        slots = free_slots(client, FUZZ_COMMUNES[0])  # visits last longer than the step between slots: ask again
        if not slots:
            break
        body = booking_body(FUZZ_COMMUNES[0], slots[0], procedure_code=world.procedures[0])
        response = client.post("/api/bookings", json=body)
        assert response.status_code == 201, response.text
        created = response.json()
        kept.append(Booking(id=created["id"], reference=created["reference"], token=created["token"]))
    world.slots = free_slots(client, FUZZ_COMMUNES[0])[:20]
    for booking in [*world.bookings[:1], *world.doomed[:2]]:  # confirmed, so that an officer's visit can go on
        client.post(
            f"/api/staff/appointments/{booking.id}/assign",
            json={"officer_id": world.officer_id},
            headers=bearer(world.tokens["dispatcher"]),
        )

    world.files = [
        _upload(client, world.tokens["officer"], b"\x89PNG fuzz " + secrets.token_bytes(8), send=18),
        _upload(client, world.tokens["officer"], b"fuzz partial " + secrets.token_bytes(8), send=5),
    ]
    world.push_keys = _push_keys()
    info = client.get("/api/sync/info", headers=bearer(world.tokens["officer"])).json()
    for name in ("protocol", "schema"):
        world.versions[name] = list(range(info["versions"][name]["min"], info["versions"][name]["max"] + 1))
    world.entities = info["entities"]
    WORLD["world"] = world
    yield world
    WORLD.clear()
    client.blocking_portal.call(lambda: _forget_push(world))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not STATS:
        return
    terminalreporter.section("API fuzzer: answers by operation")
    operations = sorted({op for op, _ in STATS})
    for op in operations:
        counts = {status: n for (o, status), n in sorted(STATS.items()) if o == op}
        terminalreporter.write_line(f"{op:64} {sum(counts.values()):5}  {counts}")
    documented = {op.split(" (sent as")[0] for op in operations}
    failures = sum(n for (_, status), n in STATS.items() if status >= 500)
    terminalreporter.write_line(
        f"{len(documented)} operations, {sum(STATS.values())} requests "
        f"(other methods included, as sent by the coverage phase), {failures} answers 5xx"
    )
