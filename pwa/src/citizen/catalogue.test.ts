import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Procedure } from '../shared/api/client';
import { filterProcedures, loadLocal, procedures, refresh, refreshFailed, sortByName, toStored } from './catalogue';
import { CitizenDb } from './db';
import { parseRoute, procedureHref } from './router';

function proc(code: string, name: string, field = 'Hộ tịch'): Procedure {
  return {
    code,
    name,
    name_official: `Thủ tục ${name.toLowerCase()}`,
    name_en: '',
    field,
    level: 'xã',
    agency: 'UBND cấp xã',
    result: '',
    visit_note: '',
    processing_days: 1,
    processing_note: '',
    fee_vnd: 0,
    fee_note: '',
    required_documents: [],
    visit_kinds: ['guide'],
    legal_basis: [],
    form: { based_on: '', title_vi: '', title_en: '', fields: [] },
    form_version: 1,
    verified: {},
  };
}

const sample = [
  proc('1.001193', 'Đăng ký khai sinh'),
  proc('1.000894', 'Đăng ký kết hôn'),
  proc('2.000815', 'Chứng thực bản sao từ bản chính', 'Chứng thực'),
].map(toStored);

describe('filterProcedures', () => {
  it('finds with or without accents', () => {
    expect(filterProcedures(sample, 'dang ky khai sinh').map((p) => p.code)).toEqual(['1.001193']);
    expect(filterProcedures(sample, 'ĐĂNG KÝ').map((p) => p.code)).toEqual(['1.001193', '1.000894']);
    expect(filterProcedures(sample, 'chung thuc').map((p) => p.code)).toEqual(['2.000815']);
    expect(filterProcedures(sample, '2.000815')).toHaveLength(1);
    expect(filterProcedures(sample, '')).toHaveLength(3);
    expect(filterProcedures(sample, 'xyz')).toHaveLength(0);
  });
  it('sorts by Vietnamese name', () => {
    expect(sortByName(sample).map((p) => p.name)[0]).toBe('Chứng thực bản sao từ bản chính');
  });
});

describe('local-first catalogue', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('stores what the network gave and reads it back offline', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const db = new CitizenDb(`test-${Math.random()}`);
    vi.stubGlobal('location', { origin: 'http://localhost' });
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify(sample.map(({ folded: _f, ...p }) => p)), { status: 200 })),
    );
    await refresh(db);
    expect(refreshFailed.value).toBe(false);
    procedures.value = [];

    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await loadLocal(db);
    expect(procedures.value).toHaveLength(3);
    await refresh(db); // offline: keeps the stored copy
    expect(refreshFailed.value).toBe(true);
    expect(procedures.value).toHaveLength(3);
    expect(await db.procedures.count()).toBe(3);
  });
});

describe('router', () => {
  it('parses the routes', () => {
    expect(parseRoute('/', '')).toEqual({ name: 'home' });
    expect(parseRoute('/thu-tuc', '?ma=1.001193')).toEqual({ name: 'procedure', code: '1.001193' });
    expect(parseRoute(new URL(procedureHref('1.001193'), 'http://x').pathname, '?ma=1.001193').name).toBe('procedure');
    expect(parseRoute('/khong-co', '')).toEqual({ name: 'not-found' });
  });
});
