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
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page

from backend.db.columns import utcnow
from tests.e2e.support import AXE_JS, DEMO_PASSWORD, DIST, ROOT
from tests.helpers import scratch_postgres_database
from tests.servers import ServerProcess, server_env

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


Server = ServerProcess  # the browser tests' server


def browser_test_env(tmp: Path, dist: Path = DIST) -> dict[str, str]:
    """A server's environment: its own var directory and PWA copy; on SQLite a fresh file in that var directory."""
    env = server_env(tmp / "var", PWA_DIST=str(dist))
    # PostgreSQL is passed through (and replaced by a database of its own, see serve_for_browser); the API tests'
    # SQLite file is not shared.
    if not env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        env.pop("DATABASE_URL", None)
    return env


def serve_for_browser(stack: contextlib.ExitStack, tmp: Path, env: dict[str, str]) -> ServerProcess:
    """Migrate, load the demo users and serve, on a database of the server's own; stopped when `stack` closes."""
    if env.get("DATABASE_URL"):  # PostgreSQL: a new database beside the API tests'
        env["DATABASE_URL"] = stack.enter_context(scratch_postgres_database("e2e"))
    for command in ("migrate", "seed-demo"):
        done = subprocess.run([str(GANDAN), command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            pytest.fail(f"gandan {command} failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    srv = ServerProcess(env=env, log=tmp / "server.log")
    stack.callback(srv.stop)
    try:
        return srv.start()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, _e2e_prerequisites: None) -> Iterator[Server]:
    """One server for the browser tests; PWA_DIST is a copy that the update test may edit."""
    tmp = tmp_path_factory.mktemp("e2e-server")
    shutil.copytree(DIST, tmp / "dist")
    with contextlib.ExitStack() as stack:
        yield serve_for_browser(stack, tmp, browser_test_env(tmp, tmp / "dist"))


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
