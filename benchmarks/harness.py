"""Shared pieces of the benchmarks: a real server process on a throw-away database, and an open-loop load client.

The load client runs in its own process so that it does not share the server's cores' time slices through the
same event loop; requests are sent on a fixed schedule (open loop), so a slow server shows up as latency rather
than as a politely reduced request rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(env_extra: dict[str, str] | None = None, workers: int = 1) -> Iterator[tuple[str, Path]]:
    """`gandan migrate`, `seed-demo`, then `gandan serve` on a free port; yields the base URL and var folder."""
    var = Path(tempfile.mkdtemp(prefix="gandan-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "GANDAN_VAR_DIR": str(var),
        "PORT": str(port),
        "WEB_WORKERS": str(workers),
        "LOG_LEVEL": "WARNING",
        "BOOKING_MAX_PER_IP_HOUR": "10000000",
        "BOOKING_MAX_PER_PHONE_DAY": "10000000",
        **(env_extra or {}),
    }
    if "DATABASE_URL" not in (env_extra or {}):
        env.pop("DATABASE_URL", None)  # the embedded default unless a benchmark asks for PostgreSQL
    gandan = [sys.executable, "-m", "backend.cli"]
    subprocess.run([*gandan, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*gandan, "seed-demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    # A session of its own, so that the server and its worker processes are stopped together.
    process = subprocess.Popen(
        [*gandan, "serve"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # `timeout` and CI send SIGTERM: turn it into an exit that runs the clean-up below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")
        yield base, var
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class LoadResult:
    name: str
    rate: float
    sent: int
    ok: int
    errors: dict[str, int]
    latencies_ms: list[float]
    seconds: float

    def pct(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    @property
    def achieved(self) -> float:
        return self.ok / self.seconds

    def line(self) -> str:
        median = statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(self.errors.items())) or "none"
        return (
            f"{self.name:<28} target {self.rate:>6.0f}/s  achieved {self.achieved:>7.1f}/s  "
            f"p50 {median:6.1f} ms  p99 {self.pct(99):7.1f} ms  max {max(self.latencies_ms or [0]):7.1f} ms  "
            f"errors {errors}"
        )


async def open_loop(
    name: str,
    base: str,
    rate: float,
    seconds: float,
    make_request: Callable[[int], tuple[str, str, dict[str, object] | None]],
    expect: tuple[int, ...] = (200, 201),
) -> LoadResult:
    """Send `rate` requests per second for `seconds`, on schedule, and time each one."""
    total = int(rate * seconds)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
    async with httpx.AsyncClient(base_url=base, timeout=5, limits=limits) as client:

        async def one(i: int) -> None:
            method, path, body = make_request(i)
            started = time.perf_counter()
            try:
                response = await client.request(method, path, json=body)
                status = str(response.status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            elapsed = (time.perf_counter() - started) * 1000
            if status.isdigit() and int(status) in expect:
                latencies.append(elapsed)
            else:
                errors[status] = errors.get(status, 0) + 1

        begin = time.perf_counter()
        tasks = []
        for i in range(total):
            delay = begin + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        # Requests still waiting 5 s after the schedule ended count as timeouts: the server is saturated.
        _, late = await asyncio.wait(tasks, timeout=5)
        for task in late:
            task.cancel()
        if late:
            errors["unfinished"] = errors.get("unfinished", 0) + len(late)
        elapsed = time.perf_counter() - begin
    return LoadResult(name, rate, total, len(latencies), errors, latencies, elapsed)
