/** "Về làng, xuống phố": the sessions on this device (newest first) and the form for a new one. */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { t, type MessageKey } from '../../shared/i18n';
import { db, ofEntity, type SyncedRecord } from '../db';
import { createRecord } from '../data/outbox';
import { session } from '../session';
import { formatDay, localDay } from './format';
import { communeName, loadNames } from './lookups';
import { useLive } from './live';
import { linkTo, navigate } from './router';
import { SessionForm, type SessionFields } from './SessionForm';

export const SESSION = 'outreach_session';
export const QUESTION = 'outreach_question';

export function Outreach() {
  const creating = useSignal(false);
  const communes = session.value?.user.communes ?? [];
  useEffect(() => void loadNames(communes), [communes.join(',')]);
  const sessions = useLive(
    async () => {
      const list = await ofEntity(db, SESSION).toArray();
      const counts = new Map<string, number>();
      await ofEntity(db, QUESTION).each((q) => q.link && counts.set(q.link, (counts.get(q.link) ?? 0) + 1));
      list.sort((a, b) => String(b.data['held_on']).localeCompare(String(a.data['held_on'])) || a.id.localeCompare(b.id));
      return list.map((s) => ({ s, n: counts.get(s.id) ?? 0 }));
    },
    [],
    [] as Array<{ s: SyncedRecord; n: number }>,
  );
  const create = async (fields: SessionFields) => {
    const id = await createRecord(SESSION, { ...fields });
    creating.value = false;
    navigate(`/staff/ve-lang/${id}`);
  };
  const blank: SessionFields = {
    commune_id: communes[0] ?? '',
    kind: 'village_outreach',
    title: '',
    place: '',
    held_on: localDay(new Date()),
    attendance: 0,
    notes: '',
  };
  return (
    <section class="outreach" aria-labelledby="outreach-title">
      <div class="page-head">
        <h1 id="outreach-title" tabIndex={-1}>
          {t('officer.outreach.title')}
        </h1>
        {!creating.value && (
          <button type="button" class="button button--primary" onClick={() => (creating.value = true)}>
            {t('officer.outreach.new')}
          </button>
        )}
      </div>
      <p class="muted">{t('officer.outreach.intro')}</p>
      {creating.value && <SessionForm initial={blank} isNew onSave={create} onCancel={() => (creating.value = false)} />}
      {sessions.length === 0 ? (
        <p class="card empty-line">{t('officer.outreach.empty')}</p>
      ) : (
        <ul class="plain-list session-list">
          {sessions.map(({ s, n }) => (
            <li key={s.id} class="card session-item">
              <h2>
                <a href={`/staff/ve-lang/${s.id}`} onClick={linkTo(`/staff/ve-lang/${s.id}`)}>
                  {String(s.data['title'] ?? '')}
                </a>
              </h2>
              <p class="muted">
                {t(`officer.session.kind.${String(s.data['kind'])}` as MessageKey)} · {communeName(s.commune_id)}
              </p>
              <p>
                {t('officer.session.meta', {
                  date: formatDay(String(s.data['held_on'] ?? '')),
                  place: String(s.data['place'] || '—'),
                  n: Number(s.data['attendance'] ?? 0),
                })}{' '}
                · {t('officer.outreach.count', { n })}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
