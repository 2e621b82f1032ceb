import { describe, expect, it } from 'vitest';
import {
  dayParts,
  firstOpenDay,
  formatDay,
  formatSlot,
  formatTime,
  groupAvailability,
  newId,
  newSecret,
  phoneLooksValid,
  sameInstant,
  splitDay,
} from './slots';

const slot = (start: string, label: string) => ({ start, end: start, label });
const days = [
  { day: '2026-12-01', weekday_vi: 'Thứ Ba', holiday: null, slots: [slot('2026-12-01T07:00:00Z', '14:00'), slot('2026-12-01T00:30:00Z', '07:30')] },
  { day: '2026-11-30', weekday_vi: 'Thứ Hai', holiday: null, slots: [slot('2026-11-30T00:30:00Z', '07:30')] },
  { day: '2026-12-02', weekday_vi: 'Thứ Tư', holiday: 'Ngày nghỉ bù', slots: [] },
];

describe('times in Viet Nam whatever the device zone', () => {
  it('formats a UTC instant as local time and day', () => {
    expect(formatTime('2026-11-30T00:30:00Z')).toBe('07:30');
    expect(formatTime('2026-11-30T17:15:00Z')).toBe('00:15'); // already the next day in Viet Nam
    expect(formatDay('2026-11-30T17:15:00Z', 'vi')).toBe('Thứ Ba, 01/12/2026');
    expect(formatDay('2026-11-30T00:30:00Z', 'en')).toBe('Monday, 30/11/2026');
    expect(formatSlot('2026-11-30T00:30:00Z', '2026-11-30T01:15:00Z', 'vi')).toBe('07:30–08:15, Thứ Hai, 30/11/2026');
  });

  it('names the days of the picker', () => {
    expect(dayParts('2026-11-30', 'Thứ Hai', 'vi')).toEqual({ weekday: 'Thứ Hai', date: '30/11' });
    expect(dayParts('2026-11-30', 'Thứ Hai', 'en')).toEqual({ weekday: 'Monday', date: '30/11' });
  });
});

describe('groupAvailability', () => {
  it('sorts days and slots, marks holidays and empty days closed', () => {
    const g = groupAvailability(days);
    expect(g.map((d) => d.day)).toEqual(['2026-11-30', '2026-12-01', '2026-12-02']);
    expect(g[1]!.slots.map((s) => s.label)).toEqual(['07:30', '14:00']);
    expect(g[2]).toMatchObject({ holiday: 'Ngày nghỉ bù', closed: true });
    expect(firstOpenDay(g)).toBe('2026-11-30');
  });

  it('drops past slots and the excluded (current) slot', () => {
    const g = groupAvailability(days, { notBefore: new Date('2026-12-01T00:00:00Z'), exclude: '2026-12-01T07:30:00+07:00' });
    expect(g[0]!.closed).toBe(true);
    expect(g[1]!.slots.map((s) => s.label)).toEqual(['14:00']);
    expect(firstOpenDay(g)).toBe('2026-12-01');
  });

  it('splits a day into morning and afternoon (local time)', () => {
    const { morning, afternoon } = splitDay(groupAvailability(days)[1]!.slots);
    expect(morning.map((s) => s.label)).toEqual(['07:30']);
    expect(afternoon.map((s) => s.label)).toEqual(['14:00']);
  });

  it('compares instants across spellings', () => {
    expect(sameInstant('2026-11-30T00:30:00Z', '2026-11-30T07:30:00+07:00')).toBe(true);
    expect(sameInstant('2026-11-30T00:30:00Z', null)).toBe(false);
  });
});

describe('client-generated id and secret', () => {
  it('makes a UUID and a 43-character base64url secret (32 bytes)', () => {
    expect(newId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const s = newSecret();
    expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSecret()).not.toBe(s);
  });

  it('checks Vietnamese phone numbers like the server', () => {
    expect(phoneLooksValid('0912 345 678')).toBe(true);
    expect(phoneLooksValid('+84 912-345-678')).toBe(true);
    expect(phoneLooksValid('84912345678')).toBe(true);
    expect(phoneLooksValid('12345')).toBe(false);
    expect(phoneLooksValid('0912abc678')).toBe(false);
  });
});
