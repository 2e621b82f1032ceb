import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StaffDb, deviceId, loadSession, useDatabase } from './db';
import { login, notice, phase, session, start } from './session';

const user = { id: '6b1f0c1e-0000-4000-8000-000000000001', username: 'canbo', full_name: 'Nguyễn Văn A', role: 'officer', communes: ['29212'] };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

describe('staff session', () => {
  let name: string;
  beforeEach(() => {
    name = `staff-test-${Math.random()}`;
    useDatabase(new StaffDb(name));
    vi.stubGlobal('location', { origin: 'http://localhost' });
    phase.value = 'starting';
    session.value = null;
    notice.value = null;
  });
  afterEach(() => vi.unstubAllGlobals());

  it('keeps one device id', async () => {
    const a = await deviceId();
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(await deviceId()).toBe(a);
  });

  it('logs in, stores the session, and opens offline from it', async () => {
    const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) =>
      json(200, { token: 'tok', expires_at: '2030-01-01T00:00:00Z', device_id: await deviceId(), user }),
    );
    vi.stubGlobal('fetch', fetchMock);
    await login('canbo', 'pw');
    expect(phase.value).toBe('ready');
    expect((await loadSession())?.token).toBe('tok');
    const sent = JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body));
    expect(sent.device_id).toBe(await deviceId());

    // Next start, offline: still "ready" from the stored session.
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('offline'))));
    phase.value = 'starting';
    await start();
    expect(phase.value).toBe('ready');
    await new Promise((r) => setTimeout(r, 10));
    expect(phase.value).toBe('ready');
  });

  it('shows the server message on a wrong password', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(401, { status_code: 401, detail: 'Wrong', detail_vi: 'Sai mật khẩu' })));
    await login('canbo', 'bad');
    expect(phase.value).not.toBe('ready');
    expect(notice.value?.text).toBe('Sai mật khẩu');
  });

  it('wipes the database when the server says so', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(200, { token: 'tok', expires_at: '2030-01-01T00:00:00Z', device_id: 'x', user })));
    await login('canbo', 'pw');
    const before = await deviceId();
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => json(401, { status_code: 401, detail: 'revoked', detail_vi: 'thu hồi', extra: { wipe: true } })),
    );
    await start();
    await vi.waitFor(() => expect(phase.value).toBe('login'));
    expect(notice.value?.key).toBe('staff.login.wiped');
    expect(await loadSession()).toBeNull();
    expect(await deviceId()).not.toBe(before);
    expect((await Dexie.getDatabaseNames()).includes(name)).toBe(true);
  });
});
