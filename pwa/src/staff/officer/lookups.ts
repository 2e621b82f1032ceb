/** Names for codes (communes, procedures), fetched when the network answers and kept in IndexedDB for offline use. */
import { signal } from '@preact/signals';
import { call } from '../../shared/api/client';
import { db } from '../db';

export const communeNames = signal<Record<string, string>>({});
export const procedureNames = signal<Record<string, string>>({});

async function cached(key: string): Promise<Record<string, string>> {
  const row = await db.meta.get(key);
  return (row?.value as Record<string, string> | undefined) ?? {};
}

let loaded = false;

export async function loadNames(communes: string[]): Promise<void> {
  if (loaded) return;
  loaded = true;
  communeNames.value = await cached('commune_names');
  procedureNames.value = await cached('procedure_names');
  try {
    const missing = communes.filter((c) => !communeNames.value[c]);
    if (missing.length) {
      const pairs = await Promise.all(
        missing.map((c) => call<{ name: string }>(`/api/units/${encodeURIComponent(c)}`).then((u) => [c, u.name] as const)),
      );
      communeNames.value = { ...communeNames.value, ...Object.fromEntries(pairs) };
      await db.meta.put({ key: 'commune_names', value: communeNames.value });
    }
    if (!Object.keys(procedureNames.value).length) {
      const list = await call<Array<{ code: string; name: string }>>('/api/procedures', { query: { limit: 500 } });
      procedureNames.value = Object.fromEntries(list.map((p) => [p.code, p.name]));
      await db.meta.put({ key: 'procedure_names', value: procedureNames.value });
    }
  } catch {
    loaded = false; // offline: try again next time a screen opens
  }
}

export function communeName(code: string): string {
  return communeNames.value[code] ?? code;
}
