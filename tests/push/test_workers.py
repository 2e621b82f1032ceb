"""Real `gandan worker` processes: one killed mid-send, and two racing for the same outbox."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, Travel
from tests.push.conftest import Push


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.02)


def _started(log: Path) -> bool:
    return b"push delivery started" in log.read_bytes()


class Workers:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.procs: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, **env: str) -> subprocess.Popen[bytes]:
        log = self.tmp_path / f"worker-{len(self.procs)}.log"
        environment = {**os.environ, "LOG_LEVEL": "INFO", "PUSH_POLL_S": "0.02", **env}
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "backend.cli", "worker"], env=environment, cwd=ROOT, stderr=out, stdout=out
            )
        self.procs.append((proc, log))
        return proc

    def wait_ready(self) -> None:
        for proc, log in self.procs:
            _wait(functools.partial(_started, log), 30, f"worker {proc.pid} to start")

    def stop_all(self) -> None:
        for proc, _ in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc, _ in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    w = Workers(tmp_path)
    yield w
    w.stop_all()


def test_a_worker_killed_mid_send_leads_to_exactly_one_resend(push: Push, workers: Workers, travel: Travel) -> None:
    origin = push.receiver.origins[0]
    owner, _ = push.subscribe(origin)
    push.enqueue(owner, text="gửi lại một lần")
    push.receiver.set_default(origin, "hang")
    worker = workers.start(PUSH_TIMEOUT_S="3", PUSH_LEASE_S="5")
    _wait(lambda: len(push.receiver.at(origin)) == 1, 30, "the worker to send")
    worker.send_signal(signal.SIGKILL)  # dies holding the lease, before recording anything
    worker.wait(timeout=10)
    [message] = push.messages()
    assert message["status"] == "sending" and message["lease_owner"] != ""
    push.receiver.set_default(origin, 201)
    assert push.deliver() == []  # the dead worker's lease still holds
    travel(6)  # its lease (5 s) is over
    [outcome] = push.deliver()
    assert outcome.status == "sent"
    [message] = push.messages()
    assert (message["attempts"], message["reclaims"]) == (2, 1)
    got = push.receiver.at(origin)
    assert len(got) == 2 and got[0].payload == got[1].payload  # the lost send, and one resend
    travel(3600)
    assert push.deliver() == [] and len(push.receiver.at(origin)) == 2


def test_two_workers_share_the_outbox_without_duplicates(push: Push, workers: Workers) -> None:
    owners = [uuid.uuid4() for _ in push.receiver.origins]
    for origin, owner in zip(push.receiver.origins, owners, strict=True):
        push.subscribe_many(origin, owner, 300)
    for _ in range(2):
        workers.start(PUSH_BATCH="50")
    workers.wait_ready()
    for owner in owners:  # queued while both workers poll
        assert push.enqueue(owner) == 300
    _wait(lambda: sum(m["status"] == "sent" for m in push.messages()) == 900, 45, "all messages sent")
    received = Counter(r.endpoint for r in push.receiver.received)
    assert len(received) == 900 and set(received.values()) == {1}  # every browser exactly once
    assert push.receiver.problems() == []
    assert len(push.receiver.tokens()) > len(owners)  # each worker signs its own token: both took part
    assert all(m["attempts"] == 1 for m in push.messages())
