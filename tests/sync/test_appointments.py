"""Appointments as a synced entity: REST changes are pulled by officers' tablets, officers push status
updates from the field under the state machine, and a dispatcher's change meets an offline update as a
conflict that keeps both sides."""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from backend.accounts.tables import AuditLog
from backend.appointments import services
from backend.appointments.tables import Appointment, AppointmentEvent, LetterTask
from backend.core.errors import AppError
from backend.db.engine import write_transaction
from backend.syncapi.services import get_sync_engine, writer_of
from sync.engine import Actor
from sync.messages import PullRequest
from tests.conftest import IS_POSTGRES
from tests.helpers import assign_officer, bearer, booking_body, free_slots, login
from tests.sync.kit import CAO_LANH, MY_TRA, Device

WIRE_FIELDS = {
    "id",
    "commune_id",
    "reference",
    "status",
    "status_reason",
    "dossier_code",
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
    "version",
    "updated_at",
}


@pytest.fixture(scope="module")
def staff(client: TestClient[Any]) -> dict[str, Any]:
    dispatcher = login(client, "dieuphoi")["token"]
    officers = client.get("/api/staff/officers/", headers=bearer(dispatcher)).json()
    by_name = {o["full_name"]: o["id"] for o in officers}
    return {
        "dispatcher": dispatcher,
        "supervisor": login(client, "giamsat")["token"],
        "canbo": by_name["Nguyễn Văn An"],  # Cao Lãnh and Mỹ Trà
        "canbo2": by_name["Lê Thị Bích"],  # Cao Lãnh only
    }


def book(client: TestClient[Any], commune: str) -> tuple[dict[str, Any], dict[str, Any]]:
    body = booking_body(commune, random.choice(free_slots(client, commune)))
    response = client.post("/api/bookings/", json=body)
    assert response.status_code == 201, response.text
    return body, response.json()


def assign(client: TestClient[Any], staff: dict[str, Any], appointment_id: str, officer: str) -> dict[str, Any]:
    commune = client.get(f"/api/staff/appointments/{appointment_id}", headers=bearer(staff["dispatcher"])).json()
    response = assign_officer(client, staff["dispatcher"], appointment_id, staff[officer], commune["commune_id"])
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    return out


def booked_and_assigned(
    client: TestClient[Any], staff: dict[str, Any], commune: str = MY_TRA, officer: str = "canbo"
) -> tuple[dict[str, Any], uuid.UUID]:
    body, created = book(client, commune)
    assign(client, staff, created["id"], officer)
    return {**body, "reference": created["reference"]}, uuid.UUID(created["id"])


def citizen_view(client: TestClient[Any], booking: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/api/bookings/{booking['reference']}", headers={"X-Booking-Token": booking["token"]})
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    return out


def set_status(device: Device, appointment_id: uuid.UUID, base_version: int, **changed: Any) -> None:
    device.update("appointment", appointment_id, changed, base_version=base_version)


def test_officer_pulls_the_assigned_visit_and_reports_it_done(
    client: TestClient[Any], run_db: Any, staff: dict[str, Any]
) -> None:
    booking, aid = booked_and_assigned(client, staff)
    canbo, canbo2 = Device(client, "canbo"), Device(client, "canbo2")
    canbo.pull()
    canbo2.pull()
    row = canbo.row("appointment", aid)
    assert row is not None and set(row) == WIRE_FIELDS  # nothing secret: no token_hash, client_hash, consent
    assert row["status"] == "confirmed" and row["officer_id"] == staff["canbo"]
    assert row["reference"] == booking["reference"] and row["citizen_name"] == booking["citizen_name"]
    assert row["commune_id"] == MY_TRA and row["kind"] == "receive_dossier"
    assert canbo2.row("appointment", aid) is None  # Mỹ Trà is not canbo2's
    assert not [k for k, v in canbo2.rows.items() if k[0] == "appointment" and v["commune_id"] == MY_TRA]

    base = row["version"]
    set_status(canbo, aid, base, status="on_the_way")
    set_status(canbo, aid, base, status="arrived")
    set_status(canbo, aid, base, status="done", dossier_code="HS-2026-000123")
    results = canbo.push()["results"]
    assert [r["status"] for r in results] == ["applied"] * 3, results
    versions = [r["version"] for r in results]
    assert versions == sorted(versions) and versions[0] > base

    shown = citizen_view(client, booking)
    assert shown["status"] == "done" and shown["status_vi"] == "Đã hoàn thành"
    assert shown["dossier_code"] == "HS-2026-000123"
    assert [h["action"] for h in shown["history"]] == ["created", "assigned", "on_the_way", "arrived", "done"]
    audited = run_db(
        lambda: (
            AuditLog.select(AuditLog.action, AuditLog.actor_device)
            .where(AuditLog.entity_id == str(aid))
            .order_by(AuditLog.id)
            .run()
        )
    )
    assert [a["action"] for a in audited] == ["create", "assigned", "on_the_way", "arrived", "done"]
    assert {a["actor_device"] for a in audited[2:]} == {canbo.device_id}

    canbo.pull()
    canbo2.pull()
    pulled = canbo.row("appointment", aid)
    assert pulled is not None and pulled["status"] == "done" and pulled["version"] == versions[-1]
    assert canbo2.row("appointment", aid) is None
    staff_view = client.get(f"/api/staff/appointments/{aid}", headers=bearer(staff["dispatcher"])).json()
    assert staff_view["status"] == "done" and staff_view["version"] == versions[-1]


def test_every_rest_change_reaches_the_tablet(client: TestClient[Any], staff: dict[str, Any]) -> None:
    canbo = Device(client, "canbo")
    canbo.pull()
    booking, created = book(client, CAO_LANH)
    aid = uuid.UUID(created["id"])
    canbo.pull()
    requested = canbo.row("appointment", aid)
    assert requested is not None and requested["status"] == "requested" and requested["officer_id"] is None
    assign(client, staff, created["id"], "canbo")
    canbo.pull()
    assert canbo.row("appointment", aid)["status"] == "confirmed"  # type: ignore[index]
    other = next(s for s in free_slots(client, CAO_LANH) if s != booking["slot_start"])
    moved = client.post(
        f"/api/staff/appointments/{aid}/reschedule", json={"slot_start": other}, headers=bearer(staff["dispatcher"])
    )
    assert moved.status_code == 200, moved.text
    pages = canbo.pull()
    changes = [c for p in pages for c in p["changes"] if c["id"] == str(aid)]
    assert len(changes) == 1 and changes[0]["data"]["slot_start"] == moved.json()["slot_start"]
    withdrawn = client.post(
        f"/api/bookings/{created['reference']}/withdraw-consent", headers={"X-Booking-Token": booking["token"]}
    )
    assert withdrawn.status_code == 200
    canbo.pull()
    erased = canbo.row("appointment", aid)
    assert erased is not None and erased["status"] == "cancelled"
    assert erased["citizen_phone"] == "" and erased["citizen_name"] == "(đã xoá)"
    assert booking["citizen_phone"] not in str(erased)


def test_refused_updates_are_stored_and_do_not_block_the_queue(
    client: TestClient[Any], run_db: Any, staff: dict[str, Any]
) -> None:
    _, mine = booked_and_assigned(client, staff, MY_TRA, "canbo")
    _, theirs = booked_and_assigned(client, staff, CAO_LANH, "canbo2")  # canbo serves Cao Lãnh too
    canbo = Device(client, "canbo")
    canbo.pull()
    base = canbo.row("appointment", mine)["version"]  # type: ignore[index]
    theirs_base = canbo.row("appointment", theirs)["version"]  # type: ignore[index]
    set_status(canbo, mine, base, status="done")  # confirmed → done skips the visit
    set_status(canbo, theirs, theirs_base, status="on_the_way")  # not assigned to canbo
    set_status(canbo, mine, base, status="cancelled", status_reason="bận")  # the dispatcher's decision
    set_status(canbo, mine, base, status="on_the_way")
    set_status(canbo, mine, base, status="missed_by_agency")  # needs a reason
    set_status(canbo, mine, base, status="missed_by_agency", status_reason="Xe hỏng giữa đường")
    canbo.mutation("create", "appointment", uuid.uuid4(), {"commune_id": MY_TRA, "status": "requested"})
    canbo.mutation("delete", "appointment", mine)
    batch = list(canbo.queue)
    body = canbo.push()
    got = [(r["status"], r["reason"]) for r in body["results"]]
    assert got == [
        ("rejected", "invalid_transition"),
        ("rejected", "not_assigned"),
        ("rejected", "not_allowed"),
        ("applied", None),
        ("rejected", "reason_required"),
        ("applied", None),
        ("rejected", "not_allowed"),
        ("rejected", "not_allowed"),
    ]
    assert "Không thể chuyển lịch hẹn" in body["results"][0]["detail"]
    assert body["last_seq"] == canbo.seq and not canbo.queue

    again = canbo.push_raw(batch).json()  # the same batch once more (a lost response): nothing changes
    assert again["results"] == body["results"]

    rejected = client.get("/api/sync/rejected", headers=canbo.headers).json()
    mine_rejected = {r["mutation_id"]: r for r in rejected if r["client_id"] == str(canbo.device_id)}
    assert len(mine_rejected) == 6
    first = mine_rejected[batch[0]["id"]]
    assert first["reason"] == "invalid_transition" and first["payload"]["changed"] == {"status": "done"}
    supervisor_view = client.get("/api/sync/rejected", headers=bearer(staff["supervisor"])).json()
    assert batch[1]["id"] in {r["mutation_id"] for r in supervisor_view}

    tasks = run_db(lambda: LetterTask.select().where(LetterTask.appointment_id == mine).run())
    assert [(t["kind"], t["reason"]) for t in tasks] == [("apology", "Xe hỏng giữa đường")]
    stored = run_db(lambda: Appointment.select(Appointment.status).where(Appointment.id == theirs).first().run())
    assert stored["status"] == "confirmed"
    events = run_db(
        lambda: AppointmentEvent.select(AppointmentEvent.action).where(AppointmentEvent.appointment_id == mine).run()
    )
    assert [e["action"] for e in events] == ["created", "assigned", "on_the_way", "missed_by_agency"]


def test_a_dispatcher_cancel_meets_an_offline_done_as_one_conflict(
    client: TestClient[Any], run_db: Any, staff: dict[str, Any]
) -> None:
    booking, aid = booked_and_assigned(client, staff)
    canbo = Device(client, "canbo")
    canbo.pull()
    base = canbo.row("appointment", aid)["version"]  # type: ignore[index]
    # The tablet is offline; meanwhile the citizen calls the hotline and the dispatcher cancels.
    cancelled = client.post(
        f"/api/staff/appointments/{aid}/cancel",
        json={"reason": "Công dân gọi 1022 xin huỷ"},
        headers=bearer(staff["dispatcher"]),
    )
    assert cancelled.status_code == 200, cancelled.text
    for status in ("on_the_way", "arrived", "done"):
        canbo.update("appointment", aid, {"status": status}, base_version=base, base={"status": "confirmed"})
    results = canbo.push()["results"]
    assert {r["status"] for r in results} == {"conflict"}
    conflict_ids = {cid for r in results for cid in r["conflict_ids"]}
    assert len(conflict_ids) == 1  # one question for a person: the officer's latest word against the cancel
    (cid,) = conflict_ids

    # No silent overwrite: the dispatcher's cancel stays live for everyone until a person decides.
    assert citizen_view(client, booking)["status"] == "cancelled"
    canbo.pull()
    assert canbo.row("appointment", aid)["status"] == "cancelled"  # type: ignore[index]
    (pulled,) = canbo.conflicts(aid)
    assert pulled["id"] == cid and pulled["field"] == "status" and pulled["resolved_at"] is None
    assert (pulled["base_value"], pulled["server_value"], pulled["client_value"]) == ("confirmed", "cancelled", "done")
    assert pulled["client_id"] == str(canbo.device_id)
    listed = client.get("/api/sync/conflicts", headers=bearer(staff["dispatcher"])).json()
    (seen,) = [c for c in listed if c["id"] == cid]
    assert seen["client_value"] == "done" and seen["server_user_id"] is not None

    # The officer cannot overrule the dispatcher by choosing their own side.
    canbo.mutation("resolve_conflict", "sync_conflict", uuid.UUID(cid), {"choice": "client"})
    (refused,) = canbo.push()["results"]
    assert (refused["status"], refused["reason"]) == ("rejected", "invalid_transition")

    # A supervisor learns the visit did take place and keeps the officer's side.
    resolved = client.post(
        f"/api/sync/conflicts/{cid}/resolve", json={"choice": "client"}, headers=bearer(staff["supervisor"])
    )
    assert resolved.status_code == 200, resolved.text
    shown = citizen_view(client, booking)
    assert shown["status"] == "done" and shown["history"][-1]["action"] == "conflict_resolved"
    canbo.pull()
    assert canbo.row("appointment", aid)["status"] == "done"  # type: ignore[index]
    assert canbo.conflicts(aid)[0]["resolved_at"] is not None
    assert run_db(lambda: LetterTask.count().where(LetterTask.appointment_id == aid).run()) == 0


def test_a_stale_rest_update_gets_409(client: TestClient[Any], run_db: Any, staff: dict[str, Any]) -> None:
    _, aid = booked_and_assigned(client, staff)
    old = run_db(lambda: Appointment.select().where(Appointment.id == aid).first().run())
    moved = client.post(
        f"/api/staff/appointments/{aid}/status", json={"status": "on_the_way"}, headers=bearer(staff["dispatcher"])
    )
    assert moved.status_code == 200, moved.text

    async def stale_write() -> int:
        try:
            async with write_transaction():
                await services._update(old, {"status_reason": "cũ"}, "noted", None)
        except AppError as exc:
            return exc.status_code
        return 200

    assert run_db(stale_write) == 409
    now = run_db(lambda: Appointment.select().where(Appointment.id == aid).first().run())
    assert now["status"] == "on_the_way" and now["status_reason"] == "" and now["version"] > old["version"]


@pytest.mark.skipif(not IS_POSTGRES, reason="SQLite has one writer: commit order is change order by design")
def test_rest_writes_are_pulled_in_commit_order(client: TestClient[Any], run_db: Any, staff: dict[str, Any]) -> None:
    _, first = booked_and_assigned(client, staff)
    _, second = booked_and_assigned(client, staff)
    engine = get_sync_engine()
    watcher = Actor(client_id=uuid.uuid4(), user_id=None, communes=frozenset({MY_TRA}))

    async def drain(cursor: str | None) -> Any:
        page = await engine.pull(PullRequest(protocol=1, schema=2, client_id=watcher.client_id, cursor=cursor), watcher)
        while page.has_more:
            page = await engine.pull(
                PullRequest(protocol=1, schema=2, client_id=watcher.client_id, cursor=page.next_cursor), watcher
            )
        return page

    async def scenario() -> dict[str, Any]:
        caught_up = await drain(None)
        numbered, release = asyncio.Event(), asyncio.Event()

        async def slow() -> int:  # a REST change that takes its number, then stays open
            async with write_transaction():
                row = await engine.server_write("appointment", first, {"notes": "Chậm"}, writer_of(None))
                numbered.set()
                await release.wait()
            return int(row["version"])

        async def fast() -> int:
            async with write_transaction():
                row = await engine.server_write("appointment", second, {"notes": "Nhanh"}, writer_of(None))
            return int(row["version"])

        slow_task = asyncio.create_task(slow())
        await asyncio.wait_for(numbered.wait(), 10)
        fast_task = asyncio.create_task(fast())
        await asyncio.sleep(0.5)
        fast_waited = not fast_task.done()  # the counter row is locked until the slow one commits
        middle = await engine.pull(
            PullRequest(protocol=1, schema=2, client_id=watcher.client_id, cursor=caught_up.next_cursor), watcher
        )
        release.set()
        numbers = await asyncio.wait_for(asyncio.gather(slow_task, fast_task), 10)
        after = await engine.pull(
            PullRequest(protocol=1, schema=2, client_id=watcher.client_id, cursor=middle.next_cursor), watcher
        )
        return {"fast_waited": fast_waited, "middle": middle, "after": after, "numbers": numbers}

    out = run_db(scenario)
    assert out["fast_waited"]
    assert [c.id for c in out["middle"].changes] == []
    assert [c.id for c in out["after"].changes if c.entity == "appointment"] == [first, second]
    assert out["numbers"][0] < out["numbers"][1]


def test_withdrawn_consent_reaches_the_assigned_officers_tablet(
    client: TestClient[Any], run_db: Any, staff: dict[str, Any]
) -> None:
    """The officer may be offline with the visit on the tablet: the next pull says it is off, and erases the data."""
    booking, aid = booked_and_assigned(client, staff)
    canbo = Device(client, "canbo")
    canbo.pull()
    before = canbo.row("appointment", aid)
    assert before is not None and before["status"] == "confirmed" and before["officer_id"] == staff["canbo"]
    withdrawn = client.post(
        f"/api/bookings/{booking['reference']}/withdraw-consent", headers={"X-Booking-Token": booking["token"]}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    pages = canbo.pull()
    assert len([c for p in pages for c in p["changes"] if c["id"] == str(aid)]) == 1
    after = canbo.row("appointment", aid)
    assert after is not None and after["version"] > before["version"]
    assert after["status"] == "cancelled" and "rút lại sự đồng ý" in after["status_reason"]
    assert after["officer_id"] == staff["canbo"]  # still theirs: they see it was called off, not that it vanished
    for field in ("citizen_name", "citizen_phone", "address_detail", "notes"):
        assert after[field] != booking[field]
    # An update queued offline before the pull meets the cancellation as a conflict, not as a silent overwrite.
    canbo.update("appointment", aid, {"status": "on_the_way"}, base_version=before["version"])
    (result,) = canbo.push()["results"]
    assert (result["status"], result["reason"]) == ("conflict", "field_conflict"), result
    assert citizen_view(client, booking)["status"] == "cancelled"
