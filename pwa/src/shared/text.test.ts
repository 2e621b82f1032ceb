import { describe, expect, it } from 'vitest';
import { fold, formatLongDate, formatVnd, isoDateInVietnam, matchesAll, searchTokens } from './text';

describe('fold', () => {
  it('removes diacritics and lower-cases', () => {
    expect(fold('Đăng ký khai sinh')).toBe('dang ky khai sinh');
    expect(fold('Chứng thực bản sao từ bản chính')).toBe('chung thuc ban sao tu ban chinh');
  });
  it('maps đ and Đ to d', () => {
    expect(fold('đường Đồng Tháp')).toBe('duong dong thap');
  });
  it('handles precomposed and decomposed input alike', () => {
    const decomposed = 'Hộ tịch'.normalize('NFD');
    const precomposed = 'Hộ tịch'.normalize('NFC');
    expect(fold(decomposed)).toBe(fold(precomposed));
    expect(fold(precomposed)).toBe('ho tich');
  });
  it('collapses whitespace', () => {
    expect(fold('  Xác   nhận\ttình trạng  ')).toBe('xac nhan tinh trang');
  });
  it('leaves plain ASCII unchanged apart from case', () => {
    expect(fold('ABC 1.001193')).toBe('abc 1.001193');
  });
});

describe('search', () => {
  it('finds a procedure from an unaccented query', () => {
    const hay = fold('Đăng ký khai sinh 1.001193 Hộ tịch');
    expect(matchesAll(hay, searchTokens('dang ky khai sinh'))).toBe(true);
    expect(matchesAll(hay, searchTokens('khai sinh đăng'))).toBe(true);
    expect(matchesAll(hay, searchTokens('kết hôn'))).toBe(false);
    expect(matchesAll(hay, searchTokens('1.001193'))).toBe(true);
  });
  it('an empty query has no tokens and matches everything', () => {
    expect(searchTokens('  ')).toEqual([]);
    expect(matchesAll('anything', [])).toBe(true);
  });
});

describe('formats', () => {
  it('formats VND the Vietnamese way', () => {
    const text = formatVnd(50000).replace(/\s/g, ' ');
    expect(text).toMatch(/^50\.000 ₫$/);
  });
  it('gives the date in Asia/Ho_Chi_Minh', () => {
    // 2025-11-27T18:30Z is already 28 November in Viet Nam (UTC+7).
    const d = new Date('2025-11-27T18:30:00Z');
    expect(isoDateInVietnam(d)).toBe('2025-11-28');
    expect(formatLongDate(d, 'vi')).toContain('28');
    expect(formatLongDate(d, 'vi').toLowerCase()).toContain('tháng 11');
    expect(formatLongDate(d, 'en')).toContain('November');
  });
});
