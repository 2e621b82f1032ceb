/**
 * The bookings this browser follows by push, in a small IndexedDB database of its own ("gandan-push") that the
 * page writes and the service worker reads (pushsubscriptionchange re-registers every follow). Plain
 * IndexedDB, no Dexie: the citizen service worker stays small. No DOM: runs in the page, the worker and vitest.
 */

export interface Follow {
  /** The booking code, e.g. "K7M3-9PQ2". */
  reference: string;
  /** The booking's secret (X-Booking-Token): the only proof the browser may follow it. */
  token: string;
  /** The push endpoint this booking was registered with on the server. */
  endpoint: string;
  lang: 'vi' | 'en';
  since: string;
}

/** The subscription as the server last saw it: its endpoint and the VAPID key id it was made with. */
export interface PushState {
  endpoint: string;
  key_id: string;
}

const DB_NAME = 'gandan-push';
const FOLLOWS = 'follows';
const STATE = 'state';
const STATE_KEY = 'subscription';

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(FOLLOWS)) db.createObjectStore(FOLLOWS, { keyPath: 'reference' });
      if (!db.objectStoreNames.contains(STATE)) db.createObjectStore(STATE);
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('gandan-push: open blocked'));
  }).catch((err: unknown) => {
    opening = null;
    throw err;
  });
  return opening;
}

async function run<T>(store: string, mode: IDBTransactionMode, body: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T> {
  const db = await open();
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const req = body(tx.objectStore(store));
    tx.oncomplete = () => resolve(req ? req.result : (undefined as T));
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

export const listFollows = (): Promise<Follow[]> => run<Follow[]>(FOLLOWS, 'readonly', (s) => s.getAll() as IDBRequest<Follow[]>);

export const getFollow = (reference: string): Promise<Follow | undefined> =>
  run<Follow | undefined>(FOLLOWS, 'readonly', (s) => s.get(reference.toUpperCase()) as IDBRequest<Follow | undefined>);

export const putFollow = (follow: Follow): Promise<void> =>
  run<void>(FOLLOWS, 'readwrite', (s) => {
    s.put({ ...follow, reference: follow.reference.toUpperCase() });
  });

export const deleteFollow = (reference: string): Promise<void> =>
  run<void>(FOLLOWS, 'readwrite', (s) => {
    s.delete(reference.toUpperCase());
  });

export const getPushState = (): Promise<PushState | undefined> =>
  run<PushState | undefined>(STATE, 'readonly', (s) => s.get(STATE_KEY) as IDBRequest<PushState | undefined>);

export const setPushState = (state: PushState): Promise<void> =>
  run<void>(STATE, 'readwrite', (s) => {
    s.put(state, STATE_KEY);
  });

export const clearPushState = (): Promise<void> =>
  run<void>(STATE, 'readwrite', (s) => {
    s.delete(STATE_KEY);
  });

/** For tests: forget the open connection (fake-indexeddb is reset between tests). */
export function _resetConnection(): void {
  opening = null;
}
