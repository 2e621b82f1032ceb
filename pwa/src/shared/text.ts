/** Text helpers shared by both apps. */

/**
 * Fold text for search: decompose (NFD), strip combining marks, đ/Đ → d, lower-case, collapse spaces.
 * "Đăng ký khai sinh" and "dang ky khai sinh" fold to the same string.
 */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** The folded words of a query; a match must contain every one of them. */
export function searchTokens(query: string): string[] {
  return fold(query)
    .split(/[^0-9a-z.]+/)
    .filter((t) => t.length > 0);
}

/** True when every word of the query appears in the (already folded) haystack. */
export function matchesAll(foldedHaystack: string, tokens: readonly string[]): boolean {
  return tokens.every((t) => foldedHaystack.includes(t));
}

const vnd = new Intl.NumberFormat('vi-VN', { style: 'currency', currency: 'VND', maximumFractionDigits: 0 });

/** 50000 → "50.000 ₫" (Vietnamese grouping, whatever the interface language). */
export function formatVnd(amount: number): string {
  return vnd.format(amount);
}

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** A date as people in Viet Nam read it, e.g. "Thứ Sáu, 28 tháng 11, 2025" (vi) or "Friday, 28 November 2025" (en). */
export function formatLongDate(date: Date, lang: 'vi' | 'en'): string {
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    timeZone: TIME_ZONE,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(date);
}

/** The calendar date in Viet Nam, YYYY-MM-DD: "today" for officers, whatever the tablet's clock zone. */
export function isoDateInVietnam(date: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}
