"""Pull: cursor, pages, acks, reset, scope changes (acceptance tests 8 and 9)."""

from __future__ import annotations

import datetime as dt
import uuid

from backend.accounts.services import create_user
from backend.accounts.tables import StaffUser
from backend.syncapi.services import get_sync_engine
from sync.engine import decode_cursor, encode_cursor
from tests.sync.kit import CAO_LANH, MY_TRA, Device, db_fetch

DEMO_PASSWORD = "gandan-demo-2026"


def test_pages_in_commit_order_with_acks(client):
    d = Device(client, "canbo")
    ids = [d.create_session(title=f"Buổi {i}", commune=CAO_LANH if i % 2 else MY_TRA) for i in range(25)]
    d.push()
    watcher = Device(client, "giamsat")
    pages = watcher.pull(limit=10)
    assert len(pages) >= 3 and not pages[-1]["has_more"]
    numbers = [c["change_no"] for p in pages for c in p["changes"]]
    assert numbers == sorted(numbers)
    assert all(watcher.row("outreach_session", i) for i in ids)
    # The device's own pull carries the acknowledgements of its mutations.
    page = d.pull_once()
    assert page["acks"]["last_seq"] == 25 and [a["seq"] for a in page["acks"]["results"]] == list(range(1, 26))
    d.pull()
    quiet = d.pull_once()
    assert quiet["changes"] == [] and quiet["acks"]["results"] == [] and not quiet["has_more"]


def test_pull_is_scoped_to_the_session(client):
    d = Device(client, "canbo")
    sid = d.create_session(commune=MY_TRA)
    d.push()
    other = Device(client, "canbo2")  # Cao Lãnh only
    other.pull()
    assert other.row("outreach_session", sid) is None


def _reset_scenario(client, run_db, breaker):
    d = Device(client, "canbo")
    sid = d.create_session()
    d.push()
    d.pull()
    d.update("outreach_session", sid, {"notes": "chưa gửi"}, base_version=d.row("outreach_session", sid)["version"])
    breaker(d)
    page = d.pull_once()
    assert page["reset"], page
    d.pull()
    assert d.row("outreach_session", sid) is not None  # refetched
    assert not d.pull_once()["reset"]  # the fresh cursor is good (no reset loop)
    assert d.queue and d.push()["results"][0]["status"] == "applied"  # queued work survives the reset
    d.pull()
    assert d.row("outreach_session", sid)["notes"] == "chưa gửi"
    return page["reset_reason"]


def test_8_cursor_from_another_server_resets(client, run_db):
    def foreign(d):
        cursor = decode_cursor(d.cursor)
        cursor.s = uuid.uuid4()
        d.cursor = encode_cursor(cursor)

    assert _reset_scenario(client, run_db, foreign) == "other_server"


def test_8_cursor_from_another_epoch_resets(client, run_db):
    assert _reset_scenario(client, run_db, lambda d: run_db(get_sync_engine().new_epoch)) == "other_epoch"


def test_8_cursor_older_than_tombstone_retention_resets(client, run_db):
    def purge(d):
        victim = Device(client, "canbo")
        sid = victim.create_session()
        victim.push()
        victim.mutation("delete", "outreach_session", sid)
        victim.push()
        assert run_db(lambda: get_sync_engine().purge_tombstones(dt.timedelta(seconds=-1))) >= 1

    assert _reset_scenario(client, run_db, purge) == "expired"


def test_8_unreadable_cursor_resets(client, run_db):
    assert _reset_scenario(client, run_db, lambda d: setattr(d, "cursor", "not-a-cursor")) == "unreadable_cursor"


def test_9_officer_moved_between_communes(client, run_db):
    username = f"chuyen{uuid.uuid4().hex[:8]}"
    run_db(lambda: create_user(username, "Trần Văn Chuyển", "officer", [CAO_LANH], DEMO_PASSWORD))
    # Rows of Mỹ Trà written long before the move.
    elder = Device(client, "canbo")
    old_b = [elder.create_session(commune=MY_TRA, title=f"Cũ {i}") for i in range(3)]
    elder.push()

    d = Device(client, username)
    in_a = d.create_session(commune=CAO_LANH)
    d.push()
    d.pull()
    assert d.row("outreach_session", in_a) and not any(d.row("outreach_session", s) for s in old_b)
    d.update("outreach_session", in_a, {"attendance": 99}, base_version=d.row("outreach_session", in_a)["version"])

    run_db(lambda: StaffUser.update({StaffUser.communes: [MY_TRA]}).where(StaffUser.username == username))

    pages = d.pull()
    assert CAO_LANH in pages[0]["removed_communes"]
    assert d.row("outreach_session", in_a) is None
    assert all(d.row("outreach_session", s) for s in old_b)  # B's old rows arrive

    new_b = d.create_session(commune=MY_TRA)
    body = d.push()
    assert [(r["status"], r["reason"]) for r in body["results"]] == [("rejected", "out_of_scope"), ("applied", None)]
    listed = client.get("/api/sync/rejected", headers=d.headers).json()
    assert [r["reason"] for r in listed if r["client_id"] == str(d.device_id)] == ["out_of_scope"]
    supervisor = Device(client, "giamsat")
    assert any(
        r["client_id"] == str(d.device_id) for r in client.get("/api/sync/rejected", headers=supervisor.headers).json()
    )
    d.pull()
    assert d.row("outreach_session", new_b) is not None
    row = db_fetch(run_db, "SELECT attendance FROM outreach_session WHERE id = $1", in_a)[0]
    assert row["attendance"] == 45


def test_no_change_pull_reads_no_rows(client):
    d = Device(client, "canbo")
    d.pull()
    page = d.pull_once()
    assert page["changes"] == [] and not page["has_more"] and not page["reset"]
    assert len(page["next_cursor"]) < 2000


def test_fresh_sync_over_many_pages_after_a_purge_does_not_loop(client, run_db):
    d = Device(client, "canbo")
    for _ in range(5):
        d.create_session()
    gone = d.create_session()
    d.push()
    d.mutation("delete", "outreach_session", gone)
    d.push()
    run_db(lambda: get_sync_engine().purge_tombstones(dt.timedelta(seconds=-1)))
    fresh = Device(client, "canbo")
    pages = fresh.pull(limit=2)
    assert len(pages) > 2 and not any(p["reset"] for p in pages)
    assert fresh.row("outreach_session", gone) is None
