"""Conflicts keep both sides (acceptance tests 4, 5, 7)."""

from __future__ import annotations

import uuid

from tests.sync.kit import Device, count_rows, db_fetch


def _shared_session(client):
    a, b = Device(client, "canbo"), Device(client, "canbo2")
    sid = a.create_session(title="Đối thoại khóm 1", place="Nhà văn hóa")
    a.push()
    a.pull()
    b.pull()
    return a, b, sid, b.row("outreach_session", sid)["version"]


def test_4_same_field_on_two_devices_keeps_both_until_resolved(client, run_db):
    a, b, sid, base = _shared_session(client)
    a.update("outreach_session", sid, {"title": "Đối thoại khóm 1 (dời sang thứ Bảy)"}, base_version=base)
    b.update(
        "outreach_session",
        sid,
        {"title": "Đối thoại khóm 1 - bổ sung"},
        base_version=base,
        base={"title": "Đối thoại khóm 1"},
    )
    assert a.push()["results"][0]["status"] == "applied"
    result = b.push()["results"][0]
    assert result["status"] == "conflict" and len(result["conflict_ids"]) == 1
    cid = result["conflict_ids"][0]

    for device in (a, b):
        device.pull()
        assert device.row("outreach_session", sid)["title"] == "Đối thoại khóm 1 (dời sang thứ Bảy)"
        (conflict,) = device.conflicts(sid)
        assert conflict["id"] == cid and conflict["field"] == "title" and conflict["resolved_at"] is None
        assert conflict["base_value"] == "Đối thoại khóm 1"
        assert conflict["server_value"] == "Đối thoại khóm 1 (dời sang thứ Bảy)"
        assert conflict["client_value"] == "Đối thoại khóm 1 - bổ sung"
        assert conflict["server_client_id"] == str(a.device_id) and conflict["client_id"] == str(b.device_id)

    supervisor = Device(client, "giamsat")
    listed = client.get("/api/sync/conflicts", headers=supervisor.headers).json()
    assert cid in [c["id"] for c in listed]

    # B resolves it by taking its own value; the resolution is itself a mutation.
    b.mutation("resolve_conflict", "sync_conflict", uuid.UUID(cid), {"choice": "client"})
    assert b.push()["results"][0]["status"] == "applied"
    for device in (a, b):
        device.pull()
        assert device.row("outreach_session", sid)["title"] == "Đối thoại khóm 1 - bổ sung"
        assert device.conflicts(sid)[0]["resolved_at"] is not None
    listed = client.get("/api/sync/conflicts", headers=supervisor.headers).json()
    assert cid not in [c["id"] for c in listed]


def test_4b_supervisor_resolves_from_the_web(client):
    a, b, sid, base = _shared_session(client)
    a.update("outreach_session", sid, {"attendance": 80}, base_version=base)
    b.update("outreach_session", sid, {"attendance": 85}, base_version=base)
    a.push()
    cid = b.push()["results"][0]["conflict_ids"][0]
    officer = client.post(f"/api/sync/conflicts/{cid}/resolve", json={"choice": "server"}, headers=a.headers)
    assert officer.status_code == 403
    supervisor = Device(client, "giamsat")
    response = client.post(
        f"/api/sync/conflicts/{cid}/resolve", json={"choice": "value", "value": 82}, headers=supervisor.headers
    )
    assert response.status_code == 200, response.text
    again = client.post(f"/api/sync/conflicts/{cid}/resolve", json={"choice": "server"}, headers=supervisor.headers)
    assert again.status_code == 409
    a.pull()
    assert a.row("outreach_session", sid)["attendance"] == 82
    assert a.conflicts(sid)[0]["resolution"] == {"choice": "value", "value": 82}


def test_5_different_fields_are_both_kept(client):
    a, b, sid, base = _shared_session(client)
    a.update("outreach_session", sid, {"title": "Tiêu đề mới"}, base_version=base)
    b.update("outreach_session", sid, {"place": "Trường tiểu học Mỹ Trà"}, base_version=base)
    assert a.push()["results"][0]["status"] == "applied"
    assert b.push()["results"][0]["status"] == "merged"  # a parallel update, merged field by field
    for device in (a, b):
        device.pull()
        row = device.row("outreach_session", sid)
        assert (row["title"], row["place"]) == ("Tiêu đề mới", "Trường tiểu học Mỹ Trà")
        assert device.conflicts(sid) == []


def test_own_successive_edits_do_not_conflict_with_themselves(client):
    a, _, sid, base = _shared_session(client)
    a.update("outreach_session", sid, {"title": "Lần 1"}, base_version=base)
    a.push()
    a.update("outreach_session", sid, {"title": "Lần 2"}, base_version=base)  # not pulled in between
    assert a.push()["results"][0]["status"] == "applied"


def test_7_server_delete_and_offline_update_tombstone_and_conflict_no_revival(client, run_db):
    a, b, sid, base = _shared_session(client)
    a.mutation("delete", "outreach_session", sid, base_version=base)
    assert a.push()["results"][0]["status"] == "applied"
    b.update("outreach_session", sid, {"notes": "Ghi chú nhập khi mất sóng"}, base_version=base)
    result = b.push()["results"][0]
    assert (result["status"], result["reason"]) == ("rejected", "deleted") and result["conflict_ids"]
    pages = b.pull()
    assert {"entity": "outreach_session", "id": str(sid), "op": "delete"}.items() <= next(
        c for p in pages for c in p["changes"] if c["id"] == str(sid)
    ).items()
    assert b.row("outreach_session", sid) is None
    (conflict,) = b.conflicts(sid)
    assert conflict["kind"] == "deleted" and conflict["client_value"] == {"notes": "Ghi chú nhập khi mất sóng"}
    row = db_fetch(run_db, "SELECT deleted_at, notes FROM outreach_session WHERE id = $1", sid)[0]
    assert row["deleted_at"] is not None and row["notes"] == ""
    assert count_rows(run_db, "outreach_session", sid) == 1
    # A re-create of the same id does not revive it either.
    b.mutation(
        "create",
        "outreach_session",
        sid,
        {"commune_id": "29869", "kind": "village_outreach", "title": "x", "held_on": "2026-11-01"},
    )
    assert b.push()["results"][0]["reason"] == "already_exists"
