/** The citizen's bookings on this device: reference + secret + last known state, and the form's draft. */
import { signal } from '@preact/signals';
import { ApiError } from '../../shared/api/client';
import { bookingApi } from '../../shared/booking/api';
import type { BookingOut } from '../../shared/booking/slots';
import { type CitizenDb, db as defaultDb, type StoredBooking } from '../db';

export const myBookings = signal<StoredBooking[]>([]);

export async function loadBookings(db: CitizenDb = defaultDb): Promise<void> {
  const rows = await db.bookings.toArray();
  myBookings.value = rows.sort((a, b) => b.booking.slot_start.localeCompare(a.booking.slot_start));
}

export async function saveBooking(booking: BookingOut, token: string, db: CitizenDb = defaultDb): Promise<StoredBooking> {
  const row: StoredBooking = {
    reference: booking.reference,
    token,
    id: booking.id,
    booking: stripCreated(booking),
    updatedAt: new Date().toISOString(),
  };
  await db.bookings.put(row);
  await loadBookings(db);
  return row;
}

/** Keep only BookingOut's fields (BookingCreated also carries the token and link). */
function stripCreated(b: BookingOut): BookingOut {
  const { token: _t, link: _l, ...rest } = b as BookingOut & { token?: string; link?: string };
  return rest;
}

export async function getBooking(reference: string, db: CitizenDb = defaultDb): Promise<StoredBooking | undefined> {
  return db.bookings.get(reference.toUpperCase());
}

/** Remember a secret link opened on this device (no state known yet until the server answers). */
export async function forgetBooking(reference: string, db: CitizenDb = defaultDb): Promise<void> {
  await db.bookings.delete(reference);
  await loadBookings(db);
}

export type RefreshResult = { ok: StoredBooking } | { notFound: true } | { offline: true; error: unknown };

/** Ask the server for the current state and store it; offline, the caller keeps showing the stored one. */
export async function refreshBooking(reference: string, token: string, db: CitizenDb = defaultDb): Promise<RefreshResult> {
  try {
    const fresh = await bookingApi.show(reference, token);
    return { ok: await saveBooking(fresh, token, db) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { notFound: true };
    return { offline: true, error };
  }
}

/** The booking form's draft: what the citizen typed survives reloads, crashes and going offline. */
export interface BookingDraft {
  procedureCode: string;
  step: number;
  kind: string;
  communeId: string;
  communeName: string;
  legacy: boolean;
  legacyCommune: string;
  legacyDistrict: string;
  addressDetail: string;
  name: string;
  phone: string;
  notes: string;
  slotStart: string;
  slotEnd: string;
  consentChecked: boolean;
  consentVersion: string;
  /** Generated once per draft: a retry after a failure reuses them. */
  id: string;
  token: string;
}

const draftKey = (code: string) => `bookingDraft:${code}`;

export async function loadDraft(code: string, db: CitizenDb = defaultDb): Promise<BookingDraft | null> {
  const row = await db.meta.get(draftKey(code));
  if (!row) return null;
  try {
    return JSON.parse(row.value) as BookingDraft;
  } catch {
    return null;
  }
}

export async function saveDraft(draft: BookingDraft, db: CitizenDb = defaultDb): Promise<void> {
  await db.meta.put({ key: draftKey(draft.procedureCode), value: JSON.stringify(draft) });
}

export async function clearDraft(code: string, db: CitizenDb = defaultDb): Promise<void> {
  await db.meta.delete(draftKey(code));
}
