import type { ComponentChildren } from 'preact';
import { t } from '../i18n';
import { online } from '../online';

/** A small always-visible connection badge; apps may add more (e.g. the staff sync count). */
export function NetStatus({ children }: { children?: ComponentChildren }) {
  const isOnline = online.value;
  return (
    <div class="net-status" role="status" aria-label={t('net.label')} data-online={isOnline ? 'true' : 'false'}>
      <span class={`net-status__dot ${isOnline ? 'is-online' : 'is-offline'}`} aria-hidden="true" />
      <span class="net-status__text">{isOnline ? t('net.online') : t('net.offline')}</span>
      {children}
    </div>
  );
}
