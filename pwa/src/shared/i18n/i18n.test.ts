import { describe, expect, it } from 'vitest';
import { en } from './en';
import { t, tMaybe } from './index';
import { vi } from './vi';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dictionaries', () => {
  it('have the same keys in Vietnamese and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
  });
  it('have no empty message', () => {
    for (const dict of [vi, en]) for (const [k, v] of Object.entries(dict)) expect(v.trim(), k).not.toBe('');
  });
  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(vi) as (keyof typeof vi)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(vi[key]));
    }
  });
  it('write Vietnamese with diacritics (NFC)', () => {
    for (const v of Object.values(vi)) expect(v).toBe(v.normalize('NFC'));
    expect(vi['staff.today.title']).toBe('Hôm nay');
    expect(vi['update.available']).toBe('Đã có phiên bản mới');
  });
});

describe('t()', () => {
  it('fills placeholders', () => {
    expect(t('citizen.catalogue.count', { n: 3 }, 'vi')).toBe('3 thủ tục');
    expect(t('citizen.catalogue.count', { n: 3 }, 'en')).toBe('3 procedures');
  });
  it('gives the roles in Vietnamese', () => {
    expect(tMaybe('staff.role.dispatcher', 'vi')).toBe('Điều phối viên');
    expect(tMaybe('staff.role.unknown', 'vi')).toBeUndefined();
  });
});
