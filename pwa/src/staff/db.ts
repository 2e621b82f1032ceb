/**
 * The staff app's local store. Version 1 keeps the device id and the session; the sync issue adds
 * appointments, the outbox of mutations and attachments as later versions.
 */
import Dexie, { type EntityTable } from 'dexie';
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

export class StaffDb extends Dexie {
  kv!: EntityTable<KvRow, 'key'>;

  constructor(name = STAFF_DB_NAME) {
    super(name);
    this.version(1).stores({ kv: 'key' });
  }
}

export let db = new StaffDb();

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
