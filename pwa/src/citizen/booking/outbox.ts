/**
 * Sends queued bookings: at app start, on the `online` event, when the page becomes visible again, and on a
 * retry timer (navigator.onLine can say "online" during a real outage, so the timer never trusts it).
 * One flush at a time in this tab; another tab sending the same booking is harmless (same id + secret).
 */
import { signal } from '@preact/signals';
import { lang } from '../../shared/i18n';
import { bookingApi } from '../../shared/booking/api';
import type { BookingCreated } from '../../shared/booking/slots';
import { type CitizenDb, db as defaultDb } from '../db';
import { applyOutcome, classify, isDue, type QueuedBooking, retryNow, withSlot } from './queue';
import { saveBooking } from './store';

/** What is waiting in the queue (for "Lịch hẹn của tôi" and the "Đã lưu" screen). */
export const queued = signal<QueuedBooking[]>([]);
/** Bookings sent from the queue: booking id → reference (the waiting screen moves on to the confirmation). */
export const sentFromQueue = signal<Record<string, string>>({});

const TICK_MS = 3_000;
let flushing: Promise<void> | null = null;
let send: (item: QueuedBooking) => Promise<BookingCreated> = (item) => bookingApi.create(item.body);

/** Tests replace the sender. */
export function setSender(fn: typeof send): void {
  send = fn;
}

export async function loadQueue(db: CitizenDb = defaultDb): Promise<void> {
  queued.value = (await db.outbox.toArray()).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Send one booking now (the confirm button); the booking is stored in the queue first, so nothing is lost. */
export async function submit(item: QueuedBooking, db: CitizenDb = defaultDb): Promise<QueuedBooking | BookingCreated> {
  // Not picked up by the retry timer while this attempt runs (a slow answer must not cause a second send).
  await db.outbox.put({ ...item, nextAttemptAt: Date.now() + 25_000 });
  await loadQueue(db);
  return attempt(item, db);
}

async function attempt(item: QueuedBooking, db: CitizenDb): Promise<QueuedBooking | BookingCreated> {
  let outcome;
  try {
    outcome = classify({ ok: await send(item) }, lang.value);
  } catch (error) {
    outcome = classify({ error }, lang.value);
  }
  const next = applyOutcome(item, outcome, Date.now());
  if (outcome.kind === 'sent') {
    await saveBooking(outcome.booking, item.token, db);
    await db.outbox.delete(item.id);
    sentFromQueue.value = { ...sentFromQueue.value, [item.id]: outcome.booking.reference };
  } else if (next) {
    // Only if still queued (a concurrent send may have finished it meanwhile).
    await db.transaction('rw', db.outbox, async () => {
      if (await db.outbox.get(item.id)) await db.outbox.put(next);
    });
  }
  await loadQueue(db);
  return outcome.kind === 'sent' ? outcome.booking : next!;
}

/** Send every due booking, one after the other. */
export function flush(db: CitizenDb = defaultDb, { force = false } = {}): Promise<void> {
  if (flushing) return flushing;
  flushing = (async () => {
    try {
      const now = Date.now();
      for (const item of await db.outbox.toArray()) {
        if (item.state !== 'pending') continue;
        if (force || isDue(item, now)) await attempt(item, db);
      }
    } catch (err) {
      console.warn('booking queue flush failed', err);
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

export async function chooseSlot(id: string, slotStart: string, db: CitizenDb = defaultDb) {
  const item = await db.outbox.get(id);
  if (!item) return null;
  return submit(withSlot(item, slotStart), db);
}

export async function resend(id: string, db: CitizenDb = defaultDb) {
  const item = await db.outbox.get(id);
  if (!item) return null;
  return submit(retryNow(item), db);
}

export async function discard(id: string, db: CitizenDb = defaultDb): Promise<void> {
  await db.outbox.delete(id);
  await loadQueue(db);
}

let started = false;
export function startOutbox(db: CitizenDb = defaultDb): void {
  if (started || typeof window === 'undefined') return;
  started = true;
  void loadQueue(db).then(() => flush(db, { force: true }));
  window.addEventListener('online', () => void flush(db, { force: true }));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void flush(db);
  });
  setInterval(() => {
    if (queued.value.some((q) => q.state === 'pending')) void flush(db);
  }, TICK_MS);
}
