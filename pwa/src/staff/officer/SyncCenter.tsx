/** "Đồng bộ": the status in full, the queue, conflicts and rejected changes, each explained in Vietnamese. */
import { useSignal } from '@preact/signals';
import { t } from '../../shared/i18n';
import { db, ofEntity, type RejectedMutation, type SyncedRecord } from '../db';
import { CONFLICT_ENTITY } from '../data/entities';
import { resolveConflict } from '../data/outbox';
import { lastError, lastSyncAt, pendingCount, storage, syncNow, syncing } from '../sync';
import { session } from '../session';
import { formatBytes, formatDateTime } from './format';
import { actionLabel, entityLabel, fieldLabel, reasonLabel, showValue } from './labels';
import { useLive } from './live';
import { StaffPushPanel } from './StaffPushPanel';

function ErrorText() {
  const e = lastError.value;
  if (!e) return <>{t('sync.noError')}</>;
  const time = formatDateTime(e.at);
  if (e.kind === 'network') return <>{t('sync.errorNetwork', { time })}</>;
  return <>{t('sync.errorHttp', { status: e.status ?? '', time, detail: e.detail_vi || e.detail || '' })}</>;
}

function ConflictItem({ rec }: { rec: SyncedRecord }) {
  const c = rec.data;
  const mine = c['client_id'] === session.value?.device_id;
  const resolving = useSignal(false);
  const entity = entityLabel(String(c['entity'] ?? ''));
  const settle = async (choice: 'server' | 'client') => {
    resolving.value = true;
    await resolveConflict(rec.id, choice);
  };
  return (
    <li class="card conflict" data-conflict={rec.id}>
      <h3>{c['kind'] === 'deleted' ? t('sync.conflict.deleted', { entity }) : t('sync.conflict.field', { field: fieldLabel(String(c['field'] ?? '')), entity })}</h3>
      <dl class="kv">
        <dt>{t('sync.conflict.base')}</dt>
        <dd>{showValue(c['base_value'])}</dd>
        <dt>{t('sync.conflict.server')}</dt>
        <dd class="conflict__server">{showValue(c['server_value'])}</dd>
        <dt>
          {t('sync.conflict.client')} {mine && t('sync.conflict.mine')}
        </dt>
        <dd class="conflict__client">{showValue(c['client_value'])}</dd>
      </dl>
      <p class="muted">{t('sync.conflict.when', { time: formatDateTime(String(c['created_at'] ?? '')) })}</p>
      {resolving.value ? (
        <p role="status">{t('sync.conflict.resolving')}</p>
      ) : (
        <div class="button-row">
          <button type="button" class="button button--secondary" onClick={() => void settle('server')}>
            {t('sync.conflict.keepServer')}
          </button>
          {c['kind'] === 'field' && (
            <button type="button" class="button button--secondary" onClick={() => void settle('client')}>
              {t('sync.conflict.takeClient')}
            </button>
          )}
        </div>
      )}
    </li>
  );
}

function RejectedItem({ r }: { r: RejectedMutation }) {
  return (
    <li class="card rejected" data-mutation={r.id}>
      <h3>{t('sync.rejected.what', { action: actionLabel(r.name), entity: entityLabel(r.entity) })}</h3>
      <p class="rejected__reason">
        <strong>{t('sync.rejected.reason', { reason: reasonLabel(r.reason) })}</strong>
        {r.detail && <span class="muted"> — {r.detail}</span>}
      </p>
      <p class="muted">{formatDateTime(r.client_ts)}</p>
      <h4>{t('sync.rejected.payload')}</h4>
      <dl class="kv">
        {Object.entries(r.changed).flatMap(([k, v]) => [
          <dt key={`k-${k}`}>{fieldLabel(k)}</dt>,
          <dd key={`v-${k}`}>{showValue(v)}</dd>,
        ])}
      </dl>
      <button type="button" class="button button--ghost" onClick={() => void db.rejected.delete(r.id)}>
        {t('sync.rejected.dismiss')}
      </button>
    </li>
  );
}

export function SyncCenter() {
  const queue = useLive(() => db.outbox.orderBy('seq').toArray(), [], []);
  const conflicts = useLive(
    () => ofEntity(db, CONFLICT_ENTITY).filter((r) => !r.data['resolved_at']).toArray(),
    [],
    [] as SyncedRecord[],
  );
  const rejected = useLive(() => db.rejected.orderBy('seq').reverse().toArray(), [], [] as RejectedMutation[]);
  const st = storage.value;
  return (
    <section class="sync-center" aria-labelledby="sync-title">
      <h1 id="sync-title" tabIndex={-1}>
        {t('sync.title')}
      </h1>
      <p class="muted">{t('sync.intro')}</p>
      <div class="card sync-summary">
        <dl class="kv">
          <dt>{t('sync.pending')}</dt>
          <dd data-testid="pending">{pendingCount.value}</dd>
          <dt>{t('sync.lastSync')}</dt>
          <dd>{lastSyncAt.value ? formatDateTime(lastSyncAt.value) : t('sync.strip.never')}</dd>
          <dt>{t('sync.error')}</dt>
          <dd>
            <ErrorText />
          </dd>
          <dt>{t('sync.storage')}</dt>
          <dd>
            {st ? t('sync.storageUse', { used: formatBytes(st.usage), quota: formatBytes(st.quota) }) : '—'}
            {st && <span class="muted"> · {st.persisted ? t('sync.persisted') : t('sync.notPersisted')}</span>}
          </dd>
        </dl>
        <button type="button" class="button button--primary sync-now" disabled={syncing.value} onClick={() => void syncNow()}>
          {syncing.value ? t('sync.strip.running') : t('sync.now')}
        </button>
      </div>

      <StaffPushPanel />

      <h2>{t('sync.conflicts')}</h2>
      <p class="muted">{t('sync.conflictsIntro')}</p>
      {conflicts.length ? (
        <ul class="plain-list">{conflicts.map((c) => <ConflictItem key={c.id} rec={c} />)}</ul>
      ) : (
        <p>{t('sync.conflictsEmpty')}</p>
      )}

      <h2>{t('sync.rejected')}</h2>
      <p class="muted">{t('sync.rejectedIntro')}</p>
      {rejected.length ? (
        <ul class="plain-list">{rejected.map((r) => <RejectedItem key={r.id} r={r} />)}</ul>
      ) : (
        <p>{t('sync.rejectedEmpty')}</p>
      )}

      <h2>{t('sync.queue')}</h2>
      {queue.length ? (
        <ol class="queue-list">
          {queue.map((m) => (
            <li key={m.seq}>
              #{m.seq} · {actionLabel(m.name)} {entityLabel(m.entity)} · {formatDateTime(m.client_ts)}
            </li>
          ))}
        </ol>
      ) : (
        <p>{t('sync.queueEmpty')}</p>
      )}
    </section>
  );
}
