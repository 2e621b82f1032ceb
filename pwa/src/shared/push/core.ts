/**
 * Web Push plumbing shared by the page and the citizen service worker (no DOM): the API calls, the timeout
 * race around pushManager.subscribe(), and (re-)registering every followed booking with the server.
 */
import { ApiError, NetworkError } from '../api/client';
import type { components } from '../api/schema';
import { deleteFollow, type Follow, listFollows, putFollow, setPushState } from './store';

type S = components['schemas'];
export type VapidKey = S['VapidKeyOut'];
export type SubscriptionIn = S['SubscriptionIn'];
export type SubscriptionOut = S['SubscriptionOut'];

/** How long pushManager.subscribe() may take: it can fail fast, or never settle, when the push service is unreachable. */
export const SUBSCRIBE_TIMEOUT_MS = 10_000;

export class PushTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'PushTimeout';
  }
}

/** `promise`, or a PushTimeout after `ms` (the promise keeps running; its late result is ignored). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what = 'the push service'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PushTimeout(what, ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The VAPID public key (base64url of the 65-byte point) as PushManager.subscribe's applicationServerKey. */
export function b64urlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

async function request<T>(path: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<T> {
  const { timeoutMs = 15_000, headers, ...rest } = init;
  let res: Response;
  try {
    res = await fetch(path, {
      ...rest,
      headers: { Accept: 'application/json', ...(rest.body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new NetworkError(err);
  }
  if (res.status === 204) return undefined as T;
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  if (!res.ok) {
    const body =
      json && typeof json === 'object' && 'detail' in json
        ? (json as ApiError['body'])
        : { status_code: res.status, detail: res.statusText || `HTTP ${res.status}` };
    throw new ApiError(res.status, body);
  }
  return json as T;
}

export const pushApi = {
  vapidKey: () => request<VapidKey>('/api/push/vapid-key', { timeoutMs: 10_000 }),
  /** This browser follows this booking (the booking's secret is the proof). */
  follow: (reference: string, token: string, body: SubscriptionIn) =>
    request<SubscriptionOut>(`/api/bookings/${encodeURIComponent(reference)}/push-subscription`, {
      method: 'POST',
      headers: { 'X-Booking-Token': token },
      body: JSON.stringify(body),
    }),
  /** This staff browser gets the signed-in officer's assignments (the staff session's token is the proof). */
  subscribeStaff: (token: string, body: SubscriptionIn) =>
    request<SubscriptionOut>('/api/push/subscriptions', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    }),
  /** Forget this endpoint on the server for every booking it follows. */
  forget: (endpoint: string) =>
    request<void>('/api/push/subscriptions', { method: 'DELETE', body: JSON.stringify({ endpoint }) }),
};

/** The browser's PushSubscription.toJSON() in the server's shape (SubscriptionIn). */
export function subscriptionBody(
  sub: PushSubscription,
  extra: { lang: 'vi' | 'en'; key_id: string; old_endpoint?: string | null },
): SubscriptionIn {
  const json = sub.toJSON();
  const keys = json.keys ?? {};
  const body: SubscriptionIn = {
    endpoint: json.endpoint ?? sub.endpoint,
    expirationTime: json.expirationTime ?? null,
    keys: { p256dh: keys['p256dh'] ?? '', auth: keys['auth'] ?? '' },
    lang: extra.lang,
    key_id: extra.key_id,
  };
  if (extra.old_endpoint && extra.old_endpoint !== body.endpoint) body.old_endpoint = extra.old_endpoint;
  return body;
}

/** A fresh subscription with `key`, raced against the timeout. */
export function subscribeWith(pm: PushManager, key: VapidKey, timeoutMs = SUBSCRIBE_TIMEOUT_MS): Promise<PushSubscription> {
  return withTimeout(
    pm.subscribe({ userVisibleOnly: true, applicationServerKey: b64urlToBytes(key.public_key) }),
    timeoutMs,
    'pushManager.subscribe()',
  );
}

export interface FollowResult {
  kept: string[];
  /** The server does not know the booking any more (or the secret changed): forgotten here too. */
  dropped: string[];
  /** Could not reach the server: try again at the next start. */
  failed: string[];
}

/**
 * Tell the server about `sub` for every followed booking (with `old_endpoint` when the browser replaced its
 * endpoint, so the server moves the old rows), then remember the endpoint and key id.
 */
export async function registerFollows(
  sub: PushSubscription,
  key_id: string,
  old_endpoint?: string | null,
  follows?: Follow[],
): Promise<FollowResult> {
  const result: FollowResult = { kept: [], dropped: [], failed: [] };
  for (const f of follows ?? (await listFollows())) {
    try {
      await pushApi.follow(f.reference, f.token, subscriptionBody(sub, { lang: f.lang, key_id, old_endpoint }));
      await putFollow({ ...f, endpoint: sub.endpoint });
      result.kept.push(f.reference);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 403 || err.status === 401)) {
        await deleteFollow(f.reference);
        result.dropped.push(f.reference);
      } else result.failed.push(f.reference);
    }
  }
  await setPushState({ endpoint: sub.endpoint, key_id });
  return result;
}

/**
 * Make a new subscription with the server's current key and move every followed booking to it: after
 * `pushsubscriptionchange` (the service worker) or when the key changed (the page, at start).
 * `current` is the subscription to replace (unsubscribed first: a browser refuses a second key).
 */
export async function renewSubscription(
  pm: PushManager,
  opts: { current?: PushSubscription | null; oldEndpoint?: string | null; timeoutMs?: number } = {},
): Promise<FollowResult & { subscription: PushSubscription }> {
  const key = await pushApi.vapidKey();
  const oldEndpoint = opts.oldEndpoint ?? opts.current?.endpoint ?? null;
  if (opts.current) {
    try {
      await opts.current.unsubscribe();
    } catch {
      /* already gone */
    }
  }
  const subscription = await subscribeWith(pm, key, opts.timeoutMs);
  const result = await registerFollows(subscription, key.key_id, oldEndpoint);
  return { ...result, subscription };
}
