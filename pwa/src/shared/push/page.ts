/**
 * The page's side of Web Push: what this browser can do, turning notifications on for a booking (only from
 * a tap), off again, and the check at start that the subscription was made with the server's current key.
 */
import { ApiError, NetworkError } from '../api/client';
import {
  PushTimeout,
  pushApi,
  registerFollows,
  renewSubscription,
  subscribeWith,
  subscriptionBody,
  SUBSCRIBE_TIMEOUT_MS,
  withTimeout,
} from './core';
import { clearPushState, deleteFollow, getFollow, getPushState, listFollows, putFollow, setPushState } from './store';

/**
 * - `supported`: service worker + PushManager + Notification
 * - `ios-install`: an iPhone/iPad in Safari's tab: Web Push exists only for apps added to the Home Screen
 * - `unsupported`: anything else without Web Push
 */
export type PushSupport = 'supported' | 'ios-install' | 'unsupported';

export function isIos(nav: Navigator = navigator): boolean {
  return /iPad|iPhone|iPod/.test(nav.userAgent) || (nav.platform === 'MacIntel' && nav.maxTouchPoints > 1);
}

export function pushSupport(win: Window = window): PushSupport {
  const nav = win.navigator;
  const standalone = (nav as Navigator & { standalone?: boolean }).standalone === true;
  if ('serviceWorker' in nav && 'PushManager' in win && 'Notification' in win) return 'supported';
  if (isIos(nav) && !standalone) return 'ios-install';
  return 'unsupported';
}

export function permission(): NotificationPermission {
  return 'Notification' in window ? Notification.permission : 'denied';
}

/** Why turning notifications on did not work; each has its own explanation on screen. */
export type PushProblem =
  | 'denied' // the user (or the browser) blocks notifications: how to re-enable them in the settings
  | 'dismissed' // the permission prompt was closed without an answer
  | 'timeout' // the browser's push service did not answer (pushManager.subscribe() hung)
  | 'failed' // pushManager.subscribe() failed (AbortError …): the push service is unreachable
  | 'offline' // our server could not be reached
  | 'server' // our server refused (see `message`)
  | 'noWorker'; // the service worker is not running (never happens in the built app)

export type EnableResult = { ok: true } | { ok: false; problem: PushProblem; error?: unknown };

async function registration(timeoutMs: number): Promise<ServiceWorkerRegistration> {
  return withTimeout(navigator.serviceWorker.ready, timeoutMs, 'navigator.serviceWorker.ready');
}

/**
 * Turn notifications on for one booking. Call it straight from a tap: the permission prompt comes first,
 * while the tap still counts as a user gesture (Safari insists).
 */
export async function enablePush(
  reference: string,
  token: string,
  lang: 'vi' | 'en',
  timeoutMs = SUBSCRIBE_TIMEOUT_MS,
): Promise<EnableResult> {
  let answer: NotificationPermission;
  try {
    answer = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
  } catch (error) {
    return { ok: false, problem: 'denied', error };
  }
  if (answer === 'denied') return { ok: false, problem: 'denied' };
  if (answer !== 'granted') return { ok: false, problem: 'dismissed' };

  let reg: ServiceWorkerRegistration;
  try {
    reg = await registration(timeoutMs);
  } catch (error) {
    return { ok: false, problem: 'noWorker', error };
  }
  try {
    const key = await pushApi.vapidKey();
    const state = await getPushState();
    let sub = await reg.pushManager.getSubscription();
    if (sub && state?.key_id !== key.key_id) {
      // Made with another key (or by someone else): a browser keeps one key per registration.
      await sub.unsubscribe().catch(() => undefined);
      sub = null;
    }
    const oldEndpoint = state?.endpoint ?? null;
    sub ??= await subscribeWith(reg.pushManager, key, timeoutMs);
    const body = subscriptionBody(sub, { lang, key_id: key.key_id, old_endpoint: oldEndpoint });
    await pushApi.follow(reference, token, body);
    await putFollow({ reference, token, endpoint: sub.endpoint, lang, since: new Date().toISOString() });
    await setPushState({ endpoint: sub.endpoint, key_id: key.key_id });
    if (oldEndpoint && oldEndpoint !== sub.endpoint) {
      // The other followed bookings move with the endpoint (the server did it for old_endpoint); re-register
      // them so that their keys and key id are fresh too.
      const others = (await listFollows()).filter((f) => f.reference !== reference);
      if (others.length) await registerFollows(sub, key.key_id, null, others);
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, problem: problemOf(error), error };
  }
}

export function problemOf(error: unknown): PushProblem {
  if (error instanceof PushTimeout) return 'timeout';
  if (error instanceof NetworkError) return 'offline';
  if (error instanceof ApiError) return 'server';
  if (error instanceof DOMException && error.name === 'NotAllowedError') return 'denied';
  return 'failed';
}

/**
 * Stop notifications for one booking. The API forgets an endpoint for every booking at once, so: forget it,
 * then register the endpoint again for the bookings still followed — or unsubscribe when none is left.
 * Throws (nothing changed here) when the server cannot be reached.
 */
export async function disablePush(reference: string): Promise<void> {
  const follow = await getFollow(reference);
  const state = await getPushState();
  const others = (await listFollows()).filter((f) => f.reference !== reference.toUpperCase());
  const reg = 'serviceWorker' in navigator ? await registration(3000).catch(() => null) : null;
  const sub = reg ? await reg.pushManager.getSubscription() : null;
  const endpoints = new Set([follow?.endpoint, state?.endpoint, sub?.endpoint].filter((e): e is string => !!e));
  for (const endpoint of endpoints) await pushApi.forget(endpoint);
  await deleteFollow(reference);
  if (!others.length) {
    await sub?.unsubscribe().catch(() => undefined);
    await clearPushState();
  } else if (sub && state) await registerFollows(sub, state.key_id, null, others);
}

/** Is this booking followed by this browser's current subscription (and may it show notifications)? */
export async function isFollowing(reference: string): Promise<boolean> {
  if (pushSupport() !== 'supported' || permission() !== 'granted') return false;
  const follow = await getFollow(reference);
  if (!follow) return false;
  const reg = await registration(3000).catch(() => null);
  const sub = reg ? await reg.pushManager.getSubscription() : null;
  return !!sub && sub.endpoint === follow.endpoint;
}

/**
 * At start: if this browser follows bookings, make sure its subscription exists, was made with the server's
 * current VAPID key (rotated keys: unsubscribe and subscribe again) and is the one the server knows; then
 * re-register the followed bookings. Quiet: a failure waits for the next start.
 */
export async function checkPushKey(): Promise<'none' | 'current' | 'renewed' | 'skipped'> {
  if (pushSupport() !== 'supported' || permission() !== 'granted') return 'skipped';
  const follows = await listFollows();
  if (!follows.length) return 'none';
  const reg = await registration(10_000);
  const [sub, state, key] = await Promise.all([reg.pushManager.getSubscription(), getPushState(), pushApi.vapidKey()]);
  if (sub && state && state.key_id === key.key_id && state.endpoint === sub.endpoint) return 'current';
  if (sub && state && state.key_id === key.key_id) {
    // Same key, new endpoint (a pushsubscriptionchange the worker missed): move the follows.
    await registerFollows(sub, key.key_id, state.endpoint);
    return 'renewed';
  }
  await renewSubscription(reg.pushManager, { current: sub, oldEndpoint: state?.endpoint ?? sub?.endpoint ?? null });
  return 'renewed';
}
