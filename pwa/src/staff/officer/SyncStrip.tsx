/** The always-visible sync strip in the header: last sync, error, conflicts, rejected; a tap opens the details. */
import { t } from '../../shared/i18n';
import { lastError, lastSyncAt, openConflicts, rejectedCount, syncing } from '../sync';
import { formatTime } from './format';
import { linkTo } from './router';

export function SyncStrip() {
  const error = lastError.value;
  const parts: string[] = [];
  parts.push(syncing.value ? t('sync.strip.running') : lastSyncAt.value ? t('sync.strip.last', { time: formatTime(lastSyncAt.value) }) : t('sync.strip.never'));
  return (
    <a class="sync-strip" href="/staff/dong-bo" onClick={linkTo('/staff/dong-bo')} data-error={error ? 'true' : 'false'}>
      <span class="sync-strip__last">{parts[0]}</span>
      {error && <span class="sync-strip__badge sync-strip__badge--error">{t('sync.strip.error')}</span>}
      {openConflicts.value > 0 && (
        <span class="sync-strip__badge sync-strip__badge--warn" data-kind="conflicts">
          {t('sync.strip.conflicts', { n: openConflicts.value })}
        </span>
      )}
      {rejectedCount.value > 0 && (
        <span class="sync-strip__badge sync-strip__badge--warn" data-kind="rejected">
          {t('sync.strip.rejected', { n: rejectedCount.value })}
        </span>
      )}
    </a>
  );
}
