"""Every input has a defined answer (PROTOCOL.md, "Input rules"): a bad value in one mutation rejects that mutation
alone (`invalid`, with a detail naming the field) and the batch goes on; a malformed request as a whole gets a clean
4xx and writes nothing; nothing gets a 5xx, on either database."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any

import msgspec
import pytest

from sync.clock import utcnow
from tests.sync.kit import CAO_LANH, Device, db_fetch, last_seq

SESSION = {"commune_id": CAO_LANH, "kind": "village_outreach", "title": "Buổi đối thoại", "held_on": "2026-11-02"}


def _mutation(number: int, changed: dict[str, Any], name: str = "create", **over: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "seq": number,
        "name": name,
        "entity": "outreach_session",
        "entity_id": str(uuid.uuid4()),
        "changed": changed,
        "client_ts": "2026-11-20T08:15:00+07:00",
        **over,
    }


def _push_raw(client, d: Device, mutations: list[dict[str, Any]]) -> Any:
    body = {"protocol": 1, "schema": 2, "client_id": str(d.device_id), "mutations": mutations}
    return client.post("/api/sync/push", json=body, headers=d.headers)


def _bad_then_good(client, d: Device, bad: dict[str, Any]) -> dict[str, Any]:
    """Push the bad mutation followed by a good one: the first is rejected alone, the second applies."""
    good = _mutation(2, {**SESSION, "title": "Buổi sau đó"})
    response = _push_raw(client, d, [bad, good])
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["last_seq"] == 2
    first, second = body["results"]
    assert (first["status"], first["reason"]) == ("rejected", "invalid"), first
    assert second["status"] == "applied"
    result: dict[str, Any] = first
    return result


def _stored(run_db, d: Device, seq: int) -> dict[str, Any]:
    (row,) = db_fetch(run_db, "SELECT * FROM sync_mutation WHERE client_id = $1 AND seq = $2", d.device_id, seq)
    return row


# ---------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("changed", "field"),
    [
        ({**SESSION, "title": "Buổi\x00họp"}, "changed.title"),
        ({**SESSION, "notes": "Ghi chú \x1b[31m đỏ"}, "changed.notes"),
        ({**SESSION, "place": "Nhà văn hóa\x7f"}, "changed.place"),
        ({**SESSION, "place": "Chợ\x85Mỹ Trà"}, "changed.place"),
        ({**SESSION, "extra": {"tags": ["ổn", "hỏng\x00"]}}, "changed.extra.tags[1]"),
        ({**SESSION, "kh\x00ng": 1}, "changed (a key)"),
    ],
    ids=["nul", "escape", "del", "c1", "nested", "key"],
)
def test_a_control_character_rejects_that_mutation_alone(client, run_db, changed, field):
    d = Device(client, "canbo")
    result = _bad_then_good(client, d, _mutation(1, changed))
    assert result["detail"].startswith(f"{field} contains a control character (U+")
    assert "ký tự điều khiển" in result["detail"]
    stored = _stored(run_db, d, 1)
    assert (stored["status"], stored["reason"], stored["detail"]) == ("rejected", "invalid", result["detail"])
    # What the officer sent stays visible, exactly as sent.
    listed = client.get("/api/sync/rejected", headers=d.headers).json()
    (mine,) = [r for r in listed if r["client_id"] == str(d.device_id)]
    assert mine["payload"]["changed"] == changed


def test_tabs_and_line_breaks_are_text(client, run_db):
    d = Device(client, "canbo")
    sid = d.create_session(notes="Dòng 1\r\nDòng 2\n\tthụt lề")
    assert d.push()["results"][0]["status"] == "applied"
    (row,) = db_fetch(run_db, "SELECT notes FROM outreach_session WHERE id = $1", sid)
    assert row["notes"] == "Dòng 1\nDòng 2\n\tthụt lề"  # kept, with Windows line breaks made plain ones


def test_control_characters_in_base_name_or_entity_reject_the_mutation(client, run_db):
    d = Device(client, "canbo")
    sid = d.create_session()
    version = d.push()["results"][0]["version"]
    mutations = [
        _mutation(2, {"title": "Mới"}, name="update", entity_id=str(sid), base_version=version, base={"title": "\x00"}),
        _mutation(3, {}, name="cre\x00ate"),
        _mutation(4, SESSION, entity="outreach\x00session"),
        _mutation(5, {"title": "Cuối cùng"}, name="update", entity_id=str(sid), base_version=version),
    ]
    d.seq = 5
    body = d.push_raw(mutations).json()
    assert [(r["status"], r["reason"]) for r in body["results"]] == [("rejected", "invalid")] * 3 + [("applied", None)]
    assert [r["detail"].split(" contains")[0] for r in body["results"][:3]] == ["base.title", "name", "entity"]
    assert body["last_seq"] == 5
    # Stored legibly: the name and entity columns hold U+FFFD where the control character was.
    assert _stored(run_db, d, 3)["name"] == "cre\ufffdate"
    assert _stored(run_db, d, 4)["entity"] == "outreach\ufffdsession"


def test_a_lone_surrogate_rejects_that_mutation_alone(client, run_db):
    """JavaScript strings may hold half of a surrogate pair (text cut inside an emoji); JSON.stringify escapes it.
    msgspec refuses such JSON: the push reads it anyway, so that only the mutation carrying it is rejected."""
    d = Device(client, "canbo")
    emoji = _mutation(1, {**SESSION, "title": "Vui \U0001f600"})
    broken = _mutation(2, {**SESSION, "title": "Vui \ud83d"})
    after = _mutation(3, {**SESSION, "title": "Buổi sau"})
    body = {"protocol": 1, "schema": 2, "client_id": str(d.device_id), "mutations": [emoji, broken, after]}
    raw = json.dumps(body, ensure_ascii=True).encode()  # what JSON.stringify sends: the surrogate escaped
    assert b"\\ud83d\\ude00" in raw and b'\\ud83d"' in raw
    response = client.post("/api/sync/push", content=raw, headers={**d.headers, "content-type": "application/json"})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("applied", None),
        ("rejected", "invalid"),
        ("applied", None),
    ]
    assert results[1]["detail"].startswith("changed.title contains a broken character (U+D83D")
    (row,) = db_fetch(run_db, "SELECT title FROM outreach_session WHERE id = $1", uuid.UUID(emoji["entity_id"]))
    assert row["title"] == "Vui \U0001f600"
    # Kept for the officer to see, with the broken half shown as U+FFFD.
    assert msgspec.json.decode(_stored(run_db, d, 2)["payload"])["changed"]["title"] == "Vui \ufffd"


def test_json_that_is_still_not_json_is_a_clean_400(client, run_db):
    d = Device(client, "canbo")
    request = {"protocol": 1, "schema": 2, "client_id": str(d.device_id), "mutations": [_mutation(1, SESSION)]}
    body = json.dumps(request, ensure_ascii=False)
    assert '"Buổi đối thoại"' in body
    headers = {**d.headers, "content-type": "application/json"}
    for broken in (
        body.replace('"Buổi đối thoại"', "NaN"),
        body.replace('"Buổi đối thoại"', "Infinity"),
        body.replace('"Buổi đối thoại"', '"\\ud83d').rstrip("}"),  # a lone surrogate in JSON that is broken anyway
        body[:-5],
    ):
        response = client.post("/api/sync/push", content=broken.encode(), headers=headers)
        assert response.status_code == 400, (broken, response.text)
        assert response.json()["detail"] and response.json()["detail_vi"]
    assert last_seq(run_db, d) is None


def test_a_number_beyond_double_precision_rejects_that_mutation_alone(client, run_db):
    """1e400 is valid JSON, though no float holds it: the mutation carrying it is rejected, not the batch."""
    d = Device(client, "canbo")
    body = json.dumps(
        {"protocol": 1, "schema": 2, "client_id": str(d.device_id), "mutations": [_mutation(1, SESSION)]}
    ).replace('"village_outreach"', "1e400")
    headers = {**d.headers, "content-type": "application/json"}
    response = client.post("/api/sync/push", content=body.encode(), headers=headers)
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    assert (result["status"], result["reason"]) == ("rejected", "invalid")
    assert result["detail"].startswith("changed.kind is not a finite number")


def test_a_resolution_with_a_control_character_is_a_400(client):
    supervisor = Device(client, "giamsat")
    url = f"/api/sync/conflicts/{uuid.uuid4()}/resolve"
    response = client.post(url, json={"choice": "value", "value": "a\x00b"}, headers=supervisor.headers)
    assert response.status_code == 400, response.text
    assert "changed.value contains a control character" in response.json()["detail"]


# ---------------------------------------------------------------- client_ts


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


@pytest.mark.parametrize(
    "client_ts",
    [
        "99999-01-01T00:00:00Z",
        "+099999-01-01T00:00:00.000Z",  # what JavaScript's toISOString writes past year 9999
        "0001-01-01T00:00:00+14:00",  # year 0 in UTC: beyond Python's and SQLite's dates
        "9999-12-31T23:59:59-23:59",  # year 10000 in UTC
        "1969-12-31T23:59:59Z",
        "2026-11-20T08:15:00",  # no offset
        "hôm qua",
        "2026-11-20T08:15:00+07:00" + " " * 100,
        "far future",
    ],
)
def test_a_client_ts_outside_the_window_rejects_that_mutation_alone(client, run_db, client_ts):
    if client_ts == "far future":
        client_ts = _iso(utcnow() + dt.timedelta(days=3 * 365))
    d = Device(client, "canbo")
    result = _bad_then_good(client, d, _mutation(1, SESSION, client_ts=client_ts))
    assert result["detail"].startswith("client_ts ")
    stored = _stored(run_db, d, 1)
    assert stored["client_ts"] is None
    assert msgspec.json.decode(stored["payload"])["client_ts"] == client_ts


def test_client_ts_inside_the_window_is_kept(client, run_db):
    """Clocks reset to the Unix epoch, or set well ahead, still sync: the time is only shown."""
    d = Device(client, "canbo")
    moments = [
        dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
        utcnow() - dt.timedelta(days=20 * 365),
        utcnow() + dt.timedelta(days=700),
    ]
    mutations = [_mutation(i + 1, SESSION, client_ts=_iso(m)) for i, m in enumerate(moments)]
    mutations.append(_mutation(4, SESSION, client_ts=None))
    body = _push_raw(client, d, mutations).json()
    assert [r["status"] for r in body["results"]] == ["applied"] * 4
    stored = [_stored(run_db, d, seq)["client_ts"] for seq in (1, 2, 3, 4)]
    assert stored == [*moments, None]


def test_a_client_ts_that_is_not_text_is_a_malformed_request(client, run_db):
    d = Device(client, "canbo")
    response = _push_raw(client, d, [_mutation(1, SESSION, client_ts=1_763_600_000)])
    assert response.status_code == 400 and response.json()["detail_vi"]
    assert last_seq(run_db, d) is None


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("over", "status"),
    [
        ({"seq": 2**64}, 400),
        ({"seq": 2**53 + 1}, 400),
        ({"base_version": 2**70}, 400),
        ({"base_version": -1}, 400),
        ({"schema": 10**30}, 400),
    ],
)
def test_numbers_beyond_the_wire_ranges_are_malformed_requests(client, run_db, over, status):
    d = Device(client, "canbo")
    response = _push_raw(client, d, [_mutation(1, SESSION, **over)])
    assert response.status_code == status, response.text
    assert response.json()["detail_vi"]
    assert last_seq(run_db, d) is None


def test_huge_protocol_and_schema_numbers_get_their_version_answers(client, run_db):
    d = Device(client, "canbo")
    for over, status in (({"protocol": 10**30}, 426), ({"schema": 10**30}, 409), ({"schema": -(10**30)}, 200)):
        body = {"protocol": 1, "schema": 2, "client_id": str(d.device_id), "mutations": [], **over}
        assert client.post("/api/sync/push", json=body, headers=d.headers).status_code == status, over
        pull = {"protocol": 1, "schema": 2, "client_id": str(d.device_id), **over}
        expected = 426 if over.get("schema", 0) < 0 else status
        assert client.post("/api/sync/pull", json=pull, headers=d.headers).status_code == expected, over


def test_integers_beyond_64_bits_in_a_mutation_reject_it_alone(client, run_db):
    d = Device(client, "canbo")
    result = _bad_then_good(client, d, _mutation(1, {**SESSION, "extra": [{"n": 2**64}]}))
    assert result["detail"].startswith("changed.extra[0].n is out of range")
    over = _bad_then_good(client, Device(client, "canbo"), _mutation(1, {**SESSION, "attendance": 10**30}))
    assert "attendance" in over["detail"]


def test_a_cursor_with_positions_beyond_any_change_number_is_a_reset(client):
    d = Device(client, "canbo")
    d.pull()
    for fields in ({"p": {CAO_LANH: 10**30}}, {"a": 2**64}, {"h": -1}):
        state = json.loads(base64.urlsafe_b64decode(d.cursor + "=" * (-len(d.cursor) % 4)))
        forged = base64.urlsafe_b64encode(json.dumps({**state, **fields}).encode()).decode().rstrip("=")
        body = {"protocol": 1, "schema": 2, "client_id": str(d.device_id), "cursor": forged}
        response = client.post("/api/sync/pull", json=body, headers=d.headers)
        assert response.status_code == 200, (fields, response.text)
        assert (response.json()["reset"], response.json()["reset_reason"]) == (True, "unreadable_cursor")


@pytest.mark.parametrize(
    ("query", "status"),
    [
        (f"offset={10**30}&total=10", 400),
        (f"offset=0&total={10**30}", 413),
        ("offset=-1&total=10", 400),
        ("offset=0&total=-10", 400),
        ("offset=1e3&total=10", 400),
    ],
)
def test_attachment_offsets_beyond_any_file_are_4xx(client, query, status):
    d = Device(client, "canbo")
    sha = "ab" * 32
    response = client.put(f"/api/sync/attachments/{sha}?{query}", content=b"0123456789", headers=d.headers)
    assert response.status_code == status, response.text
    assert response.json()["detail_vi"]


def test_attachment_names_with_control_characters_are_4xx(client):
    d = Device(client, "canbo")
    name = "%00" + "a" * 63
    for method, url in (
        ("PUT", f"/api/sync/attachments/{name}?offset=0&total=3"),
        ("GET", f"/api/sync/attachments/{name}"),
        ("GET", f"/api/sync/attachments/{name}/status"),
        ("HEAD", f"/api/sync/attachments/{name}"),
    ):
        response = client.request(method, url, content=b"abc" if method == "PUT" else None, headers=d.headers)
        assert 400 <= response.status_code < 500, (method, response.status_code)


def test_a_value_nested_too_deeply_rejects_that_mutation_alone(client, run_db):
    d = Device(client, "canbo")
    deep: Any = "đáy"
    for _ in range(40):
        deep = [deep]
    result = _bad_then_good(client, d, _mutation(1, {**SESSION, "extra": deep}))
    assert "is nested too deeply (more than 32 levels)" in result["detail"]
    assert result["detail"].startswith("changed.extra[0][0]")


def test_a_body_nested_beyond_the_decoders_limit_is_a_400(client, run_db):
    d = Device(client, "canbo")
    nested = "[" * 5_000 + "]" * 5_000
    headers = {**d.headers, "content-type": "application/json"}
    push = f'{{"protocol": 1, "schema": 2, "client_id": "{d.device_id}", "mutations": {nested}}}'
    pull = f'{{"protocol": 1, "schema": 2, "client_id": "{d.device_id}", "cursor": {nested}}}'
    for url, body in (("/api/sync/push", push), ("/api/sync/pull", pull)):
        response = client.post(url, content=body.encode(), headers=headers)
        assert response.status_code == 400, (url, response.text)
        assert response.json()["detail_vi"]
    assert last_seq(run_db, d) is None
