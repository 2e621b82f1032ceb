/**
 * The offline booking queue as a pure state machine. A booking is put in the queue (IndexedDB) BEFORE the
 * first attempt, with the id and secret generated on the device; every retry sends the very same id + secret,
 * so the server answers a repeat with the booking it already made (never a duplicate).
 *
 *   pending ──send──▶ sent (removed from the queue, stored as a booking)
 *      │  └─ no answer / 5xx / 408 ─▶ pending (attempts+1, next attempt after a back-off)
 *      ├─ 409 slot_taken ─▶ slot_taken (nearest free slots kept) ──choose a slot──▶ pending
 *      └─ other 4xx ─▶ rejected (the server's message kept) ──edit / retry──▶ pending
 *
 * Nothing here touches the network or the database; outbox.ts does.
 */
import { ApiError, NetworkError } from '../../shared/api/client';
import type { BookingCreate, BookingCreated } from '../../shared/booking/slots';

export type QueueState = 'pending' | 'slot_taken' | 'rejected';

export interface QueuedBooking {
  id: string;
  token: string;
  body: BookingCreate;
  state: QueueState;
  attempts: number;
  /** Epoch ms: not before this (back-off); 0 = at once. */
  nextAttemptAt: number;
  createdAt: string;
  /** For "Lịch hẹn của tôi" while it waits. */
  summary: { procedureName: string; communeName: string; kindLabel: string };
  /** The server's message (Vietnamese when it has one) for slot_taken and rejected. */
  message?: string;
  nearestFree?: string[];
}

export type Outcome =
  | { kind: 'sent'; booking: BookingCreated }
  | { kind: 'retry' }
  | { kind: 'slot_taken'; nearest: string[]; message: string }
  | { kind: 'rejected'; message: string; status: number };

const FIRST_DELAY_MS = 3_000;
const MAX_DELAY_MS = 60_000;

/** 3 s, 6 s, 12 s … at most a minute between attempts. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempts - 1));
}

/** What a failed (or successful) send means for the queue. */
export function classify(result: { ok: BookingCreated } | { error: unknown }, lang: 'vi' | 'en' = 'vi'): Outcome {
  if ('ok' in result) return { kind: 'sent', booking: result.ok };
  const err = result.error;
  if (err instanceof NetworkError) return { kind: 'retry' };
  if (err instanceof ApiError) {
    if (err.status >= 500 || err.status === 408) return { kind: 'retry' };
    const extra = err.body.extra ?? {};
    if (err.status === 409 && extra['reason'] === 'slot_taken') {
      const nearest = Array.isArray(extra['nearest_free']) ? (extra['nearest_free'] as unknown[]).map(String) : [];
      return { kind: 'slot_taken', nearest, message: err.message_for(lang) };
    }
    return { kind: 'rejected', message: err.message_for(lang), status: err.status };
  }
  return { kind: 'retry' }; // an unexpected failure: keep the booking and try again later
}

/** The item after an outcome; null when it leaves the queue (sent). */
export function applyOutcome(item: QueuedBooking, outcome: Outcome, now: number): QueuedBooking | null {
  switch (outcome.kind) {
    case 'sent':
      return null;
    case 'retry': {
      const attempts = item.attempts + 1;
      return { ...item, state: 'pending', attempts, nextAttemptAt: now + backoffMs(attempts), message: undefined };
    }
    case 'slot_taken':
      return { ...item, state: 'slot_taken', attempts: item.attempts + 1, nearestFree: outcome.nearest, message: outcome.message };
    case 'rejected':
      return { ...item, state: 'rejected', attempts: item.attempts + 1, message: outcome.message, nearestFree: undefined };
  }
}

/** Whether the item should be sent now. Only pending items are sent automatically. */
export function isDue(item: QueuedBooking, now: number): boolean {
  return item.state === 'pending' && item.nextAttemptAt <= now;
}

/** The citizen chose another slot after slot_taken: same id and secret, new time, send at once. */
export function withSlot(item: QueuedBooking, slotStart: string): QueuedBooking {
  return {
    ...item,
    body: { ...item.body, slot_start: slotStart },
    state: 'pending',
    nextAttemptAt: 0,
    nearestFree: undefined,
    message: undefined,
  };
}

/** Try again now (back online, or the citizen pressed "Gửi lại"). */
export function retryNow(item: QueuedBooking): QueuedBooking {
  return { ...item, state: 'pending', nextAttemptAt: 0, message: undefined };
}
