"""Every setting comes from the environment, with defaults that run on a laptop with no set-up.

The README lists each variable; keep the two in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).resolve() if raw else default


@dataclass(frozen=True)
class Settings:
    env: str = field(default_factory=lambda: os.environ.get("GANDAN_ENV", "development"))
    var_dir: Path = field(default_factory=lambda: _path("GANDAN_VAR_DIR", ROOT / "var"))
    database_url: str = field(default_factory=lambda: os.environ.get("DATABASE_URL", ""))
    host: str = field(default_factory=lambda: os.environ.get("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: _int("PORT", 8000))
    web_workers: int = field(default_factory=lambda: _int("WEB_WORKERS", 1))
    log_level: str = field(default_factory=lambda: os.environ.get("LOG_LEVEL", "INFO").upper())
    pwa_dist: Path = field(default_factory=lambda: _path("PWA_DIST", ROOT / "pwa" / "dist"))
    data_dir: Path = field(default_factory=lambda: _path("GANDAN_DATA_DIR", ROOT / "data"))
    max_body_bytes: int = field(default_factory=lambda: _int("MAX_BODY_BYTES", 1_048_576))
    session_days: int = field(default_factory=lambda: _int("SESSION_DAYS", 30))
    login_max_failures: int = field(default_factory=lambda: _int("LOGIN_MAX_FAILURES", 5))
    login_window_minutes: int = field(default_factory=lambda: _int("LOGIN_WINDOW_MINUTES", 15))
    sqlite_busy_ms: int = field(default_factory=lambda: _int("SQLITE_BUSY_MS", 10_000))

    @property
    def sqlite_path(self) -> Path:
        """The embedded database file, used when DATABASE_URL is empty or a sqlite: URL."""
        url = self.database_url
        if url.startswith("sqlite:///"):
            return Path(url.removeprefix("sqlite:///")).resolve()
        return self.var_dir / "gandan.sqlite3"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))


def get_settings() -> Settings:
    return Settings()
