/**
 * The staff app's sync, as the page sees it: when to run (data/scheduler.ts), what runs (data/engine.ts),
 * and the status the header strip and the "Đồng bộ" screen show. The status is read from IndexedDB with
 * Dexie's liveQuery, so a sync run by another tab or by the service worker shows up here too.
 */
import { effect, signal } from '@preact/signals';
import { liveQuery, type Subscription } from 'dexie';
import { ApiError } from '../shared/api/client';
import { db, ofEntity } from './db';
import { contextFromSession, pendingTotal, syncOnce, type SyncFailure, withSyncLock } from './data/engine';
import { CONFLICT_ENTITY } from './data/entities';
import { onLocalWrite } from './data/outbox';
import { SyncScheduler } from './data/scheduler';
import { session, verify } from './session';

/** Local mutations and files not yet acknowledged by the server. */
export const pendingCount = signal(0);
export const lastSyncAt = signal<string | null>(null);
export const lastError = signal<SyncFailure | null>(null);
export const syncing = signal(false);
export const openConflicts = signal(0);
export const rejectedCount = signal(0);
export const storage = signal<{ usage: number; quota: number; persisted: boolean } | null>(null);

export const BG_SYNC_TAG = 'gandan-outbox';

async function runOnce(): Promise<void> {
  const ctx = await contextFromSession();
  if (!ctx) return;
  syncing.value = true;
  try {
    await withSyncLock(() => syncOnce(ctx));
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403 || err.wipe)) {
      // A revoked device wipes; an expired session goes back to the login screen (the outbox stays).
      const current = session.value;
      if (current && (err.wipe || err.status === 401)) await verify(current);
    }
    throw err;
  } finally {
    syncing.value = false;
    void refreshStorage();
  }
}

export const scheduler = new SyncScheduler({
  run: runOnce,
  onFailure: (err, failures, wait) => {
    console.info(`sync failed (${failures}×), retrying in ${Math.round(wait / 1000)} s`, err instanceof Error ? err.message : err);
    void registerBackgroundSync();
  },
});

/** "Đồng bộ ngay" and every other trigger. Never rejects: a failure is shown in the status. */
export function syncNow(): Promise<void> {
  return scheduler.request().catch(() => undefined);
}

interface SyncRegistration {
  sync?: { register(tag: string): Promise<void> };
}

/** Ask the browser to wake the service worker when the connection is back (Chromium's Background Sync). */
export async function registerBackgroundSync(): Promise<void> {
  try {
    const reg = (await navigator.serviceWorker?.getRegistration('/staff/')) as (ServiceWorkerRegistration & SyncRegistration) | undefined;
    await reg?.sync?.register(BG_SYNC_TAG);
  } catch {
    /* not supported or not allowed: the page's own timer still retries */
  }
}

export async function refreshStorage(): Promise<void> {
  const s = globalThis.navigator?.storage;
  if (!s?.estimate) return;
  try {
    const [est, persisted] = await Promise.all([s.estimate(), s.persisted ? s.persisted() : Promise.resolve(false)]);
    storage.value = { usage: est.usage ?? 0, quota: est.quota ?? 0, persisted };
  } catch {
    /* leave the last figure */
  }
}

async function askPersistence(): Promise<void> {
  const s = globalThis.navigator?.storage;
  try {
    if (s?.persisted && !(await s.persisted()) && s.persist) await s.persist();
  } catch {
    /* the browser decides; the estimate still shows */
  }
  await refreshStorage();
}

let statusSub: Subscription | null = null;
let stopWrites: (() => void) | null = null;
let writeTimer: ReturnType<typeof setTimeout> | null = null;
let swListening = false;

function watchStatus(): void {
  statusSub?.unsubscribe();
  const store = db;
  statusSub = liveQuery(async () => {
    const [pending, meta, conflicts, rejected] = await Promise.all([
      pendingTotal(store),
      store.meta.bulkGet(['last_sync', 'last_error']),
      ofEntity(store, CONFLICT_ENTITY).filter((r) => !r.data['resolved_at']).count(),
      store.rejected.count(),
    ]);
    return { pending, last: meta[0]?.value as string | null | undefined, error: meta[1]?.value as SyncFailure | null | undefined, conflicts, rejected };
  }).subscribe({
    next: (s) => {
      pendingCount.value = s.pending;
      lastSyncAt.value = s.last ?? null;
      lastError.value = s.error ?? null;
      openConflicts.value = s.conflicts;
      rejectedCount.value = s.rejected;
    },
    error: (err: unknown) => console.warn('sync status unavailable', err),
  });
}

const onOnline = () => void syncNow();
const onVisible = () => {
  if (document.visibilityState === 'visible') void syncNow();
};

function startSync(): void {
  watchStatus();
  stopWrites?.();
  stopWrites = onLocalWrite(() => {
    void registerBackgroundSync();
    // A burst of edits (typing a form) becomes one sync.
    if (writeTimer) clearTimeout(writeTimer);
    writeTimer = setTimeout(() => void syncNow(), 400);
  });
  window.addEventListener('online', onOnline);
  document.addEventListener('visibilitychange', onVisible);
  if (!swListening) {
    swListening = true;
    // The service worker finished a Background Sync: refresh at once (liveQuery also sees it).
    navigator.serviceWorker?.addEventListener('message', (e: MessageEvent) => {
      if ((e.data as { type?: string } | null)?.type === 'SYNCED' && statusSub) watchStatus();
    });
  }
  void askPersistence();
  scheduler.start();
}

function stopSync(): void {
  scheduler.stop();
  statusSub?.unsubscribe();
  statusSub = null;
  stopWrites?.();
  stopWrites = null;
  window.removeEventListener('online', onOnline);
  document.removeEventListener('visibilitychange', onVisible);
}

/** Sync while someone is logged in (call once from main.tsx). */
export function startSyncWhenReady(): void {
  let active = false;
  effect(() => {
    const signedIn = session.value !== null;
    if (signedIn && !active) {
      active = true;
      startSync();
    } else if (!signedIn && active) {
      active = false;
      stopSync();
    }
  });
}

/** Logout asks first when something has not reached the server yet. */
export const logoutPrompt = signal(false);
