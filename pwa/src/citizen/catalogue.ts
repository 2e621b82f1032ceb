/** The procedure catalogue: read from IndexedDB first, then refreshed from /api/procedures. */
import { computed, signal } from '@preact/signals';
import { api, type Procedure } from '../shared/api/client';
import { t } from '../shared/i18n';
import { fold, formatVnd, matchesAll, searchTokens } from '../shared/text';
import { type CitizenDb, type StoredProcedure, db as defaultDb } from './db';

export type LoadState = 'loading' | 'ready';

export const procedures = signal<StoredProcedure[]>([]);
export const loadState = signal<LoadState>('loading');
export const updatedAt = signal<string | null>(null);
export const refreshFailed = signal(false);
export const query = signal('');

const collator = new Intl.Collator('vi');

export function toStored(p: Procedure): StoredProcedure {
  return { ...p, folded: fold([p.name, p.name_en, p.code, p.field].join(' ')) };
}

export function sortByName(list: StoredProcedure[]): StoredProcedure[] {
  return [...list].sort((a, b) => collator.compare(a.name, b.name));
}

/** The procedures whose name, English name, code or field contain every word of the query (accents ignored). */
export function filterProcedures(list: readonly StoredProcedure[], q: string): StoredProcedure[] {
  const tokens = searchTokens(q);
  return tokens.length === 0 ? [...list] : list.filter((p) => matchesAll(p.folded, tokens));
}

export const visible = computed(() => filterProcedures(procedures.value, query.value));

export async function loadLocal(db: CitizenDb = defaultDb): Promise<void> {
  const [rows, meta] = await Promise.all([db.procedures.toArray(), db.meta.get('catalogueUpdatedAt')]);
  procedures.value = sortByName(rows);
  updatedAt.value = meta?.value ?? null;
  if (rows.length > 0) loadState.value = 'ready';
}

/** Replace the local catalogue with the server's; on failure keep what is stored. */
export async function refresh(db: CitizenDb = defaultDb): Promise<void> {
  try {
    const fresh = (await api.procedures()).map(toStored);
    const stamp = new Date().toISOString();
    await db.transaction('rw', db.procedures, db.meta, async () => {
      await db.procedures.clear();
      await db.procedures.bulkPut(fresh);
      await db.meta.put({ key: 'catalogueUpdatedAt', value: stamp });
    });
    procedures.value = sortByName(fresh);
    updatedAt.value = stamp;
    refreshFailed.value = false;
  } catch (err) {
    console.warn('catalogue refresh failed', err);
    refreshFailed.value = true;
  } finally {
    loadState.value = 'ready';
  }
}

/** One procedure: from the local store, else from the network (and then stored). */
export async function findProcedure(code: string, db: CitizenDb = defaultDb): Promise<StoredProcedure | null> {
  const local = await db.procedures.get(code);
  if (local) return local;
  try {
    const stored = toStored(await api.procedure(code));
    await db.procedures.put(stored);
    return stored;
  } catch {
    return null;
  }
}

/** "Trong ngày", "5 ngày làm việc", or null when the catalogue does not say. */
export function processingText(p: Procedure): string | null {
  if (p.processing_days == null) return null;
  return p.processing_days === 0 ? t('procedure.sameDay') : t('procedure.days', { n: p.processing_days });
}

/** "Miễn lệ phí", "50.000 ₫", or null when the catalogue gives no amount. */
export function feeText(p: Procedure): string | null {
  if (p.fee_vnd == null) return null;
  return p.fee_vnd === 0 ? t('procedure.free') : formatVnd(p.fee_vnd);
}
