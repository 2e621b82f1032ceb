/**
 * The sync engine: push the outbox, pull the officer's rows, upload attachments. It runs in the page and in
 * the service worker (Background Sync), so it uses no DOM: only Dexie, fetch and WebCrypto.
 *
 * Rules (PROTOCOL.md, DESIGN.md §3):
 * - push the outbox in seq order, in batches; only the server's acknowledgement removes a mutation
 *   (an HTTP error or no answer never does); `rejected` results are kept with their payload;
 * - `expected_seq` (a gap) renumbers what is left from the seq the server needs, then sends again;
 * - pull pages until has_more is false, each page applied in one transaction (changes, tombstones,
 *   removed communes, acks, cursor); `reset` drops the synced rows but keeps the outbox and re-applies it;
 * - one sync at a time, across tabs and the service worker (Web Locks), see withSyncLock.
 */
import { ApiError, NetworkError, call, type Schemas } from '../../shared/api/client';
import { db as liveDb, loadSession, type OutboxMutation, type StaffDb, type SyncedRecord } from '../db';
import { CONFLICT_ENTITY, PROTOCOL, SCHEMA, linkOf } from './entities';
import { applyMutation, withLink } from './outbox';

type PushResponse = Schemas['PushResponse'];
type PullResponse = Schemas['PullResponse'];
type MutationResult = Schemas['MutationResult'];
type Versions = Schemas['ServerVersions'];

export interface SyncContext {
  db: StaffDb;
  token: string;
  clientId: string;
}

export interface SyncReport {
  pushed: number;
  pulled: number;
  uploaded: number;
}

/** The last failure, kept in meta so that every tab (and a sync run by the service worker) shows it. */
export interface SyncFailure {
  at: string;
  kind: 'network' | 'http';
  status?: number;
  detail?: string;
  detail_vi?: string | null;
  code?: string;
}

export const PUSH_BATCH = 250;
export const PULL_LIMIT = 1000;
const CHUNK_BYTES = 1024 * 1024;
const LOCK_NAME = 'gandan-staff-sync';

export async function contextFromSession(store: StaffDb = liveDb): Promise<SyncContext | null> {
  const s = await loadSession();
  return s ? { db: store, token: s.token, clientId: s.device_id } : null;
}

// ---- single flight across tabs and the service worker

let localChain: Promise<unknown> = Promise.resolve();

/** Run `fn` while holding the sync lock: Web Locks where the browser has them, else a mutex of this context. */
export function withSyncLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
  if (locks?.request) return locks.request(LOCK_NAME, () => fn()) as Promise<T>;
  const run = localChain.then(fn, fn);
  localChain = run.catch(() => undefined);
  return run;
}

// ---- push

async function saveVersions(store: StaffDb, server: Versions | undefined): Promise<void> {
  if (server) await store.meta.put({ key: 'server_versions', value: server });
}

/** Send the outbox in seq order until it is empty, acknowledged or refused; returns how many were acknowledged. */
export async function pushOutbox(ctx: SyncContext, batchSize = PUSH_BATCH): Promise<number> {
  const { db } = ctx;
  let acked = 0;
  for (let rounds = 0; rounds < 10_000; rounds++) {
    const batch = await db.outbox.orderBy('seq').limit(batchSize).toArray();
    if (!batch.length) break;
    const body = {
      protocol: PROTOCOL,
      schema: SCHEMA,
      client_id: ctx.clientId,
      mutations: batch.map(wire),
    };
    const res = await call<PushResponse>('/api/sync/push', { method: 'POST', token: ctx.token, body, timeoutMs: 60_000 });
    await saveVersions(db, res.server);
    const done = await acknowledge(db, res.results, res.last_seq);
    acked += done;
    let moved = false;
    if (res.expected_seq !== null && res.expected_seq !== undefined) moved = await realign(db, res.expected_seq);
    if (!done && !moved) break; // nothing accepted and nothing to fix: stop rather than loop
  }
  return acked;
}

function wire(m: OutboxMutation): Schemas['Mutation'] {
  const out: Schemas['Mutation'] = {
    id: m.id,
    seq: m.seq,
    name: m.name,
    entity: m.entity,
    entity_id: m.entity_id,
    base_version: m.base_version,
    changed: m.changed,
    client_ts: m.client_ts,
  };
  if (m.base) out.base = m.base;
  if (m.schema && m.schema < SCHEMA) out.schema = m.schema;
  return out;
}

/**
 * The server's acknowledgement: every queued mutation with seq ≤ lastSeq whose result carries its id leaves
 * the outbox (rejected ones go to the rejected list). A result with another id under our seq means the server
 * saw a different mutation with that number: ours are renumbered after lastSeq instead of being dropped.
 */
export async function acknowledge(db: StaffDb, results: MutationResult[], lastSeq: number): Promise<number> {
  return db.transaction('rw', [db.outbox, db.rejected, db.records, db.meta], async () => {
    const bySeq = new Map(results.map((r) => [r.seq, r]));
    const covered = await db.outbox.where('seq').belowOrEqual(lastSeq).toArray();
    if (!covered.length) return 0;
    const stray: OutboxMutation[] = [];
    let done = 0;
    for (const m of covered) {
      const r = bySeq.get(m.seq);
      if (r && r.id !== m.id) {
        stray.push(m);
        continue;
      }
      await db.outbox.delete(m.seq);
      done++;
      if (r?.status === 'rejected') await reject(db, m, r);
    }
    if (stray.length) {
      const rest = await db.outbox.where('seq').above(lastSeq).toArray();
      await renumber(db, [...stray, ...rest], lastSeq + 1);
    }
    return done;
  });
}

async function reject(db: StaffDb, m: OutboxMutation, r: MutationResult): Promise<void> {
  await db.rejected.put({
    id: m.id,
    seq: m.seq,
    name: m.name,
    entity: m.entity,
    entity_id: m.entity_id,
    changed: m.changed,
    reason: r.reason ?? null,
    detail: r.detail ?? null,
    client_ts: m.client_ts,
    received_at: new Date().toISOString(),
  });
  // The local view must not pretend the change was made: undo it where nothing later changed the row again.
  const later = await db.outbox.where('entity_id').equals(m.entity_id).count();
  const key: [string, string] = [m.entity, m.entity_id];
  const rec = await db.records.get(key);
  if (!rec) return;
  if (m.name === 'create' && rec.version === 0 && !later) {
    await db.records.delete(key);
  } else if (m.name === 'update' && m.base) {
    const data = { ...rec.data };
    for (const [k, v] of Object.entries(m.base)) if (JSON.stringify(data[k]) === JSON.stringify(m.changed[k])) data[k] = v;
    await db.records.put(withLink({ ...rec, data }));
  }
}

/** The server needs `expected` next: number what is left contiguously from there. Returns whether anything moved. */
export async function realign(db: StaffDb, expected: number): Promise<boolean> {
  return db.transaction('rw', [db.outbox, db.meta], async () => {
    const left = await db.outbox.orderBy('seq').toArray();
    if (!left.length) {
      const counter = await db.meta.get('seq');
      if (typeof counter?.value !== 'number' || counter.value < expected - 1) await db.meta.put({ key: 'seq', value: expected - 1 });
      return false;
    }
    if (left.every((m, i) => m.seq === expected + i)) return false;
    await renumber(db, left, expected);
    return true;
  });
}

async function renumber(db: StaffDb, list: OutboxMutation[], from: number): Promise<void> {
  const sorted = [...list].sort((a, b) => a.seq - b.seq);
  await db.outbox.bulkDelete(sorted.map((m) => m.seq));
  const moved = sorted.map((m, i) => ({ ...m, seq: from + i }));
  await db.outbox.bulkAdd(moved);
  // `list` is the whole remaining outbox: the next mutation follows the last one renumbered.
  await db.meta.put({ key: 'seq', value: from + moved.length - 1 });
}

// ---- pull

export interface PullStats {
  pages: number;
  changes: number;
  fetchMs: number;
  applyMs: number;
}

function fetchPage(ctx: SyncContext, cursor: string | null, limit: number): Promise<PullResponse> {
  const body = { protocol: PROTOCOL, schema: SCHEMA, client_id: ctx.clientId, cursor, limit };
  return call<PullResponse>('/api/sync/pull', { method: 'POST', token: ctx.token, body, timeoutMs: 60_000 });
}

/** Pages waiting to be written, at most (they are fetched ahead while earlier ones are written). */
const AHEAD = 8;
/** Pages written in one transaction, at most: an IndexedDB commit costs about as much as a few hundred puts. */
const PAGES_PER_TX = 5;

/**
 * Pull every page. A fetch loop follows the cursor chain ahead of the writer (bounded buffer); the writer
 * applies whatever pages have arrived in one transaction. The cursor is stored with the last page written,
 * so an interruption anywhere resumes after what is on disk.
 */
export async function pullAll(ctx: SyncContext, limit = PULL_LIMIT, stats?: PullStats): Promise<number> {
  const cursorRow = await ctx.db.meta.get('cursor');
  const first = typeof cursorRow?.value === 'string' ? cursorRow.value : null;
  const buffer: PullResponse[] = [];
  let fetchDone = false;
  let fetchError: unknown = null;
  let wake: (() => void) | null = null;
  let room: (() => void) | null = null;
  let stopped = false;
  const signal = () => {
    wake?.();
    wake = null;
  };
  const fetcher = (async () => {
    let cursor = first;
    try {
      for (;;) {
        while (buffer.length >= AHEAD && !stopped) await new Promise<void>((r) => (room = r));
        if (stopped) break;
        const page = await fetchPage(ctx, cursor, limit);
        buffer.push(page);
        signal();
        if (!page.has_more) break;
        cursor = page.next_cursor;
      }
    } catch (err) {
      fetchError = err;
    } finally {
      fetchDone = true;
      signal();
    }
  })();
  let total = 0;
  try {
    total = await writeAll();
  } finally {
    // The writer failed or finished: release a fetcher waiting for room.
    stopped = true;
    (room as (() => void) | null)?.();
  }
  await fetcher;
  if (fetchError) throw fetchError;
  return total;

  async function writeAll(): Promise<number> {
  let total = 0;
  for (;;) {
    if (!buffer.length) {
      if (fetchDone) break;
      const t0 = now();
      await new Promise<void>((r) => (wake = r));
      if (stats) stats.fetchMs += now() - t0; // time blocked on the network (not overlapped with writing)
      continue;
    }
    const pages = buffer.splice(0, PAGES_PER_TX);
    (room as (() => void) | null)?.();
    room = null;
    const t1 = now();
    await applyPages(ctx, pages);
    const n = pages.reduce((sum, p) => sum + p.changes.length, 0);
    if (stats) {
      stats.applyMs += now() - t1;
      stats.pages += pages.length;
      stats.changes += n;
    }
    total += n;
  }
  return total;
  }
}

function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/** Apply one pulled page in one transaction. */
export function applyPage(ctx: SyncContext, page: PullResponse): Promise<void> {
  return applyPages(ctx, [page]);
}

/** Apply consecutive pulled pages, in order, in one transaction. */
export async function applyPages(ctx: SyncContext, pages: PullResponse[]): Promise<void> {
  const { db } = ctx;
  await db.transaction('rw', [db.records, db.outbox, db.rejected, db.meta], async () => {
    for (const page of pages) await applyInTx(ctx, page);
  });
}

async function applyInTx(ctx: SyncContext, page: PullResponse): Promise<void> {
  const { db } = ctx;
  {
    if (page.reset) await db.records.clear(); // the outbox stays: it is re-applied below
    if (page.removed_communes.length) {
      // Rare (a change of assignment): a scan, so that no commune index slows down every pulled row.
      const gone = new Set(page.removed_communes);
      await db.records.filter((r) => gone.has(r.commune_id)).delete();
    }

    const waiting = await db.outbox.toArray();
    const pending = new Map<string, OutboxMutation[]>();
    for (const m of waiting) {
      const list = pending.get(m.entity_id);
      if (list) list.push(m);
      else pending.set(m.entity_id, [m]);
    }

    const puts: SyncedRecord[] = [];
    const deletes: Array<[string, string]> = [];
    const ownConflicts: Record<string, unknown>[] = [];
    for (const c of page.changes) {
      if (c.op === 'delete') {
        deletes.push([c.entity, c.id]);
        continue;
      }
      const data: Record<string, unknown> = { ...asRecord(c.data), id: c.id, commune_id: c.commune_id };
      const version = typeof data['version'] === 'number' ? data['version'] : 0;
      let rec: SyncedRecord | null | undefined = { entity: c.entity, id: c.id, commune_id: c.commune_id, version, data };
      const link = linkOf(c.entity, data);
      if (link !== undefined) rec.link = link;
      // Mutations still waiting for this row go on top of the server's state.
      for (const m of pending.get(c.id) ?? []) {
        if (m.entity !== c.entity || !rec) continue;
        const next = applyMutation(rec, m);
        if (next !== undefined) rec = next;
      }
      if (rec) puts.push(rec);
      else deletes.push([c.entity, c.id]);
      if (c.entity === CONFLICT_ENTITY && data['client_id'] === ctx.clientId && !data['resolved_at']) ownConflicts.push(data);
    }
    if (puts.length) await db.records.bulkPut(puts);
    if (deletes.length) await db.records.bulkDelete(deletes);

    // Our own conflicting edit: the server kept its value; show that value unless a newer edit waits.
    for (const c of ownConflicts) {
      const field = c['field'];
      if (c['kind'] !== 'field' || typeof field !== 'string') continue;
      const key: [string, string] = [String(c['entity']), String(c['entity_id'])];
      if ((pending.get(key[1]) ?? []).some((m) => field in m.changed)) continue;
      const rec = await db.records.get(key);
      if (rec && JSON.stringify(rec.data[field]) === JSON.stringify(c['client_value'])) {
        await db.records.put(withLink({ ...rec, data: { ...rec.data, [field]: c['server_value'] } }));
      }
    }

    await acknowledge(db, page.acks.results, page.acks.last_seq);

    if (page.reset) {
      // Fresh data: put every unpushed mutation back on top (creates re-create their rows).
      for (const m of await db.outbox.orderBy('seq').toArray()) {
        const rec = await db.records.get([m.entity, m.entity_id]);
        const next = applyMutation(rec, m);
        if (next === null) await db.records.delete([m.entity, m.entity_id]);
        else if (next) await db.records.put(next);
      }
    }
    await db.meta.put({ key: 'cursor', value: page.next_cursor });
    await saveVersions(db, page.server);
  }
}

// ---- attachments

export type AttachmentState = Schemas['AttachmentStatus'];

async function putChunk(ctx: SyncContext, sha: string, offset: number, total: number, chunk: Blob, type: string): Promise<Response> {
  try {
    return await fetch(`/api/sync/attachments/${sha}?offset=${offset}&total=${total}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ctx.token}`, 'Content-Type': 'application/octet-stream', 'X-Content-Type': type || 'application/octet-stream' },
      body: chunk,
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    throw new NetworkError(err);
  }
}

/** Upload one stored Blob with the resumable chunk API, from whatever the server already holds. */
export async function uploadBlob(ctx: SyncContext, sha: string): Promise<boolean> {
  const row = await ctx.db.blobs.get(sha);
  if (!row || row.uploaded) return true;
  const status = await call<AttachmentState>(`/api/sync/attachments/${sha}/status`, { token: ctx.token });
  let offset = status.status === 'present' ? row.size : status.received;
  for (let guard = 0; offset < row.size && guard < 100_000; guard++) {
    const chunk = row.blob.slice(offset, Math.min(row.size, offset + CHUNK_BYTES));
    const res = await putChunk(ctx, sha, offset, row.size, chunk, row.type);
    let body: Record<string, unknown> = {};
    try {
      body = asRecord(await res.json());
    } catch {
      body = {};
    }
    if (res.status === 409) {
      const received = asRecord(body['extra'])['received'];
      offset = typeof received === 'number' ? received : 0;
      continue;
    }
    if (res.status === 422 || res.status === 413) {
      // The stored file is corrupt or too large: it can never go through; keep it and say so.
      await ctx.db.blobs.update(sha, { error: String(body['detail_vi'] ?? body['detail'] ?? res.status) });
      return false;
    }
    if (!res.ok) throw new ApiError(res.status, { status_code: res.status, detail: String(body['detail'] ?? res.statusText), extra: asRecord(body['extra']) });
    offset = typeof body['received'] === 'number' ? body['received'] : offset + chunk.size;
  }
  await ctx.db.blobs.update(sha, { uploaded: 1 });
  return true;
}

export async function uploadPending(ctx: SyncContext): Promise<number> {
  const waiting = await ctx.db.blobs.where('uploaded').equals(0).toArray();
  let n = 0;
  for (const b of waiting) {
    if (b.error) continue;
    if (await uploadBlob(ctx, b.sha256)) n++;
  }
  return n;
}

// ---- one whole sync

function describe(err: unknown): SyncFailure {
  const at = new Date().toISOString();
  if (err instanceof ApiError) {
    const code = asRecord(err.body.extra)['code'];
    const f: SyncFailure = { at, kind: 'http', status: err.status, detail: err.body.detail, detail_vi: err.body.detail_vi ?? null };
    if (typeof code === 'string') f.code = code;
    return f;
  }
  return { at, kind: 'network', detail: err instanceof Error ? err.message : String(err) };
}

/** Push, pull, upload; records the outcome in meta. Throws on failure (nothing is lost: the outbox stays). */
export async function syncOnce(ctx: SyncContext): Promise<SyncReport> {
  const { db } = ctx;
  try {
    const pushed = await pushOutbox(ctx);
    const stats: PullStats = { pages: 0, changes: 0, fetchMs: 0, applyMs: 0 };
    const t0 = now();
    const pulled = await pullAll(ctx, PULL_LIMIT, stats);
    // Kept for the benchmark and for support: how long the last pull took and where the time went.
    await db.meta.put({ key: 'last_pull', value: { ...stats, totalMs: now() - t0, at: new Date().toISOString() } });
    // Mutations queued while we pulled go now rather than at the next round.
    const more = (await db.outbox.count()) ? await pushOutbox(ctx) : 0;
    const uploaded = await uploadPending(ctx);
    await db.meta.bulkPut([
      { key: 'last_sync', value: new Date().toISOString() },
      { key: 'last_error', value: null },
    ]);
    return { pushed: pushed + more, pulled, uploaded };
  } catch (err) {
    await db.meta.put({ key: 'last_error', value: describe(err) }).catch(() => undefined);
    throw err;
  }
}

/** Everything still waiting to reach the server: queued mutations and files not yet uploaded. */
export async function pendingTotal(db: StaffDb): Promise<number> {
  const [mutations, files] = await Promise.all([
    db.outbox.count(),
    db.blobs.where('uploaded').equals(0).filter((b) => !b.error).count(),
  ]);
  return mutations + files;
}
