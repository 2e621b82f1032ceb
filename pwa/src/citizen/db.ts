/** The citizen app's local store (IndexedDB via Dexie). Screens render from here; the network only feeds it. */
import Dexie, { type EntityTable } from 'dexie';
import type { Procedure } from '../shared/api/client';

export interface StoredProcedure extends Procedure {
  /** fold(name, English name, code, field): what offline search matches against. */
  folded: string;
}

export interface MetaRow {
  key: string;
  value: string;
}

export class CitizenDb extends Dexie {
  procedures!: EntityTable<StoredProcedure, 'code'>;
  meta!: EntityTable<MetaRow, 'key'>;

  constructor(name = 'gandan-citizen') {
    super(name);
    // Version 1: the catalogue. Bookings (reference code + capability token) will come as version 2.
    this.version(1).stores({ procedures: 'code', meta: 'key' });
  }
}

export const db = new CitizenDb();
