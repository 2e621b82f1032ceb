/** The citizen app's local store (IndexedDB via Dexie). Screens render from here; the network only feeds it. */
import Dexie, { type EntityTable } from 'dexie';
import type { Procedure } from '../shared/api/client';
import type { BookingOut } from '../shared/booking/slots';
import type { QueuedBooking } from './booking/queue';

export interface StoredProcedure extends Procedure {
  /** fold(name, English name, code, field): what offline search matches against. */
  folded: string;
}

export interface MetaRow {
  key: string;
  value: string;
}

/** A booking this device made or opened: its capability (reference + secret) and the last known state. */
export interface StoredBooking {
  reference: string;
  token: string;
  id: string;
  booking: BookingOut;
  /** When the server last confirmed `booking` (ISO): shown as "cập nhật lúc …" offline. */
  updatedAt: string;
}

export class CitizenDb extends Dexie {
  procedures!: EntityTable<StoredProcedure, 'code'>;
  meta!: EntityTable<MetaRow, 'key'>;
  bookings!: EntityTable<StoredBooking, 'reference'>;
  outbox!: EntityTable<QueuedBooking, 'id'>;

  constructor(name = 'gandan-citizen') {
    super(name);
    // Version 1: the catalogue.
    this.version(1).stores({ procedures: 'code', meta: 'key' });
    // Version 2: the citizen's bookings (reference + secret + last known state) and bookings waiting to be sent.
    this.version(2).stores({ procedures: 'code', meta: 'key', bookings: 'reference, id', outbox: 'id' });
  }
}

export const db = new CitizenDb();
