from __future__ import annotations

from tests.sync.kit import Device


def test_create_then_pull(client):
    d = Device(client, "canbo")
    sid = d.create_session()
    body = d.push()
    assert body["results"][0]["status"] == "applied", body
    d.pull()
    row = d.row("outreach_session", sid)
    assert row is not None and row["title"].startswith("Đối thoại")
