"""All migrations applied to an empty database give exactly the tables and columns the models describe."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from backend.db.piccolo_app import APP_CONFIG
from tests.conftest import IS_POSTGRES, ROOT
from tests.helpers import run_async, scratch_postgres_database

# PostgreSQL's names for the types Piccolo declares.
_PG_TYPES = {
    "integer": "int4",
    "boolean": "bool",
    "serial": "int4",
    "bigint": "int8",
    "bigserial": "int8",
    "double precision": "float8",
    "real": "float4",
    "smallint": "int2",
    "character varying": "varchar",
}


def _expected() -> dict[str, dict[str, tuple[str, bool]]]:
    tables: dict[str, dict[str, tuple[str, bool]]] = {}
    for table in APP_CONFIG.table_classes:
        tables[table._meta.tablename] = {
            column._meta.db_column_name: (column.column_type.split("(")[0].lower(), column._meta.null)
            for column in table._meta.columns
        }
    return tables


def _migrate(database_url: str, var_dir: Path) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "GANDAN_VAR_DIR": str(var_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "backend.cli", "migrate"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    again = subprocess.run(
        [sys.executable, "-m", "backend.cli", "migrate"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert "No migrations need to be run" in again.stdout
    assert "0 inserted, 0 updated" in again.stdout  # reference data is not loaded twice


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite variant; the PostgreSQL variant runs when DATABASE_URL is set")
def test_migrations_build_the_models_on_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite3"
    _migrate(f"sqlite:///{db}", tmp_path / "var")
    conn = sqlite3.connect(db)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        actual = {
            table: {
                row[1]: (row[2].split("(")[0].lower(), not row[3])
                for row in conn.execute(f"PRAGMA table_info({table})")
            }
            for table in names - {"migration", "sqlite_sequence"}
        }
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    expected = _expected()
    assert set(actual) == set(expected)
    for table, columns in expected.items():
        assert actual[table] == columns, table


@pytest.mark.skipif(not IS_POSTGRES, reason="needs DATABASE_URL pointing at PostgreSQL")
def test_migrations_build_the_models_on_postgres(tmp_path: Path) -> None:
    import asyncpg

    async def introspect(url: str) -> dict[str, dict[str, tuple[str, bool]]]:
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch(
                "SELECT table_name, column_name, udt_name, is_nullable FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name <> 'migration'"
            )
        finally:
            await conn.close()
        result: dict[str, dict[str, tuple[str, bool]]] = {}
        for r in rows:
            result.setdefault(r["table_name"], {})[r["column_name"]] = (
                r["udt_name"],
                r["is_nullable"] == "YES",
            )
        return result

    with scratch_postgres_database("migcheck") as url:
        _migrate(url, tmp_path / "var")
        actual = run_async(lambda: introspect(url))
    expected = {
        table: {col: (_PG_TYPES.get(kind, kind), null) for col, (kind, null) in columns.items()}
        for table, columns in _expected().items()
    }
    assert set(actual) == set(expected)
    for table, columns in expected.items():
        assert actual[table] == columns, table
