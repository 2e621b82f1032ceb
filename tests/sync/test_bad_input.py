"""Malformed requests get a clear 4xx and change nothing."""

from __future__ import annotations

import uuid

import pytest

from tests.sync.kit import Device, db_fetch, last_seq


def _body(d: Device, **over):
    m = {
        "id": str(uuid.uuid4()),
        "seq": 1,
        "name": "create",
        "entity": "outreach_session",
        "entity_id": str(uuid.uuid4()),
        "changed": {},
    }
    body = {"protocol": 1, "schema": 2, "client_id": str(d.device_id), "mutations": [m]}
    body.update(over)
    return body


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"surprise": 1}, 400),
        ({"mutations": "many"}, 400),
        ({"mutations": [{"seq": 1}]}, 400),
        ({"client_id": "not-a-uuid"}, 400),
        ({"protocol": 99}, 426),
        ({"schema": 99}, 409),
        ({"client_id": str(uuid.uuid4())}, 403),
    ],
)
def test_push_rejects_malformed_requests(client, run_db, change, status):
    d = Device(client, "canbo")
    response = client.post("/api/sync/push", json=_body(d, **change), headers=d.headers)
    assert response.status_code == status, response.text
    payload = response.json()
    assert payload["detail"] and payload["detail_vi"]
    assert last_seq(run_db, d) is None


def test_push_rejects_unordered_seqs_and_bad_json(client, run_db):
    d = Device(client, "canbo")
    body = _body(d)
    body["mutations"] = [dict(body["mutations"][0], seq=2), dict(body["mutations"][0], seq=1)]
    assert client.post("/api/sync/push", json=body, headers=d.headers).status_code == 400
    broken = client.post(
        "/api/sync/push", content=b"{not json", headers={**d.headers, "content-type": "application/json"}
    )
    assert broken.status_code == 400
    zero = _body(d)
    zero["mutations"][0]["seq"] = 0
    assert client.post("/api/sync/push", json=zero, headers=d.headers).status_code == 400
    assert last_seq(run_db, d) is None
    assert db_fetch(run_db, "SELECT seq FROM sync_mutation WHERE client_id = $1", d.device_id) == []


def test_push_and_pull_need_a_login(client):
    d = Device(client, "canbo")
    assert client.post("/api/sync/push", json=_body(d)).status_code == 401
    assert (
        client.post("/api/sync/pull", json={"protocol": 1, "schema": 2, "client_id": str(d.device_id)}).status_code
        == 401
    )


def test_pull_rejects_malformed_requests(client):
    d = Device(client, "canbo")
    base = {"protocol": 1, "schema": 2, "client_id": str(d.device_id)}
    for body, status in [
        ({**base, "limit": 5000}, 400),
        ({**base, "cursor": 12}, 400),
        ({**base, "schema": 0}, 426),
        ({**base, "client_id": str(uuid.uuid4())}, 403),
    ]:
        response = client.post("/api/sync/pull", json=body, headers=d.headers)
        assert response.status_code == status, (body, response.text)


def test_resolve_rejects_bad_choice_and_unknown_conflict(client):
    supervisor = Device(client, "giamsat")
    url = f"/api/sync/conflicts/{uuid.uuid4()}/resolve"
    assert client.post(url, json={"choice": "both"}, headers=supervisor.headers).status_code == 400
    assert client.post(url, json={"choice": "server"}, headers=supervisor.headers).status_code == 404


def test_info_advertises_versions(client):
    d = Device(client, "canbo")
    info = client.get("/api/sync/info", headers=d.headers).json()
    assert info["versions"] == {"protocol": {"min": 1, "max": 1}, "schema": {"min": 1, "max": 2}}
    assert "outreach_session" in info["entities"]
