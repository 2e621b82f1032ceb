/** The form of an outreach session (new or edit). Saved to IndexedDB and the outbox in one transaction. */
import { useSignal } from '@preact/signals';
import { t, type MessageKey } from '../../shared/i18n';
import { session } from '../session';
import { communeName } from './lookups';

export const SESSION_KINDS = ['village_outreach', 'radio_dialogue', 'business_coffee'] as const;

export interface SessionFields {
  commune_id: string;
  kind: string;
  title: string;
  place: string;
  held_on: string;
  attendance: number;
  notes: string;
}

export function SessionForm({ initial, isNew, onSave, onCancel }: {
  initial: SessionFields;
  isNew: boolean;
  onSave: (fields: SessionFields) => Promise<void>;
  onCancel?: () => void;
}) {
  const f = useSignal<SessionFields>(initial);
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const communes = session.value?.user.communes ?? [];
  const set = (k: keyof SessionFields) => (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    f.value = { ...f.value, [k]: k === 'attendance' ? Math.max(0, Number(el.value) || 0) : el.value };
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!f.value.title.trim()) {
      error.value = t('officer.session.titleNeeded');
      return;
    }
    error.value = null;
    busy.value = true;
    try {
      await onSave({ ...f.value, title: f.value.title.trim(), place: f.value.place.trim() });
    } finally {
      busy.value = false;
    }
  };
  const id = isNew ? 'new' : 'edit';
  return (
    <form class="card form session-form" onSubmit={(e) => void submit(e)} noValidate>
      <h2>{isNew ? t('officer.session.newTitle') : t('officer.session.formTitle')}</h2>
      <div class="form-grid">
        {isNew && (
          <label class="field">
            <span class="field__label">{t('officer.session.commune')}</span>
            <select value={f.value.commune_id} onChange={set('commune_id')} id={`${id}-commune`}>
              {communes.map((c) => (
                <option key={c} value={c}>
                  {communeName(c)}
                </option>
              ))}
            </select>
          </label>
        )}
        <label class="field">
          <span class="field__label">{t('officer.session.kind')}</span>
          <select value={f.value.kind} onChange={set('kind')}>
            {SESSION_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`officer.session.kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label class="field field--wide">
          <span class="field__label">{t('officer.session.title')}</span>
          <input type="text" required maxLength={200} value={f.value.title} onInput={set('title')} aria-invalid={error.value ? 'true' : undefined} />
        </label>
        <label class="field field--wide">
          <span class="field__label">{t('officer.session.place')}</span>
          <input type="text" maxLength={200} value={f.value.place} onInput={set('place')} />
        </label>
        <label class="field">
          <span class="field__label">{t('officer.session.date')}</span>
          <input type="date" required value={f.value.held_on} onInput={set('held_on')} />
        </label>
        <label class="field">
          <span class="field__label">{t('officer.session.attendance')}</span>
          <input type="number" inputMode="numeric" min={0} max={100000} value={String(f.value.attendance)} onInput={set('attendance')} />
        </label>
        <label class="field field--wide">
          <span class="field__label">{t('officer.session.notes')}</span>
          <textarea rows={3} maxLength={10000} value={f.value.notes} onInput={set('notes')} />
        </label>
      </div>
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      <div class="button-row">
        <button type="submit" class="button button--primary" disabled={busy.value}>
          {t('officer.session.save')}
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
