/** What the dispatcher screens share: who may see them, commune names, labels, error text. */
import { signal } from '@preact/signals';
import { ApiError, NetworkError } from '../../shared/api/client';
import { bookingApi } from '../../shared/booking/api';
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
