/** One outreach session: its details (editable), and the questions and petitions raised there. */
import { useSignal } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import { t, type MessageKey } from '../../shared/i18n';
import { db, type SyncedRecord } from '../db';
import { createRecord, deleteRecord, storeBlob, updateRecord } from '../data/outbox';
import { session } from '../session';
import { formatDay } from './format';
import { communeName, loadNames } from './lookups';
import { useLive } from './live';
import { QUESTION, SESSION } from './Outreach';
import { linkTo, navigate } from './router';
import { SessionForm, type SessionFields } from './SessionForm';

const CATEGORIES = ['administrative_procedure', 'land', 'social_welfare', 'infrastructure', 'environment', 'health', 'education', 'business', 'security', 'other'] as const;
const CHANNELS = ['in_person', 'phone', 'hotline_1022', 'zalo', 'facebook', 'email', 'web', 'radio'] as const;

interface QuestionFields {
  asker_name: string;
  text: string;
  category: string;
  channel: string;
  photo_sha256: string | null;
}

/** A stored photo, shown from its Blob (object URL released when the component goes). */
function Photo({ sha }: { sha: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const row = useLive(() => db.blobs.get(sha), [sha], undefined);
  useEffect(() => {
    if (!row) return;
    const u = URL.createObjectURL(row.blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [row?.sha256]);
  if (!row || !url) return null;
  return (
    <figure class="photo">
      <img src={url} alt={t('officer.question.photoAlt')} />
      {!row.uploaded && <figcaption class="muted">{t('officer.question.photoWaiting')}</figcaption>}
    </figure>
  );
}

function QuestionForm({ initial, onSave, onCancel, formId }: {
  initial: QuestionFields;
  onSave: (q: QuestionFields) => Promise<void>;
  onCancel?: () => void;
  formId: string;
}) {
  const f = useSignal<QuestionFields>(initial);
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const set = (k: keyof QuestionFields) => (e: Event) => {
    f.value = { ...f.value, [k]: (e.currentTarget as HTMLInputElement).value };
  };
  const pick = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const sha = await storeBlob(file);
    f.value = { ...f.value, photo_sha256: sha };
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!f.value.text.trim()) {
      error.value = t('officer.question.textNeeded');
      return;
    }
    error.value = null;
    busy.value = true;
    try {
      await onSave({ ...f.value, text: f.value.text.trim(), asker_name: f.value.asker_name.trim() });
      f.value = { ...initial, asker_name: '', text: '', photo_sha256: null };
    } finally {
      busy.value = false;
    }
  };
  return (
    <form class="question-form form" onSubmit={(e) => void submit(e)} noValidate aria-label={t(onCancel ? 'officer.question.edit' : 'officer.question.add')}>
      <div class="form-grid">
        <label class="field field--wide">
          <span class="field__label">{t('officer.question.text')}</span>
          <textarea rows={3} maxLength={4000} required value={f.value.text} onInput={set('text')} aria-invalid={error.value ? 'true' : undefined} />
        </label>
        <label class="field">
          <span class="field__label">{t('officer.question.asker')}</span>
          <input type="text" maxLength={120} value={f.value.asker_name} onInput={set('asker_name')} autoComplete="off" />
        </label>
        <label class="field">
          <span class="field__label">{t('officer.question.category')}</span>
          <select value={f.value.category} onChange={set('category')}>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`officer.category.${c}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field__label">{t('officer.question.channel')}</span>
          <select value={f.value.channel} onChange={set('channel')}>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t(`officer.channel.${c}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field__label">{t('officer.question.photo')}</span>
          <input type="file" accept="image/*" capture="environment" onChange={(e) => void pick(e)} id={`${formId}-photo`} />
        </label>
      </div>
      {f.value.photo_sha256 && (
        <div class="photo-row">
          <Photo sha={f.value.photo_sha256} />
          <button type="button" class="button button--ghost" onClick={() => (f.value = { ...f.value, photo_sha256: null })}>
            {t('officer.question.removePhoto')}
          </button>
        </div>
      )}
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      <div class="button-row">
        <button type="submit" class="button button--primary" disabled={busy.value}>
          {t('officer.question.save')}
        </button>
        {onCancel && (
          <button type="button" class="button button--ghost" onClick={onCancel}>
            {t('officer.appt.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

function QuestionItem({ q }: { q: SyncedRecord }) {
  const editing = useSignal(false);
  const d = q.data;
  const fields: QuestionFields = {
    asker_name: String(d['asker_name'] ?? ''),
    text: String(d['text'] ?? ''),
    category: String(d['category'] ?? 'other'),
    channel: String(d['channel'] ?? 'in_person'),
    photo_sha256: (d['photo_sha256'] as string | null) ?? null,
  };
  if (editing.value) {
    return (
      <li class="card question" data-question={q.id}>
        <QuestionForm
          formId={`q-${q.id}`}
          initial={fields}
          onCancel={() => (editing.value = false)}
          onSave={async (next) => {
            await updateRecord(QUESTION, q.id, { ...next });
            editing.value = false;
          }}
        />
      </li>
    );
  }
  return (
    <li class="card question" data-question={q.id}>
      <p class="question__text">{fields.text}</p>
      <p class="muted">
        {fields.asker_name || t('officer.question.anonymous')} · {t(`officer.category.${fields.category}` as MessageKey)} ·{' '}
        {t(`officer.channel.${fields.channel}` as MessageKey)}
      </p>
      {fields.photo_sha256 && <Photo sha={fields.photo_sha256} />}
      <div class="button-row">
        <button type="button" class="button button--secondary" onClick={() => (editing.value = true)}>
          {t('officer.question.edit')}
        </button>
        <button type="button" class="button button--ghost button--danger" onClick={() => void deleteRecord(QUESTION, q.id)}>
          {t('officer.question.delete')}
        </button>
      </div>
    </li>
  );
}

export function SessionView({ id }: { id: string }) {
  const editing = useSignal(false);
  const confirmDelete = useSignal(false);
  const saved = useSignal(false);
  useEffect(() => void loadNames(session.value?.user.communes ?? []), []);
  const rec = useLive(() => db.records.get([SESSION, id]), [id], null as SyncedRecord | null | undefined);
  const questions = useLive(
    async () => {
      const list = await db.records.where('[entity+link]').equals([QUESTION, id]).toArray();
      return list.sort((a, b) => String(a.data['updated_at'] ?? '~').localeCompare(String(b.data['updated_at'] ?? '~')));
    },
    [id],
    [] as SyncedRecord[],
  );
  const back = (
    <p>
      <a href="/staff/ve-lang" onClick={linkTo('/staff/ve-lang')}>
        ← {t('officer.outreach.back')}
      </a>
    </p>
  );
  if (rec === null) return null; // still loading
  if (rec === undefined) {
    return (
      <section aria-labelledby="session-missing">
        {back}
        <h1 id="session-missing" tabIndex={-1}>
          {t('officer.outreach.notFound')}
        </h1>
      </section>
    );
  }
  const d = rec.data;
  const fields: SessionFields = {
    commune_id: rec.commune_id,
    kind: String(d['kind'] ?? 'village_outreach'),
    title: String(d['title'] ?? ''),
    place: String(d['place'] ?? ''),
    held_on: String(d['held_on'] ?? ''),
    attendance: Number(d['attendance'] ?? 0),
    notes: String(d['notes'] ?? ''),
  };
  const save = async (next: SessionFields) => {
    const { commune_id: _commune, ...changes } = next;
    await updateRecord(SESSION, id, changes);
    editing.value = false;
    saved.value = true;
  };
  const addQuestion = async (q: QuestionFields) => {
    await createRecord(QUESTION, { ...q, session_id: id, commune_id: rec.commune_id });
  };
  return (
    <section class="session" aria-labelledby="session-title">
      {back}
      <h1 id="session-title" tabIndex={-1}>
        {fields.title}
      </h1>
      <p class="muted">
        {t(`officer.session.kind.${fields.kind}` as MessageKey)} · {communeName(rec.commune_id)}
      </p>
      {saved.value && (
        <p class="notice" role="status">
          {t('officer.session.saved')}
        </p>
      )}
      {editing.value ? (
        <SessionForm initial={fields} isNew={false} onSave={save} onCancel={() => (editing.value = false)} />
      ) : (
        <div class="card">
          <dl class="kv">
            <dt>{t('officer.session.date')}</dt>
            <dd>{formatDay(fields.held_on)}</dd>
            <dt>{t('officer.session.place')}</dt>
            <dd>{fields.place || '—'}</dd>
            <dt>{t('officer.session.attendance')}</dt>
            <dd>{fields.attendance}</dd>
            <dt>{t('officer.session.notes')}</dt>
            <dd>{fields.notes || '—'}</dd>
          </dl>
          <div class="button-row">
            <button type="button" class="button button--secondary" onClick={() => { saved.value = false; editing.value = true; }}>
              {t('officer.session.edit')}
            </button>
            {confirmDelete.value ? (
              <>
                <span role="alert">{t('officer.session.deleteAsk')}</span>
                <button
                  type="button"
                  class="button button--danger"
                  onClick={async () => {
                    await deleteRecord(SESSION, id);
                    navigate('/staff/ve-lang');
                  }}
                >
                  {t('officer.session.deleteConfirm')}
                </button>
                <button type="button" class="button button--ghost" onClick={() => (confirmDelete.value = false)}>
                  {t('officer.appt.cancel')}
                </button>
              </>
            ) : (
              <button type="button" class="button button--ghost button--danger" onClick={() => (confirmDelete.value = true)}>
                {t('officer.session.delete')}
              </button>
            )}
          </div>
        </div>
      )}
      <h2>{t('officer.question.list')}</h2>
      {questions.length ? (
        <ul class="plain-list question-list">{questions.map((q) => <QuestionItem key={q.id} q={q} />)}</ul>
      ) : (
        <p>{t('officer.question.empty')}</p>
      )}
      <div class="card">
        <h2>{t('officer.question.add')}</h2>
        <QuestionForm formId="new-question" initial={{ asker_name: '', text: '', category: 'other', channel: 'in_person', photo_sha256: null }} onSave={addQuestion} />
      </div>
    </section>
  );
}
