"""Sync benchmark: push ingest with 8 devices at once, and no-change pull at 1k and 1M rows.

    .venv/bin/python -m benchmarks.sync_bench          (or: python benchmarks/sync_bench.py)

Each engine runs in a child process with its own throwaway database: a temporary SQLite file, and a
PostgreSQL database `gandan_syncbench` on 127.0.0.1:5432 when one is reachable. Figures are printed
against baselines measured in the same run:
- push: raw `executemany` of the same rows into a table of the same shape (what the bare driver can do);
- pull: the engine's own no-change pull at 1k rows (a flat cost means a ratio near 1 at 1M).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URLS = ["postgresql://postgres@127.0.0.1:5432/postgres", "postgresql://postgres@127.0.0.1:5432/test"]
PG_BENCH_DB = "gandan_syncbench"

DEVICES = 8
BATCHES = 10  # per device
BATCH = 250  # mutations per push
BIG = 1_000_000
SMALL = 1_000


# ---------------------------------------------------------------------- child: one engine


def _mutations(n: int, commune: str) -> list[Any]:
    from sync.messages import Mutation

    return [
        Mutation(
            id=uuid.uuid4(),
            seq=i + 1,
            name="create",
            entity="outreach_session",
            entity_id=uuid.uuid4(),
            changed={
                "commune_id": commune,
                "kind": "village_outreach",
                "title": f"Đối thoại với Nhân dân khóm {i}",
                "place": "Nhà văn hóa khóm",
                "held_on": "2026-11-20",
                "attendance": i % 90,
                "notes": "Bà con hỏi về cấp giấy chứng nhận quyền sử dụng đất",
            },
        )
        for i in range(n)
    ]


async def _push_ingest(engine: Any) -> dict[str, float]:
    from sync.engine import Actor
    from sync.messages import PushRequest

    async def device(index: int) -> None:
        actor = Actor(client_id=uuid.uuid4(), user_id=None, communes=frozenset({f"9{index:04d}"}))
        mutations = _mutations(BATCHES * BATCH, f"9{index:04d}")
        for b in range(BATCHES):
            chunk = mutations[b * BATCH : (b + 1) * BATCH]
            await engine.push(PushRequest(protocol=1, schema=2, client_id=actor.client_id, mutations=chunk), actor)

    await device(99)  # warm up (connections, statement caches)
    started = time.perf_counter()
    await asyncio.gather(*(device(i) for i in range(DEVICES)))
    concurrent = DEVICES * BATCHES * BATCH / (time.perf_counter() - started)

    started = time.perf_counter()
    await device(98)
    single = BATCHES * BATCH / (time.perf_counter() - started)

    # The same batch again: every mutation skipped, stored results returned (the cost of a retry).
    actor = Actor(client_id=uuid.uuid4(), user_id=None, communes=frozenset({"97000"}))
    request = PushRequest(protocol=1, schema=2, client_id=actor.client_id, mutations=_mutations(BATCH, "97000"))
    await engine.push(request, actor)
    started = time.perf_counter()
    await engine.push(request, actor)
    replay_ms = (time.perf_counter() - started) * 1000
    return {"push_concurrent": concurrent, "push_single": single, "replay_batch_ms": replay_ms}


async def _baseline_insert(engine: Any) -> float:
    """Raw executemany of the same rows, one transaction per batch: the driver's ceiling for these rows."""
    db = engine.db
    async with db.write() as tx:
        await tx.execute("CREATE TABLE bench_baseline AS SELECT * FROM outreach_session WHERE 1 = 0")
        # The same indexes as the real table (primary key, commune), so only the engine's work differs.
        await tx.execute("CREATE UNIQUE INDEX bench_baseline_id ON bench_baseline (id)")
        await tx.execute("CREATE INDEX bench_baseline_commune ON bench_baseline (commune_id)")
    columns = (
        "id",
        "commune_id",
        "kind",
        "title",
        "place",
        "held_on",
        "attendance",
        "notes",
        "version",
        "updated_at",
        "deleted_at",
        "field_versions",
    )
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    rows = [
        (
            uuid.uuid4(),
            "96000",
            "village_outreach",
            f"Đối thoại với Nhân dân khóm {i}",
            "Nhà văn hóa khóm",
            dt.date(2026, 11, 20),
            i % 90,
            "Bà con hỏi về cấp giấy chứng nhận quyền sử dụng đất",
            i,
            now,
            None,
            "{}",
        )
        for i in range(BATCHES * BATCH)
    ]
    sql = f"INSERT INTO bench_baseline ({', '.join(columns)}) VALUES ({', '.join(f'${i + 1}' for i in range(12))})"
    started = time.perf_counter()
    for b in range(BATCHES):
        async with db.write() as tx:
            await tx.executemany(sql, rows[b * BATCH : (b + 1) * BATCH])
    return BATCHES * BATCH / (time.perf_counter() - started)


async def _bulk_load(engine: Any, commune: str, count: int, start_no: int) -> int:
    """Put `count` change-log rows of one commune straight into the tables (not through the API)."""
    import datetime as dt

    db = engine.db
    now = dt.datetime.now(dt.UTC)
    data = '{"title":"Đối thoại","attendance":12}'
    step = 50_000
    for offset in range(0, count, step):
        n = min(step, count - offset)
        rows = [(start_no + offset + i, "outreach_session", uuid.uuid4(), commune, False, data, now) for i in range(n)]
        async with db.write() as tx:
            if db.postgres:
                await tx.connection.copy_records_to_table(
                    "sync_change",
                    records=rows,
                    columns=["change_no", "entity", "entity_id", "commune_id", "deleted", "data", "changed_at"],
                )
            else:
                await tx.executemany(
                    "INSERT INTO sync_change (change_no, entity, entity_id, commune_id, deleted, data, changed_at) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    rows,
                )
    last = start_no + count - 1
    async with db.write() as tx:
        await tx.execute(
            "INSERT INTO sync_scope_head (commune_id, change_no) VALUES ($1, $2) "
            "ON CONFLICT (commune_id) DO UPDATE SET change_no = excluded.change_no",
            commune,
            last,
        )
        await tx.execute("UPDATE sync_server SET counter = $1 WHERE id = 1", last)
        if db.postgres:
            await tx.execute("ANALYZE sync_change")
        else:
            await tx.execute("ANALYZE")
    return last


async def _time_pull(engine: Any, commune: str, repeats: int = 200) -> dict[str, float]:
    from sync.engine import Actor, encode_cursor
    from sync.messages import Cursor, PullRequest

    state = await engine.server_state()
    actor = Actor(client_id=uuid.uuid4(), user_id=None, communes=frozenset({commune}))
    cursor = encode_cursor(
        Cursor(
            s=state["server_id"],
            e=int(state["epoch"]),
            p={commune: int(state["counter"])},
            c=actor.client_id,
            h=int(state["tombstone_horizon"]),
        )
    )
    quiet = PullRequest(protocol=1, schema=2, client_id=actor.client_id, cursor=cursor)
    first = PullRequest(protocol=1, schema=2, client_id=actor.client_id, cursor=None)
    for _ in range(10):
        page = await engine.pull(quiet, actor)
        assert page.changes == [] and not page.reset
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await engine.pull(quiet, actor)
        times.append(time.perf_counter() - started)
    firsts = []
    for _ in range(10):
        started = time.perf_counter()
        page = await engine.pull(first, actor)
        firsts.append(time.perf_counter() - started)
    assert len(page.changes) == 1000
    return {
        "quiet_ms": statistics.median(times) * 1000,
        "quiet_p95_ms": sorted(times)[int(repeats * 0.95)] * 1000,
        "first_page_ms": statistics.median(firsts) * 1000,
    }


async def _child(kind: str) -> dict[str, Any]:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from backend.db.engine import close_engine, prepare_engine
    from backend.syncapi.services import get_sync_engine

    result = await run_forwards("core")
    assert result.success, result.message
    await prepare_engine()
    try:
        engine = get_sync_engine()
        await engine.ensure_state()
        out: dict[str, Any] = {"engine": kind}
        out.update(await _push_ingest(engine))
        out["baseline_insert"] = await _baseline_insert(engine)
        counter = int((await engine.server_state())["counter"])
        started = time.perf_counter()
        last = await _bulk_load(engine, "81000", SMALL, counter + 1)
        out["pull_1k"] = await _time_pull(engine, "81000")
        last = await _bulk_load(engine, "81000", BIG - SMALL, last + 1)
        out["load_seconds"] = time.perf_counter() - started
        out["pull_1m"] = await _time_pull(engine, "81000")
        return out
    finally:
        await close_engine()


# ---------------------------------------------------------------------- parent


def _postgres_url() -> str | None:
    import asyncpg

    async def make() -> str | None:
        for url in PG_ADMIN_URLS:
            try:
                conn = await asyncpg.connect(url, timeout=3)
            except (OSError, asyncpg.PostgresError):
                continue
            try:
                await conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
                await conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")
            finally:
                await conn.close()
            return url.rsplit("/", 1)[0] + f"/{PG_BENCH_DB}"
        return None

    return asyncio.run(make())


def _drop_postgres() -> None:
    import asyncpg

    async def drop() -> None:
        for url in PG_ADMIN_URLS:
            try:
                conn = await asyncpg.connect(url, timeout=3)
            except (OSError, asyncpg.PostgresError):
                continue
            try:
                await conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            finally:
                await conn.close()
            return

    asyncio.run(drop())


def _run_child(kind: str, database_url: str) -> dict[str, Any]:
    tmp = tempfile.mkdtemp(prefix="gandan-syncbench-")
    env = {**os.environ, "GANDAN_VAR_DIR": tmp, "LOG_LEVEL": "WARNING"}
    env["DATABASE_URL"] = database_url or f"sqlite:///{tmp}/bench.sqlite3"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.sync_bench", "--child", kind],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{kind} benchmark failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _report(r: dict[str, Any]) -> None:
    name = r["engine"]
    print(f"\n== {name} ==")
    print(
        f"push, {DEVICES} devices at once ({DEVICES * BATCHES * BATCH} creates in batches of {BATCH}): "
        f"{r['push_concurrent']:,.0f} mutations/s"
    )
    print(f"push, one device alone: {r['push_single']:,.0f} mutations/s")
    print(
        f"baseline: raw executemany of the same rows: {r['baseline_insert']:,.0f} rows/s  →  push is "
        f"{r['push_concurrent'] / r['baseline_insert']:.2f}× the bare insert "
        f"({'meets' if r['push_concurrent'] >= 5000 else 'MISSES'} the 5,000/s target)"
    )
    print(f"replayed batch of {BATCH} (all skipped, stored results returned): {r['replay_batch_ms']:.1f} ms")
    p1, pm = r["pull_1k"], r["pull_1m"]
    print(
        f"no-change pull: {p1['quiet_ms']:.2f} ms at 1k rows, {pm['quiet_ms']:.2f} ms at 1M rows "
        f"(p95 {p1['quiet_p95_ms']:.2f} / {pm['quiet_p95_ms']:.2f} ms) → ratio 1M/1k "
        f"{pm['quiet_ms'] / p1['quiet_ms']:.2f} ({'meets' if pm['quiet_ms'] < 10 else 'MISSES'} < 10 ms)"
    )
    print(
        f"first-sync page of 1000 rows: {p1['first_page_ms']:.1f} ms at 1k, {pm['first_page_ms']:.1f} ms at 1M "
        f"(ratio {pm['first_page_ms'] / p1['first_page_ms']:.2f})"
    )
    print(f"(bulk load of 1M change rows: {r['load_seconds']:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_child(args.child))))
        return
    results = [_run_child("sqlite", "")]
    pg = _postgres_url()
    if pg is None:
        print("PostgreSQL not reachable on 127.0.0.1:5432: skipped")
    else:
        try:
            results.append(_run_child("postgresql", pg))
        finally:
            _drop_postgres()
    for r in results:
        _report(r)


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, str(ROOT))
    main()
