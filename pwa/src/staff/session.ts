/**
 * Staff session: kept in IndexedDB so the app opens "Hôm nay" offline; checked against /api/auth/me when
 * the network answers. A 401/403 with extra.wipe erases the device's data.
 */
import { signal } from '@preact/signals';
import { ApiError, NetworkError, api } from '../shared/api/client';
import { lang, type MessageKey } from '../shared/i18n';
import { clearSession, deviceId, loadSession, saveSession, type StoredSession, wipeAll } from './db';

export type Phase = 'starting' | 'login' | 'ready';

export const phase = signal<Phase>('starting');
export const session = signal<StoredSession | null>(null);
/** A message for the login screen: a dictionary key, or a server's own text. */
export const notice = signal<{ key?: MessageKey; text?: string; tone: 'info' | 'error' } | null>(null);

function deviceName(): string {
  const ua = typeof navigator === 'undefined' ? '' : navigator.userAgent;
  const os = /Android/.test(ua) ? 'Android' : /iPad|iPhone/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : 'Thiết bị';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Trình duyệt';
  return `${browser} trên ${os}`;
}

async function wipe(): Promise<void> {
  await wipeAll();
  session.value = null;
  notice.value = { key: 'staff.login.wiped', tone: 'error' };
  phase.value = 'login';
}

/** Open the app: a stored session shows "Hôm nay" at once, without waiting for the network. */
export async function start(): Promise<void> {
  let stored: StoredSession | null = null;
  try {
    stored = await loadSession();
  } catch (err) {
    console.warn('local session unavailable', err);
  }
  session.value = stored;
  phase.value = stored ? 'ready' : 'login';
  if (stored) void verify(stored);
  if (typeof window !== 'undefined') {
    // Back online: check the session again (a device revoked meanwhile must wipe).
    window.addEventListener('online', () => {
      if (session.value) void verify(session.value);
    });
  }
}

/** Ask the server whether the session still holds; offline or failing, keep working with what we have. */
export async function verify(stored: StoredSession): Promise<void> {
  try {
    const me = await api.me(stored.token);
    const next = { ...stored, user: me.user, expires_at: me.expires_at };
    await saveSession(next);
    session.value = next;
  } catch (err) {
    if (err instanceof ApiError && err.wipe) {
      await wipe();
    } else if (err instanceof ApiError && err.status === 401) {
      await clearSession();
      session.value = null;
      notice.value = { key: 'staff.login.expired', tone: 'info' };
      phase.value = 'login';
    } else if (!(err instanceof NetworkError)) {
      console.warn('session check failed', err);
    }
  }
}

export async function login(username: string, password: string): Promise<void> {
  notice.value = null;
  try {
    const device_id = await deviceId();
    const res = await api.login({ username, password, device_id, device_name: deviceName() });
    const next: StoredSession = {
      token: res.token,
      expires_at: res.expires_at,
      device_id: res.device_id,
      user: res.user,
      logged_in_at: new Date().toISOString(),
    };
    await saveSession(next);
    session.value = next;
    phase.value = 'ready';
  } catch (err) {
    if (err instanceof ApiError && err.wipe) {
      await wipe();
    } else if (err instanceof ApiError) {
      notice.value = { text: err.message_for(lang.value), tone: 'error' };
    } else if (err instanceof NetworkError) {
      notice.value = { key: 'staff.login.offline', tone: 'error' };
    } else {
      console.error(err);
      notice.value = { key: 'staff.login.failed', tone: 'error' };
    }
  }
}

export async function logout(): Promise<void> {
  const current = session.value;
  // The server session is ended when reachable; locally the session goes either way.
  // (The sync issue must keep unsynced work: logging out will then first push the outbox.)
  if (current) await api.logout(current.token).catch(() => undefined);
  await clearSession();
  session.value = null;
  notice.value = { key: 'staff.login.loggedOut', tone: 'info' };
  phase.value = 'login';
}
