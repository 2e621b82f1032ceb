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
    # Tests only: run as if it were this moment (see backend/core/clock.py); refused outside GANDAN_ENV=test.
    test_now: str = field(default_factory=lambda: os.environ.get("GANDAN_TEST_NOW", "").strip())
    test_now_at: str = field(default_factory=lambda: os.environ.get("GANDAN_TEST_NOW_AT", "").strip())
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
    booking_max_per_phone_day: int = field(default_factory=lambda: _int("BOOKING_MAX_PER_PHONE_DAY", 3))
    booking_max_per_ip_hour: int = field(default_factory=lambda: _int("BOOKING_MAX_PER_IP_HOUR", 60))
    public_url: str = field(default_factory=lambda: os.environ.get("PUBLIC_URL", "").rstrip("/"))
    # Addresses of reverse proxies whose X-Forwarded-For is believed (comma-separated); empty: none.
    trusted_proxies: frozenset[str] = field(
        default_factory=lambda: frozenset(
            p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()
        )
    )
    sqlite_busy_ms: int = field(default_factory=lambda: _int("SQLITE_BUSY_MS", 10_000))
    # Web Push (backend/push). Keys empty → generated on first use and kept in var/vapid.json.
    vapid_private_key: str = field(default_factory=lambda: os.environ.get("VAPID_PRIVATE_KEY", ""))
    vapid_public_key: str = field(default_factory=lambda: os.environ.get("VAPID_PUBLIC_KEY", ""))
    vapid_subject: str = field(
        default_factory=lambda: os.environ.get("VAPID_SUBJECT", "mailto:hotro@gandan.dongthap.gov.vn")
    )
    push_timeout_s: float = field(default_factory=lambda: float(os.environ.get("PUSH_TIMEOUT_S") or 10))
    push_concurrency_per_origin: int = field(default_factory=lambda: _int("PUSH_CONCURRENCY_PER_ORIGIN", 50))
    push_batch: int = field(default_factory=lambda: _int("PUSH_BATCH", 200))
    push_lease_s: int = field(default_factory=lambda: _int("PUSH_LEASE_S", 60))
    push_poll_s: float = field(default_factory=lambda: float(os.environ.get("PUSH_POLL_S") or 1))
    push_backoff_base_s: float = field(default_factory=lambda: float(os.environ.get("PUSH_BACKOFF_BASE_S") or 10))
    push_max_attempts: int = field(default_factory=lambda: _int("PUSH_MAX_ATTEMPTS", 12))

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
