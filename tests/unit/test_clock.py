"""The server clock that tests may start at another moment: honoured in test only, shared by every process."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT

READ_CLOCK = (
    "from backend.core.clock import configure_clock; from backend.settings import get_settings; "
    "configure_clock(get_settings()); from backend.db.columns import utcnow; print(utcnow().isoformat())"
)


def _run(tmp_path: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GANDAN_TEST_NOW")}
    environment.update(GANDAN_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_processes_given_the_same_moment_agree_and_time_flows_on(tmp_path: Path) -> None:
    an_hour_ago = repr(time.time() - 3600)
    env = {"GANDAN_ENV": "test", "GANDAN_TEST_NOW": "2027-02-05T23:30", "GANDAN_TEST_NOW_AT": an_hour_ago}
    readings = []
    for _ in range(2):
        done = _run(tmp_path, READ_CLOCK, **env)
        assert done.returncode == 0, done.stderr
        readings.append(dt.datetime.fromisoformat(done.stdout.strip()))
    # It was 23:30 in Viet Nam (no offset given: Asia/Ho_Chi_Minh), 16:30 UTC, an hour ago; the rest is start-up.
    now = dt.datetime(2027, 2, 5, 16, 30, tzinfo=dt.UTC) + dt.timedelta(hours=1)
    for reading in readings:
        assert now <= reading < now + dt.timedelta(minutes=5)
    assert readings[0] <= readings[1]


def test_a_moved_clock_is_refused_outside_tests(tmp_path: Path) -> None:
    for environment in ("production", "development"):
        done = _run(tmp_path, READ_CLOCK, GANDAN_ENV=environment, GANDAN_TEST_NOW="2027-02-05T09:00")
        assert done.returncode != 0
        assert "GANDAN_TEST_NOW is honoured only with GANDAN_ENV=test" in done.stderr


def test_a_moment_that_cannot_be_read_stops_the_start(tmp_path: Path) -> None:
    done = _run(tmp_path, READ_CLOCK, GANDAN_ENV="test", GANDAN_TEST_NOW="mùng một Tết")
    assert done.returncode != 0 and "cannot be read" in done.stderr


def test_without_a_moment_the_clock_is_the_real_one(tmp_path: Path) -> None:
    before = dt.datetime.now(dt.UTC)
    done = _run(tmp_path, READ_CLOCK, GANDAN_ENV="production")
    assert done.returncode == 0, done.stderr
    assert before <= dt.datetime.fromisoformat(done.stdout.strip()) <= dt.datetime.now(dt.UTC)
