/**
 * Booking helpers shared by the citizen app and the dispatcher screens: the API's types, times shown in
 * Asia/Ho_Chi_Minh whatever the device's clock zone, availability turned into days and slots, and the
 * client-generated booking id and secret (so a booking queued offline can be retried without duplicates).
 */
import type { components } from '../api/schema';
import type { Lang } from '../i18n';
import { TIME_ZONE } from '../text';

type S = components['schemas'];
export type Availability = S['AvailabilityOut'];
export type AvailabilityDay = S['DayAvailability'];
export type Slot = S['Slot'];
export type BookingOut = S['BookingOut'];
export type BookingCreated = S['BookingCreated'];
export type BookingCreate = S['BookingCreate'];
export type StaffIntake = S['StaffIntake'];
export type AppointmentOut = S['AppointmentOut'];
export type OfficerOut = S['OfficerOut'];
export type ConsentOut = S['ConsentOut'];
export type VisitKind = BookingCreate['kind'];
export type Channel = StaffIntake['channel'];

export const VISIT_KINDS: readonly VisitKind[] = ['guide', 'receive_dossier', 'return_result', 'postal_delivery'];
export const INTAKE_CHANNELS: readonly Channel[] = ['phone', 'zalo', 'facebook', 'email', 'hotline_1022', 'walk_in'];

const locale = (lang: Lang) => (lang === 'vi' ? 'vi-VN' : 'en-GB');

/** "08:30" in Viet Nam. */
export function formatTime(iso: string | Date): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hour12: false }).format(
    typeof iso === 'string' ? new Date(iso) : iso,
  );
}

/** "Thứ Hai, 30/11/2026" (vi) or "Monday, 30/11/2026" (en), in Viet Nam. */
export function formatDay(iso: string | Date, lang: Lang): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  const weekday = new Intl.DateTimeFormat(locale(lang), { timeZone: TIME_ZONE, weekday: 'long' }).format(d);
  const date = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
  return `${lang === 'vi' ? capitalise(weekday) : weekday}, ${date}`;
}

/** "08:30–09:15, Thứ Hai, 30/11/2026". */
export function formatSlot(start: string, end: string | null | undefined, lang: Lang): string {
  const times = end ? `${formatTime(start)}–${formatTime(end)}` : formatTime(start);
  return `${times}, ${formatDay(start, lang)}`;
}

/** "28/11/2026 09:41" in Viet Nam: when something was last updated. */
export function formatStamp(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  const date = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
  return `${formatTime(d)} ${date}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A day of the API's availability ("2026-11-30") as a short label: "T2 30/11" style pieces for the day chips. */
export function dayParts(day: string, weekdayVi: string, lang: Lang): { weekday: string; date: string } {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const noonUtc = new Date(Date.UTC(y, m - 1, d, 5)); // 12:00 in Viet Nam: the same calendar day
  const weekday =
    lang === 'vi' ? weekdayVi : new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, weekday: 'long' }).format(noonUtc);
  return { weekday, date: `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}` };
}

export interface DayChoice {
  day: string;
  weekdayVi: string;
  holiday: string | null;
  slots: Slot[];
  /** No free slot (weekend, holiday, full or past). */
  closed: boolean;
}

/**
 * The days to show in a slot picker: slots in time order, without those that start before `notBefore`
 * (e.g. now, or the current slot when rescheduling excludes it), days closed when nothing is left.
 */
export function groupAvailability(
  days: readonly AvailabilityDay[],
  { notBefore, exclude }: { notBefore?: Date; exclude?: string | null } = {},
): DayChoice[] {
  const limit = notBefore?.getTime() ?? -Infinity;
  const excluded = exclude ? new Date(exclude).getTime() : NaN;
  return [...days]
    .sort((a, b) => a.day.localeCompare(b.day))
    .map((d) => {
      const slots = d.slots
        .filter((s) => {
          const at = new Date(s.start).getTime();
          return at >= limit && at !== excluded;
        })
        .sort((a, b) => new Date(a.start).getTime() - new Date(b.start).getTime());
      return { day: d.day, weekdayVi: d.weekday_vi, holiday: d.holiday ?? null, slots, closed: slots.length === 0 };
    });
}

/** The first day that has a free slot (the picker opens on it). */
export function firstOpenDay(days: readonly DayChoice[]): string | null {
  return days.find((d) => !d.closed)?.day ?? null;
}

/** Split a day's slots into morning and afternoon (local time) for easier reading. */
export function splitDay(slots: readonly Slot[]): { morning: Slot[]; afternoon: Slot[] } {
  const morning: Slot[] = [];
  const afternoon: Slot[] = [];
  for (const s of slots) (Number(formatTime(s.start).slice(0, 2)) < 12 ? morning : afternoon).push(s);
  return { morning, afternoon };
}

/** Whether two ISO instants are the same moment ("…Z" and "…+07:00" spellings). */
export function sameInstant(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && new Date(a).getTime() === new Date(b).getTime();
}

/** A random UUID v4 (crypto.randomUUID needs a secure context; fall back to getRandomValues). */
export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The booking's secret: 32 random bytes, base64url without padding (43 characters). */
export function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let bin = '';
  for (const x of bytes) bin += String.fromCharCode(x);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A Vietnamese phone number as the server accepts it (10–11 digits, +84 allowed); null when fine. */
export function phoneLooksValid(raw: string): boolean {
  let p = raw.replace(/[ .()-]/g, '');
  if (p.startsWith('+84')) p = '0' + p.slice(3);
  else if (p.startsWith('84') && p.length === 11) p = '0' + p.slice(2);
  return /^0\d{9,10}$/.test(p);
}
