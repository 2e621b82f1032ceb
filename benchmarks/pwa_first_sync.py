"""The staff PWA's first sync: 50,000 outreach questions pulled and written into IndexedDB in headless Chromium.

    .venv/bin/python -m benchmarks.pwa_first_sync [--records 50000]      (needs `cd pwa && npm run build`)

1. A throw-away server: `gandan migrate`, `seed-demo`, then 50,000 synced rows bulk-inserted with raw SQL
   through the sync engine's tables (the entity table, the change log `sync_change`, `sync_scope_head` and the
   counter), spread over canbo's two communes — what `SyncEngine.push` would have left, without its cost.
2. `gandan serve`; Debian's Chromium (headless) opens /staff/, logs in as canbo; the app's own first sync
   runs (push, pull every page, apply each page in one Dexie transaction). The engine records its pull figures
   (pages, time waiting for the network, time applying) in IndexedDB (`meta.last_pull`).
3. Baseline in the same page: raw IndexedDB `put` of the same records, already in memory, 1,000 per
   transaction into a fresh database with the same indexes — what the browser can write at best.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "pwa" / "dist"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "gandan-demo-2026"
COMMUNES = ("29869", "29888")  # canbo's communes (Phường Cao Lãnh, Phường Mỹ Trà)
TARGET = 10_000
CATEGORIES = ("land", "social_welfare", "infrastructure", "health", "education", "other")


# ---------------------------------------------------------------------- child: bulk seed


async def _seed(count: int) -> dict[str, Any]:
    from backend.db.engine import close_engine, prepare_engine
    from backend.syncapi.services import get_sync_engine

    await prepare_engine()
    try:
        engine = get_sync_engine()
        await engine.ensure_state()
        db = engine.db
        counter = int((await engine.server_state())["counter"])
        now = dt.datetime.now(dt.UTC)
        stamp = now.isoformat()
        rng = random.Random(7)
        sessions: list[tuple[Any, ...]] = []
        changes: list[tuple[Any, ...]] = []
        no = counter
        session_ids: dict[str, list[uuid.UUID]] = {}
        for commune in COMMUNES:
            for k in range(50):
                no += 1
                sid = uuid.uuid4()
                session_ids.setdefault(commune, []).append(sid)
                title = f"Đối thoại với Nhân dân khóm {k + 1}"
                sessions.append(
                    (
                        sid,
                        commune,
                        "village_outreach",
                        title,
                        "Nhà văn hóa",
                        dt.date(2026, 10, 1),
                        40,
                        "",
                        no,
                        now,
                        None,
                        "{}",
                    )
                )
                data = {
                    "id": str(sid),
                    "commune_id": commune,
                    "kind": "village_outreach",
                    "title": title,
                    "place": "Nhà văn hóa",
                    "held_on": "2026-10-01",
                    "attendance": 40,
                    "notes": "",
                    "version": no,
                    "updated_at": stamp,
                }
                changes.append((no, "outreach_session", sid, commune, False, json.dumps(data, ensure_ascii=False), now))
        questions: list[tuple[Any, ...]] = []
        for i in range(count):
            no += 1
            commune = COMMUNES[i % len(COMMUNES)]
            qid = uuid.uuid4()
            sid = rng.choice(session_ids[commune])
            text = (
                f"Kiến nghị số {i + 1}: đề nghị sửa đường, nạo vét kênh và hỗ trợ thủ tục đất đai cho bà con trong ấp."
            )
            category = CATEGORIES[i % len(CATEGORIES)]
            questions.append(
                (
                    qid,
                    sid,
                    commune,
                    "Nguyễn Văn Bảy",
                    text,
                    category,
                    "in_person",
                    "open",
                    "",
                    None,
                    no,
                    now,
                    None,
                    "{}",
                )
            )
            data = {
                "id": str(qid),
                "commune_id": commune,
                "session_id": str(sid),
                "asker_name": "Nguyễn Văn Bảy",
                "text": text,
                "category": category,
                "channel": "in_person",
                "status": "open",
                "answer": "",
                "photo_sha256": None,
                "version": no,
                "updated_at": stamp,
            }
            changes.append((no, "outreach_question", qid, commune, False, json.dumps(data, ensure_ascii=False), now))
        started = time.perf_counter()
        async with db.write() as tx:
            await tx.executemany(
                "INSERT INTO outreach_session (id, commune_id, kind, title, place, held_on, attendance, notes, version, "
                "updated_at, deleted_at, field_versions) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                sessions,
            )
            for b in range(0, len(questions), 5000):
                await tx.executemany(
                    "INSERT INTO outreach_question (id, session_id, commune_id, asker_name, text, category, channel, status, "
                    "answer, photo_sha256, version, updated_at, deleted_at, field_versions) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                    questions[b : b + 5000],
                )
            for b in range(0, len(changes), 5000):
                await tx.executemany(
                    "INSERT INTO sync_change (change_no, entity, entity_id, commune_id, deleted, data, changed_at) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    changes[b : b + 5000],
                )
            heads: dict[str, int] = {}
            for row in changes:
                heads[row[3]] = max(heads.get(row[3], 0), row[0])
            await tx.executemany(
                "INSERT INTO sync_scope_head (commune_id, change_no) VALUES ($1, $2) "
                "ON CONFLICT (commune_id) DO UPDATE SET change_no = excluded.change_no",
                sorted(heads.items()),
            )
            await tx.execute("UPDATE sync_server SET counter = $1 WHERE id = 1", no)
        async with db.write() as tx:
            await tx.execute("ANALYZE sync_change" if db.postgres else "ANALYZE")
        return {"rows": len(changes), "seed_seconds": time.perf_counter() - started}
    finally:
        await close_engine()


# ---------------------------------------------------------------------- parent

_BASELINE_JS = """async (count) => {
  const open = (name, upgrade) => new Promise((res, rej) => {
    const r = indexedDB.open(name, 1);
    r.onupgradeneeded = () => upgrade && upgrade(r.result);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  const done = (tx) => new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); tx.onabort = () => rej(tx.error); });
  // The records the app just wrote, read back into memory (not timed).
  const app = await new Promise((res, rej) => { const r = indexedDB.open('gandan-staff'); r.onsuccess = () => res(r.result); r.onerror = rej; });
  const rows = await new Promise((res, rej) => { const g = app.transaction('records').objectStore('records').getAll(); g.onsuccess = () => res(g.result); g.onerror = rej; });
  app.close();
  const db = await open('bench-baseline-' + Math.random(), (d) => {
    const s = d.createObjectStore('records', { keyPath: ['entity', 'id'] });
    s.createIndex('[entity+link]', ['entity', 'link']);
  });
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 1000) {
    const tx = db.transaction('records', 'readwrite');
    const store = tx.objectStore('records');
    for (const row of rows.slice(i, i + 1000)) store.put(row);
    await done(tx);
  }
  const ms = performance.now() - t0;
  db.close();
  return { rows: rows.length, ms };
}"""

_META_JS = """(key) => new Promise((res, rej) => {
  const r = indexedDB.open('gandan-staff');
  r.onsuccess = () => {
    const g = r.result.transaction('meta').objectStore('meta').get(key);
    g.onsuccess = () => { res(g.result ? g.result.value : null); r.result.close(); };
    g.onerror = rej;
  };
  r.onerror = rej;
})"""

_COUNT_JS = """() => new Promise((res, rej) => {
  const r = indexedDB.open('gandan-staff');
  r.onsuccess = () => {
    if (!r.result.objectStoreNames.contains('records')) { r.result.close(); return res(0); }
    const c = r.result.transaction('records').objectStore('records').count();
    c.onsuccess = () => { res(c.result); r.result.close(); };
    c.onerror = rej;
  };
  r.onerror = rej;
})"""


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--seed-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_child:
        print(json.dumps(asyncio.run(_seed(args.seed_child))))
        return
    if not (DIST / "staff" / "index.html").is_file():
        raise SystemExit("build the PWA first: cd pwa && npm run build")

    from playwright.sync_api import sync_playwright

    var = Path(tempfile.mkdtemp(prefix="gandan-pwabench-"))
    port = _free_port()
    env = {
        **os.environ,
        "GANDAN_VAR_DIR": str(var),
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "WEB_WORKERS": "1",
        "LOG_LEVEL": "WARNING",
        "PWA_DIST": str(DIST),
    }
    env.pop("DATABASE_URL", None)
    gandan = [sys.executable, "-m", "backend.cli"]
    for command in ("migrate", "seed-demo"):
        subprocess.run([*gandan, command], env=env, cwd=ROOT, check=True, capture_output=True)
    seeded = subprocess.run(
        [sys.executable, "-m", "benchmarks.pwa_first_sync", "--seed-child", str(args.records)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    print(
        f"seeded {seed['rows']:,} synced rows (50 sessions per commune + {args.records:,} questions) "
        f"in {seed['seed_seconds']:.1f} s"
    )
    process = subprocess.Popen(
        [*gandan, "serve"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import urllib.request

        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{base}/api/health", timeout=1):
                break
            if time.monotonic() > deadline:
                raise SystemExit("server did not start")
            time.sleep(0.2)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN").new_page()
            page.goto(f"{base}/staff/")
            page.wait_for_function("() => navigator.serviceWorker.controller?.state === 'activated'", timeout=20_000)
            page.get_by_label("Tên đăng nhập").fill("canbo")
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            started = time.perf_counter()
            page.get_by_role("button", name="Đăng nhập").click()
            stats = None
            while time.perf_counter() - started < 600:
                stats = page.evaluate(_META_JS, "last_pull")
                if stats and stats.get("changes", 0) >= seed["rows"]:
                    break
                time.sleep(0.2)
            wall = time.perf_counter() - started
            if not stats:
                raise SystemExit("the first sync did not finish")
            stored = page.evaluate(_COUNT_JS)
            baseline = page.evaluate(_BASELINE_JS, args.records)
            browser.close()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(Exception):
            process.wait(timeout=10)

    n = stats["changes"]
    total_s = stats["totalMs"] / 1000
    rate = n / total_s
    base_rate = baseline["rows"] / (baseline["ms"] / 1000)
    apply_rate = n / (stats["applyMs"] / 1000)
    print(f"records in IndexedDB after the first sync: {stored:,}")
    print(
        f"first sync, pull + apply: {n:,} records in {total_s:.2f} s over {stats['pages']} pages "
        f"→ {rate:,.0f} records/s   (target ≥ {TARGET:,}: {'met' if rate >= TARGET else 'MISSED'})"
    )
    print(
        f"  waiting for pages (not overlapped with writing): {stats['fetchMs'] / 1000:.2f} s; "
        f"applying pages (Dexie transactions): {stats['applyMs'] / 1000:.2f} s → {apply_rate:,.0f} records/s"
    )
    print(f"  login click → all records stored (wall, incl. login and the app start): {wall:.2f} s")
    print(
        f"baseline: raw IndexedDB put of the same {baseline['rows']:,} records, 1,000 per transaction: "
        f"{baseline['ms'] / 1000:.2f} s → {base_rate:,.0f} records/s"
    )
    print(f"first sync / baseline: {rate / base_rate:.2f}×")


if __name__ == "__main__":
    main()
