/**
 * Web Push for officers: this tablet gets a notification when a visit is assigned to, moved for or cancelled
 * for the signed-in officer. Uses the staff service worker's registration (scope /staff/) and the shared
 * plumbing (subscribe raced against a timeout, the server's shape); permission is asked only from a tap.
 */
import { b64urlToBytes, pushApi, subscribeWith, subscriptionBody, SUBSCRIBE_TIMEOUT_MS, withTimeout } from '../shared/push/core';
import { type EnableResult, permission, problemOf, pushSupport } from '../shared/push/page';

function sameKey(sub: PushSubscription, publicKey: string): boolean {
  const have = sub.options?.applicationServerKey;
  if (!have) return false;
  const a = new Uint8Array(have);
  const b = b64urlToBytes(publicKey);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Call it straight from a tap: the permission prompt comes first, while the tap still counts as a gesture. */
export async function enableStaffPush(token: string, lang: 'vi' | 'en', timeoutMs = SUBSCRIBE_TIMEOUT_MS): Promise<EnableResult> {
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
    reg = await withTimeout(navigator.serviceWorker.ready, timeoutMs, 'navigator.serviceWorker.ready');
  } catch (error) {
    return { ok: false, problem: 'noWorker', error };
  }
  try {
    const key = await pushApi.vapidKey();
    let sub = await reg.pushManager.getSubscription();
    const oldEndpoint = sub?.endpoint ?? null;
    if (sub && !sameKey(sub, key.public_key)) {
      // Made with another (rotated) key: a browser keeps one key per registration.
      await sub.unsubscribe().catch(() => undefined);
      sub = null;
    }
    sub ??= await subscribeWith(reg.pushManager, key, timeoutMs);
    await pushApi.subscribeStaff(token, subscriptionBody(sub, { lang, key_id: key.key_id, old_endpoint: oldEndpoint }));
    return { ok: true };
  } catch (error) {
    return { ok: false, problem: problemOf(error), error };
  }
}

/** Does this tablet already have a subscription (and may it show notifications)? */
export async function staffPushOn(): Promise<boolean> {
  if (pushSupport() !== 'supported' || permission() !== 'granted') return false;
  const reg = await withTimeout(navigator.serviceWorker.ready, 3000).catch(() => null);
  return !!(reg && (await reg.pushManager.getSubscription()));
}
