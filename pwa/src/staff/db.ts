/**
 * The staff app's local store (IndexedDB through Dexie).
 *
 * Version 1: kv (the device id and the session).
 * Version 2 (the sync data layer, see sync/engine.ts):
 * - records: every synced row, generic over entity names, keyed by [entity+id] (so the rows of one entity are
 *   a key range, see ofEntity); `link` is the one field a screen looks rows up by (a question's session, an
 *   appointment's officer, a conflict's row). Few indexes on purpose: each one costs on every pulled row.
 * - outbox: this device's mutations not yet acknowledged by the server, keyed by their seq;
 * - rejected: mutations the server acknowledged as `rejected`, kept with their payload for the officer;
 * - blobs: attachments (photos, signatures) as Blobs, keyed by SHA-256, with an `uploaded` flag;
 * - meta: the pull cursor, the seq counter, the last sync, the server's versions.
 * Versions only ever add: an app update upgrades in place and never drops the outbox.
 */
import Dexie, { type EntityTable, type Table } from 'dexie';
import type { User } from '../shared/api/client';

export interface StoredSession {
  token: string;
  expires_at: string;
  device_id: string;
  user: User;
  logged_in_at: string;
}

export type KvRow = { key: 'device_id'; value: string } | { key: 'session'; value: StoredSession };

export const STAFF_DB_NAME = 'gandan-staff';

/** A synced row as the device sees it: the server's data with this device's pending mutations on top. */
export interface SyncedRecord {
  entity: string;
  id: string;
  commune_id: string;
  /** The row's server `version` the local edits are based on (0: created here, not yet pulled back). */
  version: number;
  /** See LINK_FIELDS in sync/entities.ts; absent when the entity has no such field. */
  link?: string;
  data: Record<string, unknown>;
}

export type MutationName = 'create' | 'update' | 'delete' | 'resolve_conflict';

/** A mutation waiting in the outbox, exactly as it will be pushed (plus when it was queued). */
export interface OutboxMutation {
  seq: number;
  id: string;
  name: MutationName;
  entity: string;
  entity_id: string;
  base_version: number;
  changed: Record<string, unknown>;
  base?: Record<string, unknown> | null;
  client_ts: string;
  /** The app's data schema when the mutation was queued (sent along when older than the current one). */
  schema: number;
}

/** A mutation the server will never apply, with its reason and what the officer had typed. */
export interface RejectedMutation {
  id: string;
  seq: number;
  name: string;
  entity: string;
  entity_id: string;
  changed: Record<string, unknown>;
  reason: string | null;
  detail: string | null;
  client_ts: string | null;
  received_at: string;
}

export interface StoredBlob {
  sha256: string;
  blob: Blob;
  type: string;
  size: number;
  /** 0 waiting for upload, 1 the server holds it (IndexedDB cannot index booleans). */
  uploaded: 0 | 1;
  created_at: string;
  error?: string;
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export class StaffDb extends Dexie {
  kv!: EntityTable<KvRow, 'key'>;
  records!: Table<SyncedRecord, [string, string]>;
  outbox!: EntityTable<OutboxMutation, 'seq'>;
  rejected!: EntityTable<RejectedMutation, 'id'>;
  blobs!: EntityTable<StoredBlob, 'sha256'>;
  meta!: EntityTable<MetaRow, 'key'>;

  constructor(name = STAFF_DB_NAME) {
    super(name);
    this.version(1).stores({ kv: 'key' });
    this.version(2).stores({
      kv: 'key',
      records: '[entity+id], [entity+link]',
      outbox: 'seq, entity_id',
      rejected: 'id, seq',
      blobs: 'sha256, uploaded',
      meta: 'key',
    });
  }
}

export let db = new StaffDb();

/** Every local row of one entity: a range of the primary key [entity+id]. */
export function ofEntity(store: StaffDb, entity: string) {
  return store.records.where('[entity+id]').between([entity, Dexie.minKey], [entity, Dexie.maxKey]);
}

/** This install's device id: generated once (crypto.randomUUID) and kept until the data is wiped. */
export async function deviceId(): Promise<string> {
  return db.transaction('rw', db.kv, async () => {
    const row = await db.kv.get('device_id');
    if (row?.key === 'device_id') return row.value;
    const id = crypto.randomUUID();
    await db.kv.put({ key: 'device_id', value: id });
    return id;
  });
}

export async function loadSession(): Promise<StoredSession | null> {
  const row = await db.kv.get('session');
  return row?.key === 'session' ? row.value : null;
}

export async function saveSession(session: StoredSession): Promise<void> {
  await db.kv.put({ key: 'session', value: session });
}

export async function clearSession(): Promise<void> {
  await db.kv.delete('session');
}

/** A revoked device: delete the whole database (everything this device holds), then start afresh. */
export async function wipeAll(): Promise<void> {
  const name = db.name;
  db.close();
  await Dexie.delete(name);
  db = new StaffDb(name);
}

/** For tests: use another database. */
export function useDatabase(next: StaffDb): void {
  db = next;
}
