"""Subscriptions at the edge, the outbox rules, VAPID keys and the message catalogue."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from backend.db.columns import utcnow
from backend.db.engine import write_transaction
from backend.push import outbox
from backend.push.messages import EVENTS, AppointmentRef, delivery_for, message_for, topic_for
from backend.push.outbox import PayloadTooLarge
from backend.push.schemas import PushPayload, SubscriptionIn, b64url_decode
from backend.push.vapid import keys_path, validate_subject
from tests.conftest import ROOT
from tests.helpers import bearer, login
from tests.push.conftest import Push

# --- VAPID keys --------------------------------------------------------------------------------------


def test_the_pwa_gets_the_public_key_kept_in_a_private_file(client: TestClient[Any]) -> None:
    response = client.get("/api/push/vapid-key")
    assert response.status_code == 200
    body = response.json()
    point = b64url_decode(body["public_key"])
    assert len(point) == 65 and point[0] == 4 and len(body["key_id"]) == 16
    assert stat.S_IMODE(keys_path().stat().st_mode) == 0o600


def _gandan(*args: str, var_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "GANDAN_VAR_DIR": str(var_dir), **env}
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_gandan_vapid_shows_and_rotates_keys(tmp_path: Path) -> None:
    first = _gandan("vapid", var_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert _gandan("vapid", var_dir=tmp_path).stdout == first.stdout  # created once, then kept
    rotated = _gandan("vapid", "--rotate", var_dir=tmp_path)
    assert rotated.returncode == 0 and rotated.stdout.splitlines()[0] != first.stdout.splitlines()[0]
    old_id = first.stdout.splitlines()[1].split()[-1]
    assert f"older keys still signing for old subscriptions: {old_id}" in rotated.stdout
    saved = json.loads((tmp_path / "vapid.json").read_text())
    assert len(saved["keys"]) == 2 and stat.S_IMODE((tmp_path / "vapid.json").stat().st_mode) == 0o600
    from_env = _gandan("vapid", "--rotate", var_dir=tmp_path, VAPID_PRIVATE_KEY=saved["keys"][0]["private_key"])
    assert from_env.returncode != 0 and "environment" in from_env.stderr


@pytest.mark.parametrize(
    "subject", ["mailto:admin@localhost", "https://localhost/contact", "http://gandan.vn", "hotro@gandan.vn"]
)
def test_a_vapid_subject_must_be_reachable(subject: str) -> None:
    with pytest.raises(ValueError, match="VAPID_SUBJECT"):
        validate_subject(subject)
    assert validate_subject("mailto:hotro@gandan.dongthap.gov.vn")
    assert validate_subject("https://gandan.dongthap.gov.vn/lien-he")


# --- subscriptions -----------------------------------------------------------------------------------


def test_staff_subscribe_validate_resubscribe_and_unsubscribe(client: TestClient[Any], push: Push) -> None:
    token = login(client, "canbo")["token"]
    sub = push.receiver.subscription(push.receiver.origins[0])
    good = sub.as_json(expirationTime=None, lang="en")
    bad_cases = [
        {**good, "endpoint": "http://push.example.com/x"},
        {**good, "endpoint": "ftp://push.example.com/x"},
        {**good, "keys": {"p256dh": good["keys"]["p256dh"][:40], "auth": good["keys"]["auth"]}},
        {**good, "keys": {"p256dh": good["keys"]["p256dh"], "auth": "AAAA"}},
        {**good, "keys": {"p256dh": "!!not base64!!", "auth": good["keys"]["auth"]}},
        {**good, "surprise": 1},
    ]
    for body in bad_cases:
        response = client.post("/api/push/subscriptions", json=body, headers=bearer(token))
        assert response.status_code == 400, body
    assert client.post("/api/push/subscriptions", json=good).status_code == 401
    created = client.post("/api/push/subscriptions", json=good, headers=bearer(token))
    assert created.status_code == 201 and created.json()["lang"] == "en"
    fresh = push.receiver.subscription(push.receiver.origins[0]).as_json()["keys"]
    again = client.post("/api/push/subscriptions", json={**good, "keys": fresh}, headers=bearer(token))
    assert again.status_code == 201 and again.json()["id"] == created.json()["id"]
    [row] = push.subscriptions()
    assert row["p256dh"] == fresh["p256dh"] and row["staff_user_id"] is not None
    stale = client.post("/api/push/subscriptions", json={**good, "key_id": "gone-key"}, headers=bearer(token))
    assert stale.status_code == 409
    assert client.request("DELETE", "/api/push/subscriptions", json={"endpoint": good["endpoint"]}).status_code == 204
    assert push.subscriptions() == []


def test_one_browser_can_follow_two_appointments(push: Push) -> None:
    origin = push.receiver.origins[0]
    first, sub = push.subscribe(origin)
    second = uuid.uuid4()
    push.run(lambda: outbox.subscribe_for_appointment(second, msgspec.convert(sub.as_json(), SubscriptionIn)))
    assert push.enqueue(first) == 1 and push.enqueue(second) == 1
    assert len(push.subscriptions()) == 2


def test_supervisors_see_delivery_status(client: TestClient[Any], push: Push) -> None:
    owner, _ = push.subscribe(push.receiver.origins[0])
    push.enqueue(owner)
    push.deliver()
    supervisor = bearer(login(client, "giamsat")["token"])
    sent = client.get("/api/push/messages", params={"status": "sent"}, headers=supervisor)
    assert sent.status_code == 200
    [message] = sent.json()
    assert (message["status"], message["event"], message["attempts"], message["last_status"]) == (
        "sent",
        "test",
        1,
        201,
    )
    assert client.get("/api/push/messages", params={"status": "failed"}, headers=supervisor).json() == []
    assert client.get("/api/push/messages", params={"status": "lost"}, headers=supervisor).status_code == 400
    officer = bearer(login(client, "canbo")["token"])
    assert client.get("/api/push/messages", headers=officer).status_code == 403


# --- the outbox --------------------------------------------------------------------------------------


def test_an_oversize_payload_is_refused_when_queued(push: Push) -> None:
    owner, _ = push.subscribe(push.receiver.origins[0])
    with pytest.raises(PayloadTooLarge, match="limit is 3072"):
        push.enqueue(owner, text="ư" * 1600)  # 3,200 bytes of UTF-8
    assert push.messages() == []
    assert push.enqueue(owner, text="ư" * 1000) == 1


def test_a_rolled_back_change_leaves_no_message(push: Push) -> None:
    owner, _ = push.subscribe(push.receiver.origins[0])
    payload = PushPayload(event="test", title="t", body="b")

    async def change_then_fail() -> None:
        async with write_transaction():
            await outbox.enqueue(payload=payload, topic=owner.hex, appointment_id=owner)
            raise RuntimeError("the change that caused the message failed")

    with pytest.raises(RuntimeError, match="caused the message"):
        push.run(change_then_fail)
    assert push.messages() == []


def test_enqueue_outside_a_transaction_is_a_bug(push: Push) -> None:
    owner, _ = push.subscribe(push.receiver.origins[0])
    payload = PushPayload(event="test", title="t", body="b")
    with pytest.raises(RuntimeError, match="write_transaction"):
        push.run(lambda: outbox.enqueue(payload=payload, topic=owner.hex, appointment_id=owner))
    with pytest.raises(ValueError, match="topic"):
        push.enqueue(owner, topic="not a topic!")


def test_appointment_events_reach_subscribers_in_their_language(push: Push) -> None:
    origin = push.receiver.origins[1]
    owner, _ = push.subscribe(origin, lang="vi")
    push.subscribe(origin, owner, lang="en")
    ref = AppointmentRef(
        id=owner,
        reference="K7M3-9PQ2",
        slot_start=utcnow().replace(microsecond=0) + dt.timedelta(days=1),
    )

    async def confirm() -> int:
        async with write_transaction():
            return await outbox.enqueue_for_appointment(owner, "confirmed", ref)

    assert push.run(confirm) == 2
    push.deliver()
    got = {r.payload["lang"]: r for r in push.receiver.at(origin) if r.payload}
    assert got["vi"].payload["title"] == "Lịch hẹn đã được xác nhận"  # type: ignore[index]
    assert got["en"].payload["title"] == "Appointment confirmed"  # type: ignore[index]
    assert {r.headers["Topic"] for r in got.values()} == {owner.hex}
    assert push.receiver.problems() == []


# --- the catalogue -----------------------------------------------------------------------------------


def test_every_message_is_short_local_in_time_and_impersonal() -> None:
    ref = AppointmentRef(
        id=uuid.UUID("0b6c2a52-6d0e-4f62-9f41-1f0c2b7b4a10"),
        reference="K7M3-9PQ2",
        slot_start=dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC),  # 08:30 in Đồng Tháp
        dossier_code="000.00.11.H20-261201-0001",
    )
    now = dt.datetime(2026, 11, 30, 1, 30, tzinfo=dt.UTC)
    for event in EVENTS:
        for lang in ("vi", "en"):
            payload = message_for(event, ref, lang)
            body = outbox.encode_payload(payload)
            assert len(body) < 600 and payload.lang == lang
            assert set(msgspec.json.decode(body)) <= {
                "event", "title", "body", "url", "tag", "appointment_id", "reference", "dossier_code", "lang", "v"
            }  # fmt: skip
        delivery = delivery_for(event, ref, now)
        assert 60 <= delivery.ttl_s <= 28 * 24 * 3600 and delivery.deadline <= now + dt.timedelta(days=28)
    confirmed = message_for("confirmed", ref, "vi")
    assert confirmed.body == "Cán bộ sẽ đến lúc 08:30 Thứ Ba, 01/12/2026 (mã hẹn K7M3-9PQ2)."
    assert (
        message_for("confirmed", ref, "en").body == "An officer will come at 08:30 Tue 1 Dec 2026 (booking K7M3-9PQ2)."
    )
    assert "000.00.11.H20-261201-0001" in message_for("result_ready", ref, "vi").body
    assert delivery_for("reminder_1h", ref, now).urgency == "high"
    assert topic_for(ref.id) == ref.id.hex
