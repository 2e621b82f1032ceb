"""Push: exactly once, gaps, poison mutations, clocks, upcasting (acceptance tests 1, 2, 3, 10, 12)."""

from __future__ import annotations

import datetime as dt
import uuid

from backend.db.columns import utcnow
from tests.sync.kit import CAO_LANH, Device, count_rows, db_fetch, last_seq


def test_1_same_batch_twice_identical_and_once(client, run_db):
    d = Device(client, "canbo")
    ids = [d.create_session(title=f"Buổi {i}") for i in range(5)]
    d.update("outreach_session", ids[0], {"attendance": 70}, base_version=0)
    batch = list(d.queue)
    first = d.push_raw(batch)
    second = d.push_raw(batch)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert [r["status"] for r in first.json()["results"]] == ["applied"] * 6
    assert all(count_rows(run_db, "outreach_session", i) == 1 for i in ids)
    assert last_seq(run_db, d) == 6
    stored = db_fetch(run_db, "SELECT seq FROM sync_mutation WHERE client_id = $1", d.device_id)
    assert sorted(r["seq"] for r in stored) == [1, 2, 3, 4, 5, 6]


def test_2_response_lost_retry_after_restart_applies_once(client, run_db):
    d = Device(client, "canbo")
    sid = d.create_session()
    d.update("outreach_session", sid, {"notes": "Bà con hỏi về cấp sổ đỏ"}, base_version=0)
    d.push_raw(d.queue)  # committed; the response never reaches the tablet
    d.login()  # the app restarts: a new session on the same device, the same queue
    body = d.push()
    assert [r["status"] for r in body["results"]] == ["applied", "applied"]
    assert d.queue == [] and body["last_seq"] == 2
    assert count_rows(run_db, "outreach_session", sid) == 1
    assert len(db_fetch(run_db, "SELECT seq FROM sync_mutation WHERE client_id = $1", d.device_id)) == 2
    d.pull()
    assert d.row("outreach_session", sid)["notes"] == "Bà con hỏi về cấp sổ đỏ"


def test_3_gap_applies_nothing_and_reports_expected_seq(client, run_db):
    d = Device(client, "canbo")
    d.create_session()
    d.create_session()
    d.push()
    d.create_session()  # seq 3: lost on the way
    later = d.create_session()  # seq 4
    response = d.push_raw([d.queue[-1]])
    body = response.json()
    assert response.status_code == 200
    assert body["results"] == [] and body["expected_seq"] == 3 and body["last_seq"] == 2
    assert count_rows(run_db, "outreach_session", later) == 0
    assert last_seq(run_db, d) == 2
    assert [r["status"] for r in d.push()["results"]] == ["applied", "applied"]


def test_10_poison_mutation_is_rejected_and_the_next_100_apply(client, run_db):
    d = Device(client, "canbo")
    d.create_session(title="x" * 500)  # can never apply: too long
    d.mutation("explode", "outreach_session", uuid.uuid4(), {})  # unknown name
    d.mutation("create", "no_such_entity", uuid.uuid4(), {})
    ids = [d.create_session(title=f"Buổi {i}") for i in range(100)]
    body = d.push()
    statuses = [r["status"] for r in body["results"]]
    assert statuses[:3] == ["rejected"] * 3 and statuses[3:] == ["applied"] * 100
    reasons = [r["reason"] for r in body["results"][:3]]
    assert reasons == ["invalid", "unknown_name", "unknown_entity"]
    assert "200" in body["results"][0]["detail"]
    assert body["last_seq"] == 103 and d.queue == []
    assert all(count_rows(run_db, "outreach_session", i) == 1 for i in ids)
    # The rejected ones stay visible, with what was typed.
    listed = client.get("/api/sync/rejected", headers=d.headers).json()
    mine = [r for r in listed if r["client_id"] == str(d.device_id)]
    assert {r["seq"] for r in mine} == {1, 2, 3}
    assert next(r for r in mine if r["seq"] == 1)["payload"]["changed"]["title"] == "x" * 500


def _clock_scenario(client, offset_a: dt.timedelta, offset_b: dt.timedelta):
    a = Device(client, "canbo", clock_offset=offset_a)
    b = Device(client, "canbo2", clock_offset=offset_b)
    sid = a.create_session(title="Tiêu đề gốc")
    a.push()
    b.pull()
    base = b.row("outreach_session", sid)["version"]
    a.update("outreach_session", sid, {"title": "Tiêu đề của A"}, base_version=base)
    b.update("outreach_session", sid, {"title": "Tiêu đề của B", "place": "Chợ Mỹ Trà"}, base_version=base)
    ra, rb = a.push()["results"][0], b.push()["results"][0]
    b.pull()
    row = b.row("outreach_session", sid)
    conflict = b.conflicts(sid)[0]
    return (
        ra["status"],
        rb["status"],
        row["title"],
        row["place"],
        conflict["server_value"],
        conflict["client_value"],
    ), conflict


def test_12_device_clock_a_year_off_changes_nothing(client):
    year = dt.timedelta(days=365)
    normal, _ = _clock_scenario(client, dt.timedelta(0), dt.timedelta(0))
    skewed, conflict = _clock_scenario(client, year, -year)  # A in the future, B in the past
    assert normal == skewed == ("applied", "conflict", "Tiêu đề của A", "Chợ Mỹ Trà", "Tiêu đề của A", "Tiêu đề của B")
    # The device's clock is kept for display only.
    recorded = dt.datetime.fromisoformat(conflict["client_ts"])
    assert abs(recorded - (utcnow() - year)) < dt.timedelta(hours=1)


def test_old_schema_mutations_are_upcast_and_accepted(client, run_db):
    d = Device(client, "canbo")
    old = uuid.uuid4()
    d.mutation(
        "create",
        "outreach_session",
        old,
        {
            "commune_id": CAO_LANH,
            "kind": "radio_dialogue",
            "topic": "Đối thoại trên sóng phát thanh",
            "held_on": "2026-10-01",
            "attendees": 12,
        },
    )
    body = d.push(schema=1)  # queued by app 0.1, sent after the server moved to schema 2
    assert body["results"][0]["status"] == "applied", body
    # A single old mutation inside a current batch says which schema it was queued under.
    other = uuid.uuid4()
    d.mutation(
        "create",
        "outreach_session",
        other,
        {
            "commune_id": CAO_LANH,
            "kind": "business_coffee",
            "topic": "Cà phê doanh nhân",
            "held_on": "2026-10-02",
            "attendees": 30,
        },
        schema=1,
    )
    d.create_session(title="Mới")
    body = d.push(schema=2)
    assert [r["status"] for r in body["results"]] == ["applied", "applied"]
    d.pull()
    assert d.row("outreach_session", old)["title"] == "Đối thoại trên sóng phát thanh"
    assert d.row("outreach_session", old)["attendance"] == 12
    assert d.row("outreach_session", other)["attendance"] == 30


def test_many_old_queued_mutations_survive_an_upgrade(client, run_db):
    d = Device(client, "canbo")
    ids = []
    for i in range(500):
        sid = uuid.uuid4()
        ids.append(sid)
        d.mutation(
            "create",
            "outreach_session",
            sid,
            {"commune_id": CAO_LANH, "kind": "village_outreach", "topic": f"Buổi {i}", "held_on": "2026-09-01"},
        )
    body = d.push(schema=1)
    assert {r["status"] for r in body["results"]} == {"applied"} and body["last_seq"] == 500
    rows = db_fetch(
        run_db, "SELECT count(*) AS n FROM sync_mutation WHERE client_id = $1 AND status = 'applied'", d.device_id
    )
    assert rows[0]["n"] == 500


def test_vietnamese_text_is_normalised_and_counted_in_characters(client):
    import unicodedata

    d = Device(client, "canbo")
    decomposed = unicodedata.normalize("NFD", "Ủy ban nhân dân phường")
    title = (decomposed + " ") * 8  # > 200 code points decomposed, < 200 characters composed
    assert len(title) > 200 and len(unicodedata.normalize("NFC", title).strip()) <= 200
    sid = d.create_session(title=title)
    assert d.push()["results"][0]["status"] == "applied"
    d.pull()
    assert d.row("outreach_session", sid)["title"] == unicodedata.normalize("NFC", title).strip()


def test_question_rules_parent_and_answer(client):
    d = Device(client, "canbo")
    sid = d.create_session()
    q1, q2, q3 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    base = {"session_id": str(sid), "commune_id": CAO_LANH, "text": "Khi nào sửa đường?", "channel": "zalo"}
    d.mutation("create", "outreach_question", q1, base)
    d.mutation("create", "outreach_question", q2, {**base, "status": "answered"})  # no answer
    d.mutation("create", "outreach_question", q3, {**base, "session_id": str(uuid.uuid4())})
    d.mutation("delete", "outreach_session", sid)  # cascades to q1
    results = d.push()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("applied", None),
        ("applied", None),
        ("rejected", "invalid"),
        ("rejected", "parent_not_found"),
        ("applied", None),
    ]
    d.pull()
    assert d.row("outreach_question", q1) is None and d.row("outreach_session", sid) is None


def test_another_queue_under_the_same_device_id_is_rejected_not_swallowed(client, run_db):
    """Two queues used one device id (a copied id): the second's changes must not be taken as already done."""
    first = Device(client, "canbo")
    first.create_session(title="Buổi của máy thứ nhất")
    assert first.push()["last_seq"] == 1
    copy = Device(client, "canbo2", device_id=first.device_id)
    sid = copy.create_session(title="Buổi của máy thứ hai")
    body = copy.push()
    assert [(r["status"], r["reason"]) for r in body["results"]] == [("rejected", "seq_reused")]
    assert count_rows(run_db, "outreach_session", sid) == 0
