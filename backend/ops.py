"""Operations: backups."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
from pathlib import Path

from backend.settings import get_settings


def backup(directory: Path | None = None) -> Path:
    """A consistent copy of the database, safe while the service runs."""
    settings = get_settings()
    target_dir = directory or settings.var_dir / "backups"
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    if settings.is_postgres:
        if shutil.which("pg_dump") is None:
            raise SystemExit("pg_dump is not installed")
        target = target_dir / f"gandan-{stamp}.dump"
        subprocess.run(["pg_dump", "--format=custom", f"--file={target}", settings.database_url], check=True)
        return target
    target = target_dir / f"gandan-{stamp}.sqlite3"
    source = sqlite3.connect(settings.sqlite_path)
    try:
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)  # SQLite's online backup API: consistent even under concurrent writes
        dest.close()
    finally:
        source.close()
    return target
