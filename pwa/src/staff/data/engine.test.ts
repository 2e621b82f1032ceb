import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Schemas } from '../../shared/api/client';
import { StaffDb, type SyncedRecord } from '../db';
import { backoffDelay } from './backoff';
import { acknowledge, applyPage, pushOutbox, type SyncContext, withSyncLock } from './engine';
import { createRecord, updateRecord } from './outbox';
import { SyncScheduler } from './scheduler';

const SERVER = { protocol: { min: 1, max: 1 }, schema: { min: 1, max: 2 } };
const COMMUNE = '29869';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

interface Sent {
  mutations: Array<{ id: string; seq: number; name: string; entity_id: string; changed: Record<string, unknown> }>;
}

function pushBodies(mock: ReturnType<typeof vi.fn>): Sent[] {
  return mock.mock.calls.filter((c) => String(c[0]).includes('/push')).map((c) => JSON.parse(String((c[1] as RequestInit).body)) as Sent);
}

/** A server that applies everything it gets, answering like PROTOCOL.md. */
function applyAll(sent: Sent, lastSeq = 0) {
  const results: Array<Record<string, unknown>> = sent.mutations.map((m) => ({ id: m.id, seq: m.seq, status: 'applied', reason: null, detail: null, version: 100 + m.seq, conflict_ids: [] }));
  return { results, last_seq: sent.mutations.length ? sent.mutations[sent.mutations.length - 1]!.seq : lastSeq, expected_seq: null, server: SERVER };
}

function page(changes: unknown[], extra: Record<string, unknown> = {}): Schemas['PullResponse'] {
  return { changes, removed_communes: [], acks: { last_seq: 0, results: [] }, next_cursor: 'c1', has_more: false, reset: false, reset_reason: null, server: SERVER, ...extra } as unknown as Schemas['PullResponse'];
}

function session(title: string) {
  return { commune_id: COMMUNE, kind: 'village_outreach', title, place: '', held_on: '2026-11-20', attendance: 0, notes: '' };
}

describe('outbox and push', () => {
  let db: StaffDb;
  let ctx: SyncContext;
  beforeEach(() => {
    db = new StaffDb(`engine-test-${Math.random()}`);
    ctx = { db, token: 'tok', clientId: '7b0f0000-0000-4000-8000-000000000001' };
    vi.stubGlobal('location', { origin: 'http://localhost' });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('queues each write with its seq in the same transaction as the record, and pushes in seq order', async () => {
    const a = await createRecord('outreach_session', session('A'), undefined, db);
    await updateRecord('outreach_session', a, { title: 'A2', attendance: 5 }, db);
    await createRecord('outreach_session', session('B'), undefined, db);
    const queued = await db.outbox.orderBy('seq').toArray();
    expect(queued.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(queued[1]).toMatchObject({ name: 'update', base_version: 0, changed: { title: 'A2', attendance: 5 }, base: { title: 'A', attendance: 0 } });
    expect((await db.records.get(['outreach_session', a]))?.data['title']).toBe('A2');

    const fetchMock = vi.fn(async (_url: string, init?: RequestInit) => json(200, applyAll(JSON.parse(String(init?.body)) as Sent)));
    vi.stubGlobal('fetch', fetchMock);
    await pushOutbox(ctx, 2);
    const bodies = pushBodies(fetchMock);
    expect(bodies.map((b) => b.mutations.map((m) => m.seq))).toEqual([[1, 2], [3]]);
    expect(await db.outbox.count()).toBe(0);
  });

  it('keeps every mutation on an HTTP error or no answer: only acknowledgements remove', async () => {
    await createRecord('outreach_session', session('A'), undefined, db);
    await createRecord('outreach_session', session('B'), undefined, db);
    vi.stubGlobal('fetch', vi.fn(async () => json(503, { status_code: 503, detail: 'busy' })));
    await expect(pushOutbox(ctx)).rejects.toThrow();
    expect(await db.outbox.count()).toBe(2);
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(pushOutbox(ctx)).rejects.toThrow();
    expect(await db.outbox.count()).toBe(2);

    // The server acknowledges only the first (e.g. a batch cut short): the second stays.
    vi.stubGlobal('fetch', vi.fn(async (_u: string, init?: RequestInit) => {
      const sent = JSON.parse(String(init?.body)) as Sent;
      const first = sent.mutations[0]!;
      if (first.seq !== 1) return json(200, { results: [], last_seq: 1, expected_seq: null, server: SERVER });
      return json(200, { results: [{ id: first.id, seq: 1, status: 'applied', conflict_ids: [] }], last_seq: 1, expected_seq: null, server: SERVER });
    }));
    await pushOutbox(ctx);
    expect((await db.outbox.toArray()).map((m) => m.seq)).toEqual([2]);
  });

  it('a result under our seq with another id does not drop our mutation', async () => {
    await createRecord('outreach_session', session('A'), undefined, db);
    await acknowledge(db, [{ id: crypto.randomUUID(), seq: 1, status: 'applied', conflict_ids: [] }], 1);
    const left = await db.outbox.toArray();
    expect(left).toHaveLength(1);
    expect(left[0]!.seq).toBe(2);
  });

  it('resends from expected_seq after a gap', async () => {
    await db.meta.put({ key: 'seq', value: 4 }); // this device believes it already sent 1–4
    await createRecord('outreach_session', session('A'), undefined, db);
    await createRecord('outreach_session', session('B'), undefined, db);
    let serverLast = 2;
    const fetchMock = vi.fn(async (_u: string, init?: RequestInit) => {
      const sent = JSON.parse(String(init?.body)) as Sent;
      if (sent.mutations[0]!.seq !== serverLast + 1) return json(200, { results: [], last_seq: serverLast, expected_seq: serverLast + 1, server: SERVER });
      const res = applyAll(sent);
      serverLast = res.last_seq;
      return json(200, res);
    });
    vi.stubGlobal('fetch', fetchMock);
    await pushOutbox(ctx);
    expect(pushBodies(fetchMock).map((b) => b.mutations.map((m) => m.seq))).toEqual([[5, 6], [3, 4]]);
    expect(await db.outbox.count()).toBe(0);
    expect((await db.meta.get('seq'))?.value).toBe(4);
    await createRecord('outreach_session', session('C'), undefined, db);
    expect((await db.outbox.toArray())[0]!.seq).toBe(5);
  });

  it('keeps rejected mutations with their reason and payload, and the queue goes on', async () => {
    const a = await createRecord('outreach_session', session('Bad'), undefined, db);
    await createRecord('outreach_session', session('Good'), undefined, db);
    vi.stubGlobal('fetch', vi.fn(async (_u: string, init?: RequestInit) => {
      const sent = JSON.parse(String(init?.body)) as Sent;
      const res = applyAll(sent);
      res.results[0] = { ...res.results[0]!, status: 'rejected', reason: 'invalid', detail: 'held_on out of range' };
      return json(200, res);
    }));
    await pushOutbox(ctx);
    expect(await db.outbox.count()).toBe(0);
    const rejected = await db.rejected.toArray();
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ entity_id: a, reason: 'invalid', detail: 'held_on out of range', changed: { title: 'Bad' } });
    expect(await db.records.get(['outreach_session', a])).toBeUndefined(); // a create that never happened
  });
});

describe('pull', () => {
  let db: StaffDb;
  let ctx: SyncContext;
  beforeEach(() => {
    db = new StaffDb(`pull-test-${Math.random()}`);
    ctx = { db, token: 'tok', clientId: '7b0f0000-0000-4000-8000-000000000001' };
  });

  const put = (id: string, data: Record<string, unknown>, commune = COMMUNE) => ({
    entity: 'outreach_session', id, commune_id: commune, op: 'put', change_no: 1, data: { id, commune_id: commune, version: 7, ...data },
  });

  it('applies puts, tombstones and removed communes, and stores the cursor', async () => {
    const [x, y, z] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await applyPage(ctx, page([put(x, { title: 'X' }), put(y, { title: 'Y' }), put(z, { title: 'Z' }, '29888')]));
    expect(await db.records.count()).toBe(3);
    await applyPage(ctx, page([{ entity: 'outreach_session', id: x, commune_id: COMMUNE, op: 'delete', change_no: 2, data: null }], { removed_communes: ['29888'], next_cursor: 'c2' }));
    expect((await db.records.toArray()).map((r) => r.id)).toEqual([y]);
    expect((await db.meta.get('cursor'))?.value).toBe('c2');
  });

  it('generic over entity names: an appointment is stored and linked to its officer', async () => {
    const id = crypto.randomUUID();
    await applyPage(ctx, page([{ entity: 'appointment', id, commune_id: COMMUNE, op: 'put', change_no: 3, data: { id, officer_id: 'me', status: 'confirmed', version: 3 } }]));
    const mine = await db.records.where('[entity+link]').equals(['appointment', 'me']).toArray();
    expect(mine.map((r: SyncedRecord) => r.id)).toEqual([id]);
  });

  it('on reset refetches but keeps unpushed mutations and re-applies them on top', async () => {
    const x = crypto.randomUUID();
    await applyPage(ctx, page([put(x, { title: 'X', attendance: 1 })]));
    await updateRecord('outreach_session', x, { attendance: 40 }, db);
    const mine = await createRecord('outreach_session', session('Mine'), undefined, db);
    const stale = crypto.randomUUID();
    await db.records.put({ entity: 'outreach_session', id: stale, commune_id: COMMUNE, version: 1, data: { title: 'gone' } });

    await applyPage(ctx, page([put(x, { title: 'X (server)', attendance: 1 })], { reset: true, reset_reason: 'other_epoch' }));
    expect(await db.outbox.count()).toBe(2);
    expect((await db.records.get(['outreach_session', x]))?.data).toMatchObject({ title: 'X (server)', attendance: 40 });
    expect((await db.records.get(['outreach_session', mine]))?.data['title']).toBe('Mine');
    expect(await db.records.get(['outreach_session', stale])).toBeUndefined();
  });

  it('acks in a pull remove what the server applied', async () => {
    await createRecord('outreach_session', session('A'), undefined, db);
    const m = (await db.outbox.toArray())[0]!;
    await applyPage(ctx, page([], { acks: { last_seq: 1, results: [{ id: m.id, seq: 1, status: 'applied', conflict_ids: [] }] } }));
    expect(await db.outbox.count()).toBe(0);
  });
});

describe('backoff', () => {
  it('stays within [d/2, d] with d = min(cap, base·2^(n−1))', () => {
    const o = { baseMs: 1000, capMs: 30_000 };
    for (let n = 1; n <= 12; n++) {
      const d = Math.min(30_000, 1000 * 2 ** (n - 1));
      expect(backoffDelay(n, o, () => 0)).toBe(d / 2);
      expect(backoffDelay(n, o, () => 1)).toBe(d);
      for (let i = 0; i < 50; i++) {
        const v = backoffDelay(n, o);
        expect(v).toBeGreaterThanOrEqual(d / 2);
        expect(v).toBeLessThanOrEqual(d);
      }
    }
    expect(backoffDelay(0, o)).toBe(0);
    expect(backoffDelay(1000, o, () => 1)).toBe(30_000);
  });
});

describe('single flight', () => {
  it('one run at a time; requests during a run make exactly one more run', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    const timers: number[] = [];
    const s = new SyncScheduler({
      run: async () => {
        runs++;
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((r) => (release = r));
        active--;
      },
      setTimer: (_fn, ms) => timers.push(ms),
      clearTimer: () => undefined,
    });
    s.start();
    const p = [s.request(), s.request(), s.request()];
    await Promise.resolve();
    release();
    await new Promise((r) => setTimeout(r, 0));
    release();
    await Promise.all(p);
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
    expect(timers.at(-1)).toBe(30_000);
  });

  it('backs off after failures and resets after a success', async () => {
    let fail = true;
    const timers: number[] = [];
    const s = new SyncScheduler({
      run: async () => {
        if (fail) throw new Error('down');
      },
      random: () => 1,
      backoff: { baseMs: 1000, capMs: 8000 },
      setTimer: (_fn, ms) => timers.push(ms),
      clearTimer: () => undefined,
    });
    s.start();
    await new Promise((r) => setTimeout(r, 0));
    for (let i = 0; i < 5; i++) await s.request();
    expect(timers).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    fail = false;
    await s.request();
    expect(s.failures).toBe(0);
    expect(timers.at(-1)).toBe(30_000);
  });

  it('serialises syncs without Web Locks', async () => {
    const order: string[] = [];
    const job = (name: string) => () => new Promise<void>((r) => {
      order.push(`${name}+`);
      setTimeout(() => {
        order.push(`${name}-`);
        r();
      }, 5);
    });
    await Promise.all([withSyncLock(job('a')), withSyncLock(job('b'))]);
    expect(order).toEqual(['a+', 'a-', 'b+', 'b-']);
  });
});
