"""Browser tests: the real server in a subprocess, Debian's Chromium driven by pytest-playwright.

The server runs `gandan migrate`, `gandan seed-demo` and `gandan serve` on a free port, with its own var
directory and a copy of pwa/dist (the update test edits the copy's service worker). When DATABASE_URL points at
PostgreSQL, the server gets a new database of its own beside it; otherwise a fresh SQLite file in its var directory.

Missing prerequisites (a built PWA, Chromium) skip these tests, except under CI=true, where they fail.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page

from backend.db.columns import utcnow
from tests.e2e.support import AXE_JS, DEMO_PASSWORD, DIST, ROOT
from tests.helpers import scratch_postgres_database

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
GANDAN = ROOT / ".venv" / "bin" / "gandan"


def _missing_prerequisites() -> list[str]:
    missing = []
    if not (DIST / "index.html").is_file() or not (DIST / "staff" / "index.html").is_file():
        missing.append("the PWA is not built (run `cd pwa && npm ci && npm run build`)")
    if not Path(CHROMIUM).exists():
        missing.append(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)")
    if not AXE_JS.is_file():
        missing.append("pwa/node_modules/axe-core is missing (run `cd pwa && npm ci`)")
    if not GANDAN.exists():
        missing.append(f"{GANDAN} is missing (run `make install`)")
    return missing


@pytest.fixture(scope="session", autouse=True)
def _e2e_prerequisites() -> None:
    missing = _missing_prerequisites()
    if missing:
        reason = "browser tests need: " + "; ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    dist: Path
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(repr=False)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _server_env(tmp: Path, port: int, dist: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GANDAN_VAR_DIR=str(tmp / "var"),
        PWA_DIST=str(dist),
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_WORKERS="1",
        LOG_LEVEL="WARNING",
    )
    # PostgreSQL (CI's second run) is passed through; any SQLite URL (the API tests' file) is not shared.
    if not env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        env.pop("DATABASE_URL", None)
    return env


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, _e2e_prerequisites: None) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("e2e-server")
    dist = tmp / "dist"
    shutil.copytree(DIST, dist)
    port = _free_port()
    env = _server_env(tmp, port, dist)
    with contextlib.ExitStack() as stack:
        if env.get("DATABASE_URL"):  # PostgreSQL: a database of its own, apart from the API tests'
            env["DATABASE_URL"] = stack.enter_context(scratch_postgres_database("e2e"))
        yield from _serve(tmp, dist, port, env)


def _serve(tmp: Path, dist: Path, port: int, env: dict[str, str]) -> Iterator[Server]:
    for command in ("migrate", "seed-demo"):
        done = subprocess.run([str(GANDAN), command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            pytest.fail(f"gandan {command} failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    log = tmp / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(GANDAN), "serve"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    srv = Server(url=f"http://127.0.0.1:{port}", dist=dist, process=process, log=log, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited ({process.returncode}):\n{srv.log_tail()}", pytrace=False)
            try:
                with urllib.request.urlopen(f"{srv.url}/api/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer /api/health:\n{srv.log_tail()}", pytrace=False)
            time.sleep(0.2)
        yield srv
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the server we started: its own process group (it was started in a new session)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def base_url(server: Server) -> str:
    return server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture
def new_context(new_context: Callable[..., BrowserContext]) -> Callable[..., BrowserContext]:
    """Every browser context runs on the suite's clock: with GANDAN_TEST_NOW the page's Date agrees with the server."""

    def make(**kwargs: Any) -> BrowserContext:
        context = new_context(**kwargs)
        if os.environ.get("GANDAN_TEST_NOW"):
            context.clock.install(time=utcnow())
        return context

    return make


@dataclass(frozen=True)
class StaffUser:
    id: str
    username: str
    full_name: str
    password: str = DEMO_PASSWORD


def create_staff_user(
    env: dict[str, str], role: str = "officer", communes: tuple[str, ...] = ("29869",), full_name: str = ""
) -> StaffUser:
    """A staff user of the test's own, so that no other test's visits or sessions show up on its screens."""
    username = f"{role[:3]}-{secrets.token_hex(4)}"
    full_name = full_name or f"Cán bộ thử {username[-4:].upper()}"
    done = subprocess.run(
        [
            str(GANDAN),
            "create-user",
            username,
            "--full-name",
            full_name,
            "--role",
            role,
            "--communes",
            ",".join(communes),
        ],
        cwd=ROOT,
        env={**env, "GANDAN_PASSWORD": DEMO_PASSWORD},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"gandan create-user failed:\n{done.stdout}\n{done.stderr}"
    return StaffUser(id=done.stdout.strip().rsplit(" ", 1)[-1], username=username, full_name=full_name)


@pytest.fixture
def staff_user(server: Server) -> Callable[..., StaffUser]:
    """`staff_user()` → a fresh officer of Phường Cao Lãnh; `staff_user("dispatcher", ("29888",))` and so on."""
    return functools.partial(create_staff_user, server.env)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # Test modules choose the viewport: a phone for the citizen app, a tablet for the staff app.
    return {**browser_context_args, "locale": "vi-VN"}


@dataclass
class PageProblems:
    """Console errors and uncaught exceptions; a CSP violation shows up here."""

    errors: list[str] = field(default_factory=list)

    def unexpected(self, *, offline_ok: bool = False) -> list[str]:
        ignored = ("net::ERR_INTERNET_DISCONNECTED", "Failed to fetch", "Failed to load resource")
        return [e for e in self.errors if not (offline_ok and any(i in e for i in ignored))]


@pytest.fixture
def problems(page: Page) -> Iterator[PageProblems]:
    found = PageProblems()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            found.errors.append(message.text)

    def on_error(error: Error) -> None:
        found.errors.append(f"uncaught: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_error)
    yield found
    csp = [e for e in found.errors if "Content Security Policy" in e or "Refused to" in e]
    assert not csp, f"CSP violations: {csp}"
