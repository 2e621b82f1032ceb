/**
 * Local writes. Every change of a synced record is written to the outbox (with its seq, base_version,
 * changed fields and their `base` values) in the SAME Dexie transaction as the local record, so the screen
 * reports success only once both are on disk. Nothing here talks to the network.
 */
import { db, type MutationName, type OutboxMutation, type StaffDb, type StoredBlob, type SyncedRecord } from '../db';
import { CHILDREN, CONFLICT_ENTITY, SCHEMA, linkOf } from './entities';

type Listener = () => void;
const listeners = new Set<Listener>();

/** Called after every committed local write (the page schedules a sync, Background Sync is registered). */
export function onLocalWrite(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify(): void {
  for (const l of listeners) {
    try {
      l();
    } catch (err) {
      console.warn('local write listener failed', err);
    }
  }
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A mutation applied to the local view of a row. Used when the officer edits, and again when pulled
 * server data (or a reset) must be overlaid with the mutations still waiting in the outbox.
 * Returns the new record, null to delete it, or undefined when the mutation does not touch it.
 */
export function applyMutation(rec: SyncedRecord | undefined, m: OutboxMutation): SyncedRecord | null | undefined {
  switch (m.name) {
    case 'create': {
      const data = { ...(rec?.data ?? {}), ...m.changed, id: m.entity_id };
      const commune = String(m.changed['commune_id'] ?? rec?.commune_id ?? '');
      return withLink({ entity: m.entity, id: m.entity_id, commune_id: commune, version: rec?.version ?? 0, data });
    }
    case 'update':
      if (!rec) return undefined;
      return withLink({ ...rec, data: { ...rec.data, ...m.changed } });
    case 'delete':
      return null;
    case 'resolve_conflict':
      if (!rec) return undefined;
      return { ...rec, data: { ...rec.data, resolved_at: rec.data['resolved_at'] ?? m.client_ts, resolution: m.changed } };
    default:
      return undefined;
  }
}

export function withLink(rec: SyncedRecord): SyncedRecord {
  const link = linkOf(rec.entity, rec.data);
  const out = { ...rec };
  if (link === undefined) delete out.link;
  else out.link = link;
  return out;
}

/** The next seq of this device (1, 2, 3 … without gaps); call inside a transaction that includes meta. */
export async function nextSeq(store: StaffDb): Promise<number> {
  const row = await store.meta.get('seq');
  const seq = (typeof row?.value === 'number' ? row.value : 0) + 1;
  await store.meta.put({ key: 'seq', value: seq });
  return seq;
}

function newMutation(seq: number, name: MutationName, entity: string, entityId: string, baseVersion: number,
  changed: Record<string, unknown>, base: Record<string, unknown> | null): OutboxMutation {
  return {
    seq,
    id: crypto.randomUUID(),
    name,
    entity,
    entity_id: entityId,
    base_version: baseVersion,
    changed,
    base,
    client_ts: new Date().toISOString(),
    schema: SCHEMA,
  };
}

async function queue(store: StaffDb, name: MutationName, entity: string, entityId: string,
  build: (rec: SyncedRecord | undefined) => { changed: Record<string, unknown>; base: Record<string, unknown> | null } | null,
): Promise<OutboxMutation | null> {
  const m = await store.transaction('rw', [store.records, store.outbox, store.meta], async () => {
    const rec = await store.records.get([entity, entityId]);
    const spec = build(rec);
    if (!spec) return null;
    const mutation = newMutation(await nextSeq(store), name, entity, entityId, rec?.version ?? 0, spec.changed, spec.base);
    await store.outbox.add(mutation);
    const next = applyMutation(rec, mutation);
    if (next === null) {
      await store.records.delete([entity, entityId]);
      for (const child of CHILDREN[entity] ?? []) {
        // The server cascades the delete; the children disappear locally at once.
        await store.records.where('[entity+link]').equals([child.entity, entityId]).delete();
      }
    } else if (next) {
      await store.records.put(next);
    }
    return mutation;
  });
  if (m) notify();
  return m;
}

/** Create a row (fields include commune_id); returns its new id. */
export async function createRecord(entity: string, fields: Record<string, unknown>, id: string = crypto.randomUUID(),
  store: StaffDb = db): Promise<string> {
  if (typeof fields['commune_id'] !== 'string') throw new Error('a created record needs its commune_id');
  await queue(store, 'create', entity, id, () => ({ changed: { ...fields }, base: null }));
  return id;
}

/** Change some fields; only those that differ are queued (with their previous values as `base`). */
export async function updateRecord(entity: string, id: string, fields: Record<string, unknown>,
  store: StaffDb = db): Promise<OutboxMutation | null> {
  return queue(store, 'update', entity, id, (rec) => {
    if (!rec) throw new Error(`no local ${entity} ${id}`);
    const changed: Record<string, unknown> = {};
    const base: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) {
      if (!same(rec.data[k], v)) {
        changed[k] = v;
        base[k] = rec.data[k] ?? null;
      }
    }
    return Object.keys(changed).length ? { changed, base } : null;
  });
}

export async function deleteRecord(entity: string, id: string, store: StaffDb = db): Promise<OutboxMutation | null> {
  return queue(store, 'delete', entity, id, (rec) => (rec ? { changed: {}, base: null } : null));
}

/** A person settles a conflict on this device: keep the server's value, take ours, or write another. */
export async function resolveConflict(conflictId: string, choice: 'server' | 'client' | 'value', value?: unknown,
  store: StaffDb = db): Promise<OutboxMutation | null> {
  const changed: Record<string, unknown> = choice === 'value' ? { choice, value } : { choice };
  return queue(store, 'resolve_conflict', CONFLICT_ENTITY, conflictId, () => ({ changed, base: null }));
}

/** Lower-case hex SHA-256 of a Blob (WebCrypto). */
export async function sha256Hex(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Keep a file (a photo from the camera or a file input) as a Blob, addressed by its SHA-256. */
export async function storeBlob(file: Blob, store: StaffDb = db): Promise<string> {
  const sha256 = await sha256Hex(file);
  // A Blob copy that is not tied to a File handle (some browsers lose File contents after the input resets).
  const blob = new Blob([file], { type: file.type || 'application/octet-stream' });
  await store.transaction('rw', store.blobs, async () => {
    const existing = await store.blobs.get(sha256);
    if (existing) return;
    const row: StoredBlob = { sha256, blob, type: blob.type, size: blob.size, uploaded: 0, created_at: new Date().toISOString() };
    await store.blobs.put(row);
  });
  notify();
  return sha256;
}
