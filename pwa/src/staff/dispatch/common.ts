/** What the dispatcher screens share: who may see them, commune names, labels, error text. */
import { signal } from '@preact/signals';
import { ApiError, NetworkError } from '../../shared/api/client';
import { bookingApi } from '../../shared/booking/api';
import type { AppointmentOut } from '../../shared/booking/slots';
import { lang, t, tMaybe } from '../../shared/i18n';
import { session } from '../session';

export const DISPATCH_ROLES = ['dispatcher', 'supervisor', 'admin'] as const;

export function canDispatch(): boolean {
  const role = session.value?.user.role;
  return !!role && (DISPATCH_ROLES as readonly string[]).includes(role);
}

export function token(): string {
  return session.value?.token ?? '';
}

/** Names of the user's communes (codes in the session), fetched once. */
export const communeNames = signal<Record<string, string>>({});
let loading = false;
export function loadCommuneNames(): void {
  const codes = session.value?.user.communes ?? [];
  if (loading || codes.every((c) => communeNames.value[c])) return;
  loading = true;
  void Promise.all(
    codes.map((c) =>
      bookingApi
        .unit(c)
        .then((u) => [c, u.name] as const)
        .catch(() => [c, c] as const),
    ),
  )
    .then((pairs) => (communeNames.value = { ...communeNames.value, ...Object.fromEntries(pairs) }))
    .finally(() => (loading = false));
}

export function channelLabel(channel: string): string {
  return tMaybe(`dispatch.channel.${channel}`) ?? channel;
}

export function kindText(kind: string): string {
  return tMaybe(`book.kind.${kind}`) ?? kind;
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message_for(lang.value);
  if (err instanceof NetworkError) return t('dispatch.offline');
  return t('slot.failed');
}

/**
 * The appointment as it is now, when a write was refused because someone changed it meanwhile
 * (409, reason "stale": the version this screen sent is no longer current); null for any other error.
 */
export function staleAppointment(err: unknown): AppointmentOut | null {
  if (!(err instanceof ApiError) || err.status !== 409 || err.body.extra?.['reason'] !== 'stale') return null;
  const current = err.body.extra?.['appointment'];
  return current && typeof current === 'object' && 'version' in current ? (current as AppointmentOut) : null;
}

/** What another person changed, in the dispatcher's words: status, officer, time. */
export function whatChanged(before: AppointmentOut, now: AppointmentOut, language: 'vi' | 'en'): string[] {
  const texts = STALE_TEXTS[language];
  const changes: string[] = [];
  if (before.status !== now.status) changes.push(texts.status(now.status_vi));
  if (before.officer_id !== now.officer_id) changes.push(texts.officer(now.officer_name));
  if (before.slot_start !== now.slot_start) changes.push(texts.time(now.slot_start));
  return changes;
}

/** The texts of a refused stale write (kept beside the screen that shows them). */
export const STALE_TEXTS = {
  vi: {
    title: 'Lịch hẹn vừa được người khác thay đổi',
    body: 'Trong lúc bạn xem, lịch hẹn đã được cập nhật nên thao tác của bạn chưa được thực hiện. Thông tin trên màn hình đã được tải lại — vui lòng xem lại rồi thao tác nếu vẫn cần.',
    status: (s: string) => `Trạng thái mới: ${s}`,
    officer: (name: string | null | undefined) => (name ? `Cán bộ phụ trách: ${name}` : 'Lịch hẹn không còn cán bộ phụ trách'),
    time: (iso: string) => `Giờ hẹn mới: ${new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'full', timeStyle: 'short' }).format(new Date(iso))}`,
  },
  en: {
    title: 'Someone else has just changed this appointment',
    body: 'It was updated while you were looking at it, so your action was not carried out. The screen now shows the latest information — please review it and act again if still needed.',
    status: (s: string) => `New status: ${s}`,
    officer: (name: string | null | undefined) => (name ? `Officer: ${name}` : 'No officer assigned any more'),
    time: (iso: string) => `New time: ${new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'full', timeStyle: 'short' }).format(new Date(iso))}`,
  },
} as const;
