import { describe, expect, it } from 'vitest';
import { clickTarget, GENERIC_BODY, GENERIC_TITLE, GENERIC_URL, parsePayload, safePath, sameScreen } from './payload';

const confirmed = {
  event: 'confirmed',
  title: 'Lịch hẹn đã được xác nhận',
  body: 'Cán bộ sẽ đến lúc 08:30 Thứ Ba, 01/12/2026.',
  url: '/lich-hen/K7M3-9PQ2',
  tag: 'appt-0f3a',
  appointment_id: '0f3a0000-0000-4000-8000-000000000000',
  reference: 'K7M3-9PQ2',
  dossier_code: null,
  lang: 'vi',
  v: 1,
};

describe('parsePayload', () => {
  it('shows the server payload: title, body, tag, data.url', () => {
    const n = parsePayload(JSON.stringify(confirmed));
    expect(n.parsed).toBe(true);
    expect(n.title).toBe('Lịch hẹn đã được xác nhận');
    expect(n.options.body).toBe(confirmed.body);
    expect(n.options.tag).toBe('appt-0f3a');
    expect(n.options.data).toEqual({ url: '/lich-hen/K7M3-9PQ2', event: 'confirmed', reference: 'K7M3-9PQ2' });
    expect(n.options.icon).toBe('/icons/icon-192.png');
    expect(n.options.badge).toBe('/icons/badge-96.png');
    expect(n.options.lang).toBe('vi');
  });

  it.each([
    ['no data', null],
    ['empty', ''],
    ['not JSON', 'not json{'],
    ['a JSON string', '"hello"'],
    ['a JSON array', '[1,2]'],
    ['JSON null', 'null'],
    ['no title', JSON.stringify({ ...confirmed, title: '' })],
    ['no body', JSON.stringify({ ...confirmed, body: undefined })],
    ['a number title', JSON.stringify({ ...confirmed, title: 42 })],
  ])('falls back to the generic Vietnamese notification: %s', (_name, raw) => {
    const n = parsePayload(raw);
    expect(n.parsed).toBe(false);
    expect(n.title).toBe(GENERIC_TITLE);
    expect(n.options.body).toBe(GENERIC_BODY);
    expect(n.options.body).toBe('Có cập nhật về lịch hẹn của ông/bà.');
    expect(n.options.data.url).toBe(GENERIC_URL);
  });

  it('never leads to another site; falls back to the booking page, then the list', () => {
    for (const url of ['https://evil.example/x', '//evil.example/x', 'javascript:alert(1)', '/\\evil.example', 42]) {
      expect(parsePayload(JSON.stringify({ ...confirmed, url })).options.data.url).toBe('/lich-hen/K7M3-9PQ2');
      expect(parsePayload(JSON.stringify({ ...confirmed, url, reference: null })).options.data.url).toBe('/lich-hen');
    }
  });

  it('derives a tag from the reference when the tag is missing or odd, and trims long texts', () => {
    const n = parsePayload(JSON.stringify({ ...confirmed, tag: 'x y<z>', body: 'a'.repeat(1000) }));
    expect(n.options.tag).toBe('booking-K7M3-9PQ2');
    expect(n.options.body.length).toBe(400);
    expect(parsePayload(JSON.stringify({ title: 'T', body: 'B' })).options.tag).toBe('gandan');
  });

  it('keeps English payloads English', () => {
    expect(parsePayload(JSON.stringify({ ...confirmed, lang: 'en' })).options.lang).toBe('en');
    expect(parsePayload(JSON.stringify({ ...confirmed, lang: 'fr' })).options.lang).toBe('vi');
  });
});

describe('the tap on a notification', () => {
  const origin = 'https://gandan.example';
  it('opens data.url on our origin', () => {
    expect(clickTarget({ url: '/lich-hen/K7M3-9PQ2' }, origin)).toBe('https://gandan.example/lich-hen/K7M3-9PQ2');
    expect(clickTarget({ url: 'https://evil.example/' }, origin)).toBe('https://gandan.example/lich-hen');
    expect(clickTarget(null, origin)).toBe('https://gandan.example/lich-hen');
    expect(clickTarget('x', origin)).toBe('https://gandan.example/lich-hen');
  });
  it('focuses a window already on that page, whatever its #secret', () => {
    const target = 'https://gandan.example/lich-hen/K7M3-9PQ2';
    expect(sameScreen('https://gandan.example/lich-hen/K7M3-9PQ2#abc', target)).toBe(true);
    expect(sameScreen('https://gandan.example/lich-hen/K7M3-9PQ2/', target)).toBe(true);
    expect(sameScreen('https://gandan.example/lich-hen', target)).toBe(false);
    expect(sameScreen('https://other.example/lich-hen/K7M3-9PQ2', target)).toBe(false);
    expect(sameScreen('not a url', target)).toBe(false);
  });
  it('accepts only paths', () => {
    expect(safePath('/lich-hen?x=1#y')).toBe('/lich-hen?x=1#y');
    expect(safePath('lich-hen')).toBeNull();
  });
});

describe('staff defaults', () => {
  it('falls back to the staff text and keeps taps inside /staff/', async () => {
    const { STAFF_DEFAULTS } = await import('./payload');
    const g = parsePayload('nope', STAFF_DEFAULTS);
    expect(g.title).toBe('Gần Dân – Cán bộ');
    expect(g.options.body).toBe('Có thay đổi về lịch hẹn được giao.');
    expect(g.options.data.url).toBe('/staff/');
    const ok = parsePayload(JSON.stringify({ title: 'T', body: 'B', url: '/lich-hen/K7M3-9PQ2', reference: 'K7M3-9PQ2' }), STAFF_DEFAULTS);
    expect(ok.options.data.url).toBe('/staff/');
    expect(ok.options.tag).toBe('staff-K7M3-9PQ2');
    expect(clickTarget({ url: '/staff/../lich-hen' }, 'https://x.test', STAFF_DEFAULTS)).toBe('https://x.test/staff/');
    expect(clickTarget({ url: '/staff/?a=1' }, 'https://x.test', STAFF_DEFAULTS)).toBe('https://x.test/staff/?a=1');
  });
});
