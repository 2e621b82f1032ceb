import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError } from '../../shared/api/client';
import type { BookingCreated } from '../../shared/booking/slots';
import { CitizenDb } from '../db';
import { flush, loadQueue, queued, setSender, submit } from './outbox';
import { applyOutcome, backoffMs, classify, isDue, type QueuedBooking, retryNow, withSlot } from './queue';

function item(over: Partial<QueuedBooking> = {}): QueuedBooking {
  return {
    id: '8a6e0804-2bd0-4672-b79a-d97b8a9b1e1f',
    token: 'x'.repeat(43),
    state: 'pending',
    attempts: 0,
    nextAttemptAt: 0,
    createdAt: '2026-11-28T02:00:00Z',
    summary: { procedureName: 'Đăng ký khai sinh', communeName: 'Phường Cao Lãnh', kindLabel: 'Hướng dẫn kê khai' },
    body: {
      id: '8a6e0804-2bd0-4672-b79a-d97b8a9b1e1f',
      token: 'x'.repeat(43),
      procedure_code: '1.001193',
      kind: 'guide',
      commune_id: '29869',
      address_detail: '12 Nguyễn Huệ',
      citizen_name: 'Nguyễn Thị Mai',
      citizen_phone: '0912000001',
      notes: '',
      slot_start: '2026-11-30T00:30:00Z',
      consent: { accepted: true, version: '2026-11' },
      language: 'vi',
    },
    ...over,
  };
}

const created = { reference: 'ABCD-2345', id: item().id } as unknown as BookingCreated;
const slotTaken = new ApiError(409, {
  status_code: 409,
  detail: 'That slot is no longer free',
  detail_vi: 'Khung giờ này vừa có người đặt.',
  extra: { reason: 'slot_taken', nearest_free: ['2026-11-30T01:00:00Z'] },
});

describe('classify', () => {
  it('retries when there is no answer or the server fails', () => {
    expect(classify({ error: new NetworkError('offline') })).toEqual({ kind: 'retry' });
    expect(classify({ error: new ApiError(503, { status_code: 503, detail: 'down' }) })).toEqual({ kind: 'retry' });
  });
  it('recognises a taken slot with the nearest free ones', () => {
    expect(classify({ error: slotTaken })).toEqual({
      kind: 'slot_taken',
      nearest: ['2026-11-30T01:00:00Z'],
      message: 'Khung giờ này vừa có người đặt.',
    });
  });
  it('rejects other client errors with the Vietnamese message', () => {
    const bad = new ApiError(400, { status_code: 400, detail: 'Bad phone', detail_vi: 'Số điện thoại không hợp lệ' });
    expect(classify({ error: bad })).toMatchObject({ kind: 'rejected', message: 'Số điện thoại không hợp lệ', status: 400 });
  });
});

describe('applyOutcome', () => {
  it('leaves the queue when sent, backs off when retrying', () => {
    expect(applyOutcome(item(), { kind: 'sent', booking: created }, 0)).toBeNull();
    const once = applyOutcome(item(), { kind: 'retry' }, 1000)!;
    expect(once).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: 1000 + backoffMs(1) });
    expect(isDue(once, 1000)).toBe(false);
    expect(isDue(once, 1000 + backoffMs(1))).toBe(true);
    expect(backoffMs(1)).toBe(3000);
    expect(backoffMs(10)).toBe(60_000);
  });
  it('waits for the citizen after slot_taken, then resends the same id and secret with the new slot', () => {
    const taken = applyOutcome(item(), classify({ error: slotTaken }), 0)!;
    expect(taken.state).toBe('slot_taken');
    expect(isDue(taken, Number.MAX_SAFE_INTEGER)).toBe(false);
    const again = withSlot(taken, '2026-11-30T01:00:00Z');
    expect(again).toMatchObject({ state: 'pending', nextAttemptAt: 0, id: item().id, token: item().token });
    expect(again.body).toMatchObject({ id: item().id, token: item().token, slot_start: '2026-11-30T01:00:00Z' });
  });
  it('retryNow makes a rejected item pending at once', () => {
    const rejected = applyOutcome(item(), { kind: 'rejected', message: 'x', status: 400 }, 0)!;
    expect(retryNow(rejected)).toMatchObject({ state: 'pending', nextAttemptAt: 0 });
  });
});

describe('the outbox (IndexedDB)', () => {
  it('keeps a booking offline and sends it once, with the same id and secret, when the network returns', async () => {
    const db = new CitizenDb(`test-outbox-${Math.random()}`);
    const sent: Array<{ id: string; token: string }> = [];
    let up = false;
    setSender(async (q) => {
      sent.push({ id: q.body.id, token: q.body.token ?? '' });
      if (!up) throw new NetworkError('offline');
      return { ...created, history: [], slot_start: q.body.slot_start } as unknown as BookingCreated;
    });
    const first = await submit(item(), db);
    expect('state' in first && first.state).toBe('pending');
    expect(await db.outbox.count()).toBe(1);

    up = true;
    await flush(db, { force: true });
    expect(await db.outbox.count()).toBe(0);
    expect(await db.bookings.get('ABCD-2345')).toMatchObject({ token: item().token });
    await flush(db, { force: true }); // nothing left: no second send
    expect(sent).toHaveLength(2);
    expect(new Set(sent.map((s) => `${s.id}/${s.token}`)).size).toBe(1);
    await loadQueue(db);
    expect(queued.value).toEqual([]);
  });
});
