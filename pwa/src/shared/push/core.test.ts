import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { b64urlToBytes, PushTimeout, registerFollows, renewSubscription, subscriptionBody, withTimeout } from './core';
import { _resetConnection, getFollow, getPushState, listFollows, putFollow } from './store';

const P256DH = 'B' + 'A'.repeat(86); // 65 bytes, base64url
const AUTH = 'AAAAAAAAAAAAAAAAAAAAAA';

function fakeSub(endpoint: string): PushSubscription {
  return {
    endpoint,
    expirationTime: null,
    options: {} as PushSubscriptionOptions,
    getKey: () => null,
    unsubscribe: vi.fn(async () => true),
    toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh: P256DH, auth: AUTH } }),
  } as unknown as PushSubscription;
}

describe('withTimeout (the race around pushManager.subscribe)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('rejects with PushTimeout when the promise never settles', async () => {
    const never = new Promise<string>(() => undefined);
    const raced = withTimeout(never, 10_000);
    const check = expect(raced).rejects.toBeInstanceOf(PushTimeout);
    await vi.advanceTimersByTimeAsync(9_999);
    let settled = false;
    void raced.catch(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await check;
  });

  it('passes a fast answer or a fast failure through, and clears its timer', async () => {
    await expect(withTimeout(Promise.resolve('sub'), 10_000)).resolves.toBe('sub');
    const abort = new DOMException('Registration failed - permission denied', 'AbortError');
    await expect(withTimeout(Promise.reject(abort), 10_000)).rejects.toBe(abort);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('subscription plumbing', () => {
  it('decodes the VAPID key', () => {
    const bytes = b64urlToBytes(P256DH);
    expect(bytes.length).toBe(65);
    expect(bytes[0]).toBe(4);
    expect(Array.from(b64urlToBytes('_-8'))).toEqual([255, 239]);
  });

  it("sends the browser's toJSON() plus lang, key_id and old_endpoint", () => {
    const body = subscriptionBody(fakeSub('https://push.example/new'), {
      lang: 'en',
      key_id: 'k2',
      old_endpoint: 'https://push.example/old',
    });
    expect(body).toEqual({
      endpoint: 'https://push.example/new',
      expirationTime: null,
      keys: { p256dh: P256DH, auth: AUTH },
      lang: 'en',
      key_id: 'k2',
      old_endpoint: 'https://push.example/old',
    });
    expect(subscriptionBody(fakeSub('https://a.example/x'), { lang: 'vi', key_id: 'k', old_endpoint: 'https://a.example/x' })).not.toHaveProperty(
      'old_endpoint',
    );
  });
});

describe('re-registering the followed bookings', () => {
  const calls: Array<{ url: string; method: string; headers: Record<string, string>; body: unknown }> = [];
  let answer: (url: string) => Response;

  beforeEach(async () => {
    indexedDB = new IDBFactory();
    _resetConnection();
    calls.length = 0;
    answer = (url) =>
      url.includes('vapid-key')
        ? Response.json({ public_key: P256DH, key_id: 'k2' })
        : Response.json({ id: 'x', key_id: 'k2', lang: 'vi', created_at: '2026-01-01T00:00:00Z' }, { status: 201 });
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      calls.push({
        url,
        method: init.method ?? 'GET',
        headers: init.headers as Record<string, string>,
        body: init.body ? JSON.parse(String(init.body)) : undefined,
      });
      return answer(url);
    });
    await putFollow({ reference: 'AAAA-1111', token: 'secret-aaaa-1111-xxxx', endpoint: 'https://push.example/old', lang: 'vi', since: '' });
    await putFollow({ reference: 'BBBB-2222', token: 'secret-bbbb-2222-xxxx', endpoint: 'https://push.example/old', lang: 'en', since: '' });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('posts every follow with old_endpoint and forgets bookings the server no longer knows', async () => {
    answer = (url) =>
      url.includes('BBBB-2222')
        ? Response.json({ status_code: 404, detail: 'not found' }, { status: 404 })
        : Response.json({ id: 'x' }, { status: 201 });
    const r = await registerFollows(fakeSub('https://push.example/new'), 'k2', 'https://push.example/old');
    expect(r).toEqual({ kept: ['AAAA-1111'], dropped: ['BBBB-2222'], failed: [] });
    expect(calls.map((c) => [c.method, c.url])).toEqual([
      ['POST', '/api/bookings/AAAA-1111/push-subscription'],
      ['POST', '/api/bookings/BBBB-2222/push-subscription'],
    ]);
    expect(calls[0]!.headers['X-Booking-Token']).toBe('secret-aaaa-1111-xxxx');
    expect(calls[0]!.body).toMatchObject({ endpoint: 'https://push.example/new', old_endpoint: 'https://push.example/old', key_id: 'k2', lang: 'vi' });
    expect(calls[1]!.body).toMatchObject({ lang: 'en' });
    expect((await getFollow('AAAA-1111'))?.endpoint).toBe('https://push.example/new');
    expect(await getFollow('BBBB-2222')).toBeUndefined();
    expect(await getPushState()).toEqual({ endpoint: 'https://push.example/new', key_id: 'k2' });
  });

  it('keeps follows when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const r = await registerFollows(fakeSub('https://push.example/new'), 'k2');
    expect(r.failed).toEqual(['AAAA-1111', 'BBBB-2222']);
    expect(await listFollows()).toHaveLength(2);
  });

  it('renews a subscription made with an old key: unsubscribe, subscribe with the current key, move the follows', async () => {
    const old = fakeSub('https://push.example/old');
    const fresh = fakeSub('https://push.example/new');
    const subscribe = vi.fn(async (_opts: PushSubscriptionOptionsInit) => fresh);
    const pm = { subscribe, getSubscription: async () => old, permissionState: async () => 'granted' } as unknown as PushManager;
    const r = await renewSubscription(pm, { current: old });
    expect(old.unsubscribe).toHaveBeenCalled();
    expect(subscribe).toHaveBeenCalledOnce();
    const opts = subscribe.mock.calls[0]![0];
    expect(opts.userVisibleOnly).toBe(true);
    expect((opts.applicationServerKey as Uint8Array).length).toBe(65);
    expect(r.kept).toEqual(['AAAA-1111', 'BBBB-2222']);
    expect(calls.filter((c) => c.method === 'POST').every((c) => (c.body as { old_endpoint: string }).old_endpoint === 'https://push.example/old')).toBe(true);
  });

  it('gives up on a subscribe() that never settles', async () => {
    const pm = { subscribe: () => new Promise(() => undefined) } as unknown as PushManager;
    await expect(renewSubscription(pm, { timeoutMs: 20 })).rejects.toBeInstanceOf(PushTimeout);
    expect(await getPushState()).toBeUndefined();
  });
});
