/**
 * "Đặt lịch cán bộ đến nhà": a step-by-step form. Every keystroke is kept in IndexedDB (the draft), the id and
 * secret are generated once per draft, and confirming puts the booking in the offline queue before sending it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { bookingApi } from '../../shared/booking/api';
import { SlotPicker } from '../../shared/booking/SlotPicker';
import {
  type ConsentOut,
  formatSlot,
  newId,
  newSecret,
  phoneLooksValid,
  type VisitKind,
} from '../../shared/booking/slots';
import { useAvailability } from '../../shared/booking/useAvailability';
import { lang, t, tMaybe, type MessageKey } from '../../shared/i18n';
import { findProcedure, procedures } from '../catalogue';
import { db, type StoredProcedure } from '../db';
import { IconBack } from '../icons';
import { linkHandler, navigate, procedureHref } from '../router';
import { CommuneField } from './CommuneField';
import { submit } from './outbox';
import type { QueuedBooking } from './queue';
import { type BookingDraft, clearDraft, loadDraft, saveDraft } from './store';

const STEPS = ['kind', 'address', 'contact', 'slot', 'consent', 'summary'] as const;
type Step = (typeof STEPS)[number];
type Errors = Partial<Record<'kind' | 'commune' | 'address' | 'name' | 'phone' | 'slot' | 'consent' | 'submit', string>>;

export function kindLabel(kind: string): string {
  return tMaybe(`book.kind.${kind}`) ?? kind;
}

function emptyDraft(code: string): BookingDraft {
  return {
    procedureCode: code,
    step: 0,
    kind: '',
    communeId: '',
    communeName: '',
    legacy: false,
    legacyCommune: '',
    legacyDistrict: '',
    addressDetail: '',
    name: '',
    phone: '',
    notes: '',
    slotStart: '',
    slotEnd: '',
    consentChecked: false,
    consentVersion: '',
    id: newId(),
    token: newSecret(),
  };
}

/** The consent text: from the server, kept on the device so the form can be finished offline. */
async function loadConsent(): Promise<ConsentOut | null> {
  try {
    const c = await bookingApi.consent();
    await db.meta.put({ key: 'consent', value: JSON.stringify(c) });
    return c;
  } catch {
    const row = await db.meta.get('consent');
    return row ? (JSON.parse(row.value) as ConsentOut) : null;
  }
}

export function BookingForm({ code }: { code: string }) {
  const fromList = procedures.value.find((p) => p.code === code) ?? null;
  const [fetched, setFetched] = useState<StoredProcedure | null | undefined>(undefined);
  const [draft, setDraft] = useState<BookingDraft | null>(null);
  const [consent, setConsent] = useState<ConsentOut | null | undefined>(undefined);
  const [errors, setErrors] = useState<Errors>({});
  const [sending, setSending] = useState(false);
  const [nearest, setNearest] = useState<string[] | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);

  useEffect(() => {
    if (!fromList) void findProcedure(code).then(setFetched);
    void loadDraft(code).then((d) => setDraft(d ?? emptyDraft(code)));
    void loadConsent().then(setConsent);
  }, [code]);

  const procedure = fromList ?? fetched;
  const kinds = (procedure?.visit_kinds ?? []) as VisitKind[];

  // A single kind needs no question.
  useEffect(() => {
    if (draft && kinds.length === 1 && !draft.kind) update({ kind: kinds[0]! });
  }, [draft === null, kinds.length]);

  const { days, problem, reload } = useAvailability(
    draft && STEPS[draft.step] === 'slot' ? draft.communeId : null,
    (draft?.kind || null) as VisitKind | null,
  );

  useEffect(() => {
    // Move focus to the step's heading when the step changes (not on first render).
    if (!draft) return;
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [draft?.step]);

  if (procedure === undefined || draft === null) return <p aria-live="polite">{t('procedure.loading')}</p>;
  if (procedure === null || kinds.length === 0) {
    return (
      <section class="card">
        <h1 tabIndex={-1}>{t('book.notBookable')}</h1>
        <a class="button button--secondary" href="/" onClick={linkHandler('/')}>
          {t('procedure.back')}
        </a>
      </section>
    );
  }

  function update(patch: Partial<BookingDraft>) {
    setDraft((d) => {
      if (!d) return d;
      const next = { ...d, ...patch };
      void saveDraft(next);
      return next;
    });
  }

  const step: Step = STEPS[draft.step]!;

  function validate(s: Step): Errors {
    const e: Errors = {};
    const d = draft!;
    if (s === 'kind' && !d.kind) e.kind = t('book.err.kind');
    if (s === 'address') {
      if (!d.communeId) e.commune = t('book.err.commune');
      if (d.addressDetail.trim().length < 3) e.address = t('book.err.address');
    }
    if (s === 'contact') {
      if (!d.name.trim()) e.name = t('book.err.name');
      if (!phoneLooksValid(d.phone)) e.phone = t('book.err.phone');
    }
    if (s === 'slot' && !d.slotStart) e.slot = t('book.err.slot');
    if (s === 'consent' && !d.consentChecked) e.consent = t('book.err.consent');
    return e;
  }

  function next() {
    const e = validate(step);
    setErrors(e);
    if (Object.keys(e).length > 0) {
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.step [aria-invalid="true"], .step .field__error')?.focus?.());
      return;
    }
    update({ step: Math.min(draft!.step + 1, STEPS.length - 1) });
  }

  function back() {
    setErrors({});
    if (draft!.step === 0) navigate(procedureHref(code));
    else update({ step: draft!.step - 1 });
  }

  function goTo(s: Step) {
    setErrors({});
    update({ step: STEPS.indexOf(s) });
  }

  async function confirm() {
    const d = draft!;
    for (const s of STEPS.slice(0, -1)) {
      const e = validate(s);
      if (Object.keys(e).length > 0) {
        setErrors(e);
        goTo(s);
        return;
      }
    }
    setSending(true);
    setErrors({});
    setNearest(null);
    const item: QueuedBooking = {
      id: d.id,
      token: d.token,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: 0,
      createdAt: new Date().toISOString(),
      summary: { procedureName: procedure!.name, communeName: d.communeName, kindLabel: kindLabel(d.kind) },
      body: {
        id: d.id,
        token: d.token,
        procedure_code: code,
        kind: d.kind as VisitKind,
        commune_id: d.communeId,
        ...(d.legacy ? { legacy_commune: d.legacyCommune.trim(), legacy_district: d.legacyDistrict.trim() || null } : {}),
        address_detail: d.addressDetail.trim(),
        citizen_name: d.name.trim(),
        citizen_phone: d.phone.trim(),
        notes: d.notes.trim(),
        slot_start: d.slotStart,
        consent: { accepted: true, version: d.consentVersion },
        language: lang.value,
      },
    };
    try {
      const result = await submit(item);
      if ('reference' in result) {
        await clearDraft(code);
        navigate(`/lich-hen/${result.reference}/da-dat`, { replace: true });
      } else if (result.state === 'pending') {
        await clearDraft(code);
        navigate(`/cho-gui/${result.id}`, { replace: true });
      } else if (result.state === 'slot_taken') {
        await db.outbox.delete(result.id); // the form still holds everything; the citizen picks again here
        setNearest(result.nearestFree ?? []);
        update({ slotStart: '', slotEnd: '', step: STEPS.indexOf('slot') });
        setErrors({ slot: result.message ?? t('book.err.slotTaken') });
        reload();
      } else {
        await db.outbox.delete(result.id);
        setErrors({ submit: result.message ?? t('slot.failed') });
      }
    } finally {
      setSending(false);
    }
  }

  const stepTitle = t(`book.step.${step}` as MessageKey);
  const fieldError = (key: keyof Errors) =>
    errors[key] && (
      <p class="field__error" id={`${key}-error`}>
        {errors[key]}
      </p>
    );
  const invalid = (key: keyof Errors) => (errors[key] ? { 'aria-invalid': true, 'aria-describedby': `${key}-error` } : {});

  return (
    <article class="booking" aria-labelledby="book-title">
      <a class="back-link" href={procedureHref(code)} onClick={linkHandler(procedureHref(code))}>
        <IconBack />
        {t('book.backToProcedure')}
      </a>
      <header class="booking__head">
        <h1 id="book-title" tabIndex={-1}>
          {t('book.title')}
        </h1>
        <p class="booking__procedure" lang={lang.value === 'vi' ? undefined : 'vi'}>
          {procedure.name}
        </p>
        <ol class="steps" aria-label={t('book.progress')}>
          {STEPS.map((s, i) => (
            <li
              key={s}
              class={`steps__item${i < draft.step ? ' is-done' : ''}${i === draft.step ? ' is-current' : ''}`}
              aria-current={i === draft.step ? 'step' : undefined}
            >
              <span class="visually-hidden">{t(`book.step.${s}` as MessageKey)}</span>
            </li>
          ))}
        </ol>
      </header>

      <section class="card step" aria-labelledby="step-title">
        <h2 id="step-title" ref={headingRef} tabIndex={-1}>
          <span class="step__count">{t('book.stepOf', { n: draft.step + 1, total: STEPS.length })}</span> {stepTitle}
        </h2>

        {step === 'kind' && (
          <fieldset class="radio-list" aria-describedby={errors.kind ? 'kind-error' : undefined}>
            <legend class="field__label">{t('book.kind.label')}</legend>
            {kinds.map((k) => (
              <label class="radio-card" key={k}>
                <input type="radio" name="kind" value={k} checked={draft.kind === k} onChange={() => update({ kind: k, slotStart: '', slotEnd: '' })} />
                <span class="radio-card__text">
                  <span class="radio-card__title">{kindLabel(k)}</span>
                  <span class="radio-card__hint">{t(`book.kindHint.${k}` as MessageKey)}</span>
                </span>
              </label>
            ))}
            {fieldError('kind')}
          </fieldset>
        )}

        {step === 'address' && (
          <>
            <CommuneField
              value={draft}
              error={errors.commune}
              onChange={(patch) => update({ ...patch, ...(patch.communeId !== undefined && patch.communeId !== draft.communeId ? { slotStart: '', slotEnd: '' } : {}) })}
            />
            <div class="field">
              <label class="field__label" for="address-detail">
                {t('book.address.label')}
              </label>
              <span class="field__hint" id="address-hint">
                {t('book.address.hint')}
              </span>
              <textarea
                id="address-detail"
                class="input"
                rows={2}
                autocomplete="street-address"
                value={draft.addressDetail}
                onInput={(e) => update({ addressDetail: (e.target as HTMLTextAreaElement).value })}
                aria-invalid={!!errors.address}
                aria-describedby={errors.address ? 'address-hint address-error' : 'address-hint'}
              />
              {fieldError('address')}
            </div>
          </>
        )}

        {step === 'contact' && (
          <>
            <div class="field">
              <label class="field__label" for="citizen-name">
                {t('book.name.label')}
              </label>
              <input
                id="citizen-name"
                class="input"
                autocomplete="name"
                value={draft.name}
                onInput={(e) => update({ name: (e.target as HTMLInputElement).value })}
                {...invalid('name')}
              />
              {fieldError('name')}
            </div>
            <div class="field">
              <label class="field__label" for="citizen-phone">
                {t('book.phone.label')}
              </label>
              <span class="field__hint" id="phone-hint">
                {t('book.phone.hint')}
              </span>
              <input
                id="citizen-phone"
                class="input"
                type="tel"
                inputMode="tel"
                autocomplete="tel"
                value={draft.phone}
                onInput={(e) => update({ phone: (e.target as HTMLInputElement).value })}
                aria-invalid={!!errors.phone}
                aria-describedby={errors.phone ? 'phone-hint phone-error' : 'phone-hint'}
              />
              {fieldError('phone')}
            </div>
            <div class="field">
              <label class="field__label" for="citizen-notes">
                {t('book.notes.label')}
              </label>
              <span class="field__hint" id="notes-hint">
                {t('book.notes.hint')}
              </span>
              <textarea
                id="citizen-notes"
                class="input"
                rows={3}
                maxLength={1000}
                value={draft.notes}
                aria-describedby="notes-hint"
                onInput={(e) => update({ notes: (e.target as HTMLTextAreaElement).value })}
              />
            </div>
          </>
        )}

        {step === 'slot' && (
          <>
            <p class="muted">{t('book.slot.intro', { commune: draft.communeName, kind: kindLabel(draft.kind) })}</p>
            {nearest && nearest.length > 0 && (
              <div class="notice notice--warn" role="alert">
                <p>{errors.slot}</p>
                <p class="nearest__title">{t('book.slot.nearest')}</p>
                <ul class="choice-list">
                  {nearest.map((s) => (
                    <li key={s}>
                      <button
                        type="button"
                        class="choice"
                        onClick={() => {
                          setNearest(null);
                          setErrors({});
                          update({ slotStart: s, slotEnd: '', step: STEPS.indexOf('summary') });
                        }}
                      >
                        {formatSlot(s, null, lang.value)}
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <SlotPicker
              days={days}
              unavailable={problem}
              value={draft.slotStart || null}
              error={nearest ? null : errors.slot}
              onChange={(s) => {
                setErrors({});
                update({ slotStart: s.start, slotEnd: s.end });
              }}
            />
          </>
        )}

        {step === 'consent' && (
          <>
            {consent === undefined && <p aria-live="polite">{t('book.consent.loading')}</p>}
            {consent === null && <p class="notice notice--warn">{t('book.consent.offline')}</p>}
            {consent && (
              <>
                <div class="consent-text" tabIndex={0} role="region" aria-label={t('book.consent.textLabel')}>
                  <p lang="vi">{consent.text_vi}</p>
                  {lang.value === 'en' && <p lang="en">{consent.text_en}</p>}
                </div>
                <label class={`check${errors.consent ? ' is-invalid' : ''}`}>
                  <input
                    type="checkbox"
                    checked={draft.consentChecked && draft.consentVersion === consent.version}
                    onChange={(e) => update({ consentChecked: (e.target as HTMLInputElement).checked, consentVersion: consent.version })}
                    {...invalid('consent')}
                  />
                  <span>{t('book.consent.agree')}</span>
                </label>
                <p class="field__hint">{t('book.consent.version', { v: consent.version })}</p>
                {fieldError('consent')}
              </>
            )}
          </>
        )}

        {step === 'summary' && (
          <>
            <dl class="summary">
              <SummaryRow label={t('book.sum.procedure')} value={procedure.name} onEdit={undefined} />
              <SummaryRow label={t('book.sum.kind')} value={kindLabel(draft.kind)} onEdit={kinds.length > 1 ? () => goTo('kind') : undefined} />
              <SummaryRow
                label={t('book.sum.place')}
                value={`${draft.addressDetail.trim()}, ${draft.communeName}${draft.legacy && draft.legacyCommune ? ` (${t('book.sum.oldAddress')}: ${[draft.legacyCommune, draft.legacyDistrict].filter(Boolean).join(', ')})` : ''}`}
                onEdit={() => goTo('address')}
              />
              <SummaryRow label={t('book.sum.contact')} value={`${draft.name.trim()} · ${draft.phone.trim()}`} onEdit={() => goTo('contact')} />
              {draft.notes.trim() && <SummaryRow label={t('book.notes.label')} value={draft.notes.trim()} onEdit={() => goTo('contact')} />}
              <SummaryRow label={t('book.sum.time')} value={draft.slotStart ? formatSlot(draft.slotStart, draft.slotEnd || null, lang.value) : '—'} onEdit={() => goTo('slot')} />
              <SummaryRow label={t('book.sum.consent')} value={t('book.sum.consentGiven', { v: draft.consentVersion })} onEdit={() => goTo('consent')} />
            </dl>
            {errors.submit && (
              <p class="notice notice--error" role="alert">
                {errors.submit}
              </p>
            )}
            <p class="muted">{t('book.sum.offlineNote')}</p>
          </>
        )}

        <div class="actions actions--split">
          <button type="button" class="button button--secondary" onClick={back}>
            {t('book.back')}
          </button>
          {step === 'summary' ? (
            <button type="button" class="button button--primary button--big" disabled={sending} onClick={() => void confirm()}>
              {sending ? t('book.sending') : t('book.confirm')}
            </button>
          ) : (
            <button type="button" class="button button--primary button--big" onClick={next} disabled={step === 'consent' && !consent}>
              {t('book.next')}
            </button>
          )}
        </div>
      </section>
    </article>
  );
}

function SummaryRow({ label, value, onEdit }: { label: string; value: string; onEdit: (() => void) | undefined }) {
  return (
    <div class="summary__row">
      <dt>{label}</dt>
      <dd>
        <span>{value}</span>
        {onEdit && (
          <button type="button" class="link-button" onClick={onEdit} aria-label={`${t('book.edit')}: ${label}`}>
            {t('book.edit')}
          </button>
        )}
      </dd>
    </div>
  );
}
