/**
 * What the service worker shows for a push message. The server sends backend/push/schemas.py's PushPayload
 * ({event, title, body, url, tag, appointment_id, reference, dossier_code, lang, v}); anything else — no data,
 * not JSON, the wrong shape, a link to another site — still shows a notification (browsers punish a push
 * without one), a generic Vietnamese one. No DOM here: this runs in the service worker and in vitest.
 */

export const GENERIC_TITLE = 'Gần Dân';
export const GENERIC_BODY = 'Có cập nhật về lịch hẹn của ông/bà.';
export const GENERIC_URL = '/lich-hen';
export const GENERIC_TAG = 'gandan';
export const ICON = '/icons/icon-192.png';
export const BADGE = '/icons/badge-96.png';

/** What a push falls back to, and where a tap may lead: the citizen's app by default, the staff app's below. */
export interface PushDefaults {
  title: string;
  body: string;
  url: string;
  tag: string;
  /** A tap may open only paths starting with this ('/': any same-origin path). */
  scope: string;
  /** The page of one appointment from its reference (null: `url`). */
  referenceUrl: ((reference: string) => string) | null;
  referenceTag: (reference: string) => string;
}

export const CITIZEN_DEFAULTS: PushDefaults = {
  title: GENERIC_TITLE,
  body: GENERIC_BODY,
  url: GENERIC_URL,
  tag: GENERIC_TAG,
  scope: '/',
  referenceUrl: (reference) => `/lich-hen/${reference}`,
  referenceTag: (reference) => `booking-${reference}`,
};

/** The staff app (service worker scope /staff/): officers' assignments; a tap opens the staff app only. */
export const STAFF_DEFAULTS: PushDefaults = {
  title: 'Gần Dân – Cán bộ',
  body: 'Có thay đổi về lịch hẹn được giao.',
  url: '/staff/',
  tag: 'gandan-staff',
  scope: '/staff/',
  referenceUrl: null,
  referenceTag: (reference) => `staff-${reference}`,
};

/** safePath(url), and only under `scope`. */
function scopedPath(url: unknown, scope: string): string | null {
  const path = safePath(url);
  return path !== null && path.startsWith(scope) ? path : null;
}

const REFERENCE = /^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$/;
const TAG = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface NotificationSpec {
  title: string;
  options: {
    body: string;
    icon: string;
    badge: string;
    tag: string;
    lang: 'vi' | 'en';
    /** A newer message with the same tag replaces the older one; let it ring again. */
    renotify: boolean;
    data: { url: string; event: string; reference: string | null };
  };
  /** false when the generic notification was used (the payload was missing or unusable). */
  parsed: boolean;
}

function text(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (!s) return null;
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * A same-origin path for a tap on the notification, or null. Only paths (`/…`, not `//host`) are accepted:
 * a push payload must never send the citizen to another site.
 */
export function safePath(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  if (!url.startsWith('/') || url.startsWith('//') || url.includes('\\')) return null;
  try {
    const u = new URL(url, 'https://gandan.invalid');
    if (u.origin !== 'https://gandan.invalid') return null;
    return u.pathname + u.search + u.hash;
  } catch {
    return null;
  }
}

export function generic(d: PushDefaults = CITIZEN_DEFAULTS): NotificationSpec {
  return {
    title: d.title,
    options: {
      body: d.body,
      icon: ICON,
      badge: BADGE,
      tag: d.tag,
      lang: 'vi',
      renotify: true,
      data: { url: d.url, event: 'unknown', reference: null },
    },
    parsed: false,
  };
}

/** The notification for a push message's text (PushMessageData.text(); null when there is none). Never throws. */
export function parsePayload(raw: string | null | undefined, d: PushDefaults = CITIZEN_DEFAULTS): NotificationSpec {
  if (typeof raw !== 'string' || !raw.trim()) return generic(d);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return generic(d);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return generic(d);
  const p = value as Record<string, unknown>;
  const title = text(p['title'], 120);
  const body = text(p['body'], 400);
  if (!title || !body) return generic(d);
  const reference = typeof p['reference'] === 'string' && REFERENCE.test(p['reference']) ? p['reference'].toUpperCase() : null;
  const url = scopedPath(p['url'], d.scope) ?? (reference && d.referenceUrl ? d.referenceUrl(reference) : d.url);
  const tag =
    typeof p['tag'] === 'string' && TAG.test(p['tag']) ? p['tag'] : reference ? d.referenceTag(reference) : d.tag;
  const event = typeof p['event'] === 'string' ? p['event'].slice(0, 32) : 'unknown';
  return {
    title,
    options: {
      body,
      icon: ICON,
      badge: BADGE,
      tag,
      lang: p['lang'] === 'en' ? 'en' : 'vi',
      renotify: true,
      data: { url, event, reference },
    },
    parsed: true,
  };
}

/** Where a tap on a notification leads: its data.url made absolute on our origin (the generic page otherwise). */
export function clickTarget(data: unknown, origin: string, d: PushDefaults = CITIZEN_DEFAULTS): string {
  const url = data && typeof data === 'object' ? (data as { url?: unknown }).url : undefined;
  return new URL(scopedPath(url, d.scope) ?? d.url, origin).href;
}

/** Is this open window already showing `target` (same path and query; the #secret does not matter)? */
export function sameScreen(clientUrl: string, target: string): boolean {
  try {
    const a = new URL(clientUrl);
    const b = new URL(target);
    return a.origin === b.origin && a.pathname.replace(/\/+$/, '') === b.pathname.replace(/\/+$/, '') && a.search === b.search;
  } catch {
    return false;
  }
}
