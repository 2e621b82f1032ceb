"""Real `gandan serve` processes for the tests that need one: a free port, start, wait until healthy, stop or kill.

The server runs in a process group of its own (granian's workers included), so that stop() and kill() end all of
it; kill() is a real outage (SIGKILL, no graceful shutdown), and start() brings it back on the same port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(var_dir: Path, port: int | None = None, **extra: str) -> dict[str, str]:
    """This process's environment (the test database, the suite's clock) for a server of its own on `port`."""
    return {
        **os.environ,
        "GANDAN_VAR_DIR": str(var_dir),
        "HOST": "127.0.0.1",
        "PORT": str(port or free_port()),
        "WEB_WORKERS": "1",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to a process started in a session of its own (and its children), SIGKILL if it does not end."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@dataclass
class ServerProcess:
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def port(self) -> int:
        return int(self.env["PORT"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def launch(self) -> subprocess.Popen[bytes]:
        """Start the process without waiting for it (a test of start-up itself)."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "backend.cli", "serve"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self.process

    def start(self, timeout: float = 60) -> ServerProcess:
        process = self.launch()
        deadline = time.monotonic() + timeout
        while not self.alive():
            if process.poll() is not None:
                raise RuntimeError(f"the server exited ({process.returncode}):\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /api/health:\n{self.log_tail()}")
            time.sleep(0.1)
        return self

    def alive(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/api/health", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def stop(self) -> None:
        """SIGTERM to the whole group, SIGKILL if it does not end."""
        if self.process is not None:
            stop_group(self.process)

    def kill(self) -> None:
        """SIGKILL the whole group: connections just fail, nothing shuts down cleanly."""
        process = self.process
        if process is not None and process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextmanager
def running_server(env: dict[str, str], log: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(env=env, log=log)
    try:
        yield server.start()
    finally:
        server.stop()
