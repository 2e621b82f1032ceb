"""Acceptance test 11: resumable, verified, content-addressed uploads; records may reference a file first."""

from __future__ import annotations

import hashlib
import os
import uuid

from backend.settings import get_settings
from tests.sync.kit import CAO_LANH, Device


def _attachment_status(device: Device, sha: str) -> str | None:
    found = [v for (e, _), v in device.rows.items() if e == "attachment" and v["sha256"] == sha]
    return found[0]["status"] if found else None


def test_11_upload_cut_at_half_and_resumed(client):
    d = Device(client, "canbo")
    data = os.urandom(300_000)
    sha = hashlib.sha256(data).hexdigest()
    sid = d.create_session()
    qid = uuid.uuid4()
    d.mutation(
        "create",
        "outreach_question",
        qid,
        {"session_id": str(sid), "commune_id": CAO_LANH, "text": "Ảnh chụp đoạn đường hư hỏng", "photo_sha256": sha},
    )
    assert [r["status"] for r in d.push()["results"]] == ["applied", "applied"]  # record before its file
    d.pull()
    assert _attachment_status(d, sha) == "missing"

    url = f"/api/sync/attachments/{sha}"
    half = len(data) // 2
    r = client.put(f"{url}?offset=0&total={len(data)}", content=data[:half], headers=d.headers)
    assert r.status_code == 200 and r.json()["status"] == "partial"
    # The tablet loses its connection here; later it asks where to resume.
    head = client.head(url, headers=d.headers)
    assert head.status_code == 200 and head.headers["upload-offset"] == str(half)
    assert client.get(f"{url}/status", headers=d.headers).json()["status"] == "partial"
    stale = client.put(f"{url}?offset=0&total={len(data)}", content=data[:half], headers=d.headers)
    assert stale.status_code == 409 and stale.json()["extra"]["received"] == half
    done = client.put(f"{url}?offset={half}&total={len(data)}", content=data[half:], headers=d.headers)
    assert done.status_code == 200, done.text
    assert done.json() == {"sha256": sha, "status": "present", "size": len(data), "received": len(data)}

    files = get_settings().var_dir / "files"
    assert (files / sha[:2] / sha).read_bytes() == data
    assert not (files / "partial" / f"{sha}.part").exists()
    d.pull()
    assert _attachment_status(d, sha) == "present"
    download = client.get(url, headers=d.headers)
    assert download.status_code == 200 and download.content == data
    # Uploading again is a no-op.
    again = client.put(f"{url}?offset=0&total={len(data)}", content=data, headers=d.headers)
    assert again.json()["status"] == "present"


def test_attachment_bad_inputs(client):
    d = Device(client, "canbo")
    data = b"anh chu ky"
    sha = hashlib.sha256(data).hexdigest()
    assert (
        client.put("/api/sync/attachments/XYZ?offset=0&total=3", content=b"abc", headers=d.headers).status_code == 400
    )
    too_big = client.put(f"/api/sync/attachments/{sha}?offset=0&total={10**12}", content=data, headers=d.headers)
    assert too_big.status_code == 413
    wrong = client.put(f"/api/sync/attachments/{sha}?offset=0&total=10", content=b"0123456789", headers=d.headers)
    assert wrong.status_code == 422 and wrong.json()["extra"]["code"] == "hash_mismatch"
    assert client.get(f"/api/sync/attachments/{sha}/status", headers=d.headers).json()["received"] == 0
    past = client.put(f"/api/sync/attachments/{sha}?offset=5&total=3", content=b"abc", headers=d.headers)
    assert past.status_code == 400
    assert client.put(f"/api/sync/attachments/{sha}?offset=0&total=10", content=data).status_code == 401
    other = Device(client, "canbo2")
    ok = client.put(f"/api/sync/attachments/{sha}?offset=0&total={len(data)}", content=data, headers=other.headers)
    assert ok.status_code == 200
    # A file no record in your communes references is not served.
    assert client.get(f"/api/sync/attachments/{sha}", headers=other.headers).status_code == 403


def test_a_present_file_cannot_be_relabelled(client, run_db):
    from backend.syncapi.services import get_sync_engine

    d = Device(client, "canbo")
    data = os.urandom(2_000)
    sha = hashlib.sha256(data).hexdigest()
    url = f"/api/sync/attachments/{sha}?offset=0&total={len(data)}"
    first = client.put(url, content=data, headers={**d.headers, "X-Content-Type": "image/jpeg"})
    assert first.status_code == 200 and first.json()["status"] == "present"
    again = client.put(url, content=data, headers={**d.headers, "X-Content-Type": "text/html"})
    assert again.status_code == 200
    row = run_db(lambda: get_sync_engine().attachment_row(sha))
    assert row["content_type"] == "image/jpeg"
    other = hashlib.sha256(b"x" * 10).hexdigest()
    client.put(
        f"/api/sync/attachments/{other}?offset=0&total=10",
        content=b"x" * 10,
        headers={**d.headers, "X-Content-Type": "text/html"},
    )
    assert run_db(lambda: get_sync_engine().attachment_row(other))["content_type"] == "application/octet-stream"


def _put(client, device: Device, sha: str, offset: int, total: int, chunk: bytes, media_type: str | None = None):
    headers = {**device.headers, **({"X-Content-Type": media_type} if media_type else {})}
    return client.put(f"/api/sync/attachments/{sha}?offset={offset}&total={total}", content=chunk, headers=headers)


def test_a_file_keeps_the_media_type_its_first_chunk_declared(client, run_db):
    from backend.syncapi.services import get_sync_engine

    d = Device(client, "canbo")
    data = os.urandom(3_000)
    sha = hashlib.sha256(data).hexdigest()
    sid = d.create_session()
    d.mutation(
        "create",
        "outreach_question",
        uuid.uuid4(),
        {"session_id": str(sid), "commune_id": CAO_LANH, "text": "Ảnh chữ ký", "photo_sha256": sha},
    )
    d.push()
    # A failed upload (hash mismatch) leaves nothing behind, its media type included.
    assert _put(client, d, sha, 0, 3, b"abc", "application/pdf").status_code == 422
    assert _put(client, d, sha, 0, 3_000, data[:1_000], "image/png").status_code == 200
    # A first chunk sent again (say its answer was lost) is refused at that offset and changes nothing.
    assert _put(client, d, sha, 0, 3_000, data[:1_000], "image/jpeg").status_code == 409
    assert _put(client, d, sha, 1_000, 3_000, data[1_000:2_000], "application/pdf").status_code == 200
    done = _put(client, d, sha, 2_000, 3_000, data[2_000:], "image/jpeg")
    assert done.status_code == 200 and done.json()["status"] == "present"
    assert run_db(lambda: get_sync_engine().attachment_row(sha))["content_type"] == "image/png"
    download = client.get(f"/api/sync/attachments/{sha}", headers=d.headers)
    assert download.status_code == 200 and download.headers["content-type"].startswith("image/png")
    assert not (get_settings().var_dir / "files" / "partial" / f"{sha}.type").exists()


def test_a_first_chunk_without_a_media_type_is_stored_as_bytes(client, run_db):
    from backend.syncapi.services import get_sync_engine

    d = Device(client, "canbo")
    data = os.urandom(2_000)
    sha = hashlib.sha256(data).hexdigest()
    assert _put(client, d, sha, 0, 2_000, data[:1_000]).status_code == 200
    assert _put(client, d, sha, 1_000, 2_000, data[1_000:], "image/jpeg").json()["status"] == "present"
    assert run_db(lambda: get_sync_engine().attachment_row(sha))["content_type"] == "application/octet-stream"
