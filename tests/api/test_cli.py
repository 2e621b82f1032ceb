"""The `gandan` command: users, demo data, backups, OpenAPI export."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.conftest import IS_POSTGRES, ROOT


def gandan(*args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if password is not None:
        env["GANDAN_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_create_user_then_log_in(client: TestClient[Any]) -> None:
    username = f"cb{uuid.uuid4().hex[:8]}"
    done = gandan(
        "create-user",
        username,
        "--full-name",
        "Đỗ Thị Mai",
        "--role",
        "officer",
        "--communes",
        "29869",
        password="mat-khau-manh-2026",
    )
    assert done.returncode == 0, done.stderr
    response = client.post(
        "/api/auth/login",
        json={"username": username, "password": "mat-khau-manh-2026", "device_id": str(uuid.uuid4())},
    )
    assert response.status_code == 200
    assert response.json()["user"] | {"id": None} == {
        "id": None,
        "username": username,
        "full_name": "Đỗ Thị Mai",
        "role": "officer",
        "communes": ["29869"],
    }


def test_create_user_refuses_weak_passwords_and_unknown_roles() -> None:
    weak = gandan("create-user", "someone", "--full-name", "A", "--role", "officer", password="short")
    assert weak.returncode != 0 and "at least 8" in weak.stderr
    role = gandan("create-user", "someone", "--full-name", "A", "--role", "boss", password="long-enough-1")
    assert role.returncode != 0 and "invalid choice" in role.stderr


def test_seed_demo_is_idempotent() -> None:
    done = gandan("seed-demo")
    assert done.returncode == 0 and "none (already there)" in done.stdout


def test_openapi_export_is_stable(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert gandan("openapi", str(first)).returncode == 0
    assert gandan("openapi", str(second)).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    assert "/api/auth/login" in json.loads(first.read_text())["paths"]


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite backup; pg_dump is the PostgreSQL path")
def test_backup_is_a_consistent_copy(tmp_path: Path) -> None:
    done = gandan("backup", "--directory", str(tmp_path))
    assert done.returncode == 0, done.stderr
    copy = Path(done.stdout.strip())
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM staff_user").fetchone()[0] >= 5
    finally:
        conn.close()
