/**
 * "Nhận yêu cầu": a request taken by phone, Zalo, Facebook, e-mail, hotline 1022 or at the desk. The officer reads
 * the consent text to the citizen and ticks that the citizen agreed (consent given verbally).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, type Procedure } from '../../shared/api/client';
import { bookingApi, staffApi } from '../../shared/booking/api';
import { SlotPicker } from '../../shared/booking/SlotPicker';
import {
  type AppointmentOut,
  type Channel,
  type ConsentOut,
  formatSlot,
  INTAKE_CHANNELS,
  newId,
  newSecret,
  phoneLooksValid,
  type Slot,
  type VisitKind,
} from '../../shared/booking/slots';
import { useAvailability } from '../../shared/booking/useAvailability';
import { lang, t } from '../../shared/i18n';
import { session } from '../session';
import { channelLabel, communeNames, errorText, kindText, token } from './common';
import { goHandler } from './router';

type Errors = Partial<Record<'channel' | 'procedure' | 'kind' | 'commune' | 'address' | 'name' | 'phone' | 'slot' | 'consent', string>>;

export function Intake() {
  const [procedures, setProcedures] = useState<Procedure[]>([]);
  const [consent, setConsent] = useState<ConsentOut | null>(null);
  const [channel, setChannel] = useState<Channel | ''>('');
  const [code, setCode] = useState('');
  const [kind, setKind] = useState<VisitKind | ''>('');
  const codes = session.value?.user.communes ?? [];
  const [commune, setCommune] = useState(codes.length === 1 ? codes[0]! : '');
  const [address, setAddress] = useState('');
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [notes, setNotes] = useState('');
  const [slot, setSlot] = useState<Slot | null>(null);
  const [agreed, setAgreed] = useState(false);
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ a: AppointmentOut; link: string } | null>(null);
  const [ids, setIds] = useState(() => ({ id: newId(), token: newSecret() }));

  useEffect(() => {
    api
      .procedures()
      .then((list) => setProcedures(list.filter((p) => p.visit_kinds.length > 0)))
      .catch((err: unknown) => setServerError(errorText(err)));
    bookingApi
      .consent()
      .then(setConsent)
      .catch((err: unknown) => setServerError(errorText(err)));
  }, []);

  const procedure = procedures.find((p) => p.code === code);
  const kinds = (procedure?.visit_kinds ?? []) as VisitKind[];
  const avail = useAvailability(commune || null, kind || null);

  function reset() {
    setCreated(null);
    setChannel('');
    setCode('');
    setKind('');
    setAddress('');
    setName('');
    setPhone('');
    setNotes('');
    setSlot(null);
    setAgreed(false);
    setTried(false);
    setServerError(null);
    setIds({ id: newId(), token: newSecret() });
  }

  // Errors show after the first submit and disappear as the officer fixes each field.
  function validate(): Errors {
    const err: Errors = {};
    if (!channel) err.channel = t('dispatch.err.channel');
    if (!code) err.procedure = t('dispatch.err.procedure');
    if (!kind) err.kind = t('book.err.kind');
    if (!commune) err.commune = t('book.err.commune');
    if (address.trim().length < 3) err.address = t('book.err.address');
    if (!name.trim()) err.name = t('book.err.name');
    if (!phoneLooksValid(phone)) err.phone = t('book.err.phone');
    if (!slot) err.slot = t('book.err.slot');
    if (!agreed) err.consent = t('dispatch.err.consent');
    return err;
  }
  const errors: Errors = tried ? validate() : {};

  async function submit(e: Event) {
    e.preventDefault();
    const err = validate();
    setTried(true);
    setServerError(null);
    if (Object.keys(err).length > 0) {
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.intake .field__error')?.scrollIntoView({ block: 'center' }));
      return;
    }
    setBusy(true);
    try {
      const a = await staffApi.intake(token(), {
        id: ids.id,
        token: ids.token,
        channel: channel as Channel,
        procedure_code: code,
        kind: kind as VisitKind,
        commune_id: commune,
        address_detail: address.trim(),
        citizen_name: name.trim(),
        citizen_phone: phone.trim(),
        notes: notes.trim(),
        slot_start: slot!.start,
        consent: { accepted: true, version: consent!.version },
        language: 'vi',
      });
      setCreated({ a, link: `${location.origin}/lich-hen/${a.reference}#${ids.token}` });
      requestAnimationFrame(() => document.querySelector<HTMLElement>('#intake-done')?.focus());
    } catch (error) {
      setServerError(errorText(error));
      avail.reload();
    } finally {
      setBusy(false);
    }
  }

  const err = (k: keyof Errors) =>
    errors[k] && (
      <p class="field__error" id={`in-${k}-error`}>
        {errors[k]}
      </p>
    );
  const described = (k: keyof Errors) => (errors[k] ? { 'aria-invalid': true, 'aria-describedby': `in-${k}-error` } : {});

  if (created) {
    const a = created.a;
    return (
      <section class="dispatch intake" aria-labelledby="intake-done">
        <div class="card">
          <h1 id="intake-done" tabIndex={-1}>
            {t('dispatch.intake.done')}
          </h1>
          <p>
            {t('booked.reference')}: <span class="ref-code ref-code--inline">{a.reference}</span>
          </p>
          <p>
            {a.procedure_name} · {kindText(a.kind)} · {formatSlot(a.slot_start, a.slot_end, lang.value)}
          </p>
          <p class="muted">{t('dispatch.intake.linkHint')}</p>
          <label class="visually-hidden" for="intake-link">
            {t('booked.linkTitle')}
          </label>
          <input id="intake-link" class="input link-input" readOnly value={created.link} />
          <div class="actions">
            <a class="button button--primary" href={`/staff/dieu-phoi/${a.id}`} onClick={goHandler(`/staff/dieu-phoi/${a.id}`)}>
              {t('dispatch.intake.open')}
            </a>
            <button type="button" class="button button--secondary" onClick={reset}>
              {t('dispatch.intake.another')}
            </button>
          </div>
        </div>
      </section>
    );
  }

  return (
    <section class="dispatch intake" aria-labelledby="intake-title">
      <div class="dispatch__head">
        <h1 id="intake-title" tabIndex={-1}>
          {t('dispatch.intake.title')}
        </h1>
        <p class="muted">{t('dispatch.intake.intro')}</p>
      </div>
      <form class="card intake__form" noValidate onSubmit={(e) => void submit(e)}>
        <fieldset class="chips" aria-describedby={errors.channel ? 'in-channel-error' : undefined}>
          <legend class="field__label">{t('dispatch.channel')}</legend>
          <div class="chips__row">
            {INTAKE_CHANNELS.map((c) => (
              <span class="chip" key={c}>
                <input type="radio" class="chip__input" id={`ch-${c}`} name="channel" value={c} checked={channel === c} onChange={() => setChannel(c)} />
                <label class="chip__label" for={`ch-${c}`}>
                  {channelLabel(c)}
                </label>
              </span>
            ))}
          </div>
          {err('channel')}
        </fieldset>

        <div class="intake__cols">
          <div class="field">
            <label class="field__label" for="in-procedure">
              {t('book.sum.procedure')}
            </label>
            <select
              id="in-procedure"
              class="input"
              value={code}
              onChange={(e) => {
                setCode((e.target as HTMLSelectElement).value);
                setKind('');
                setSlot(null);
              }}
              {...described('procedure')}
            >
              <option value="">{t('dispatch.pickProcedure')}</option>
              {procedures.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.name}
                </option>
              ))}
            </select>
            {err('procedure')}
          </div>
          <div class="field">
            <label class="field__label" for="in-commune">
              {t('dispatch.commune')}
            </label>
            <select
              id="in-commune"
              class="input"
              value={commune}
              onChange={(e) => {
                setCommune((e.target as HTMLSelectElement).value);
                setSlot(null);
              }}
              {...described('commune')}
            >
              <option value="">{t('dispatch.pickCommune')}</option>
              {codes.map((c) => (
                <option key={c} value={c}>
                  {communeNames.value[c] ?? c}
                </option>
              ))}
            </select>
            {err('commune')}
          </div>
        </div>

        {kinds.length > 0 && (
          <fieldset class="chips" aria-describedby={errors.kind ? 'in-kind-error' : undefined}>
            <legend class="field__label">{t('book.kind.label')}</legend>
            <div class="chips__row">
              {kinds.map((k) => (
                <span class="chip" key={k}>
                  <input
                    type="radio"
                    class="chip__input"
                    id={`kind-${k}`}
                    name="kind"
                    value={k}
                    checked={kind === k}
                    onChange={() => {
                      setKind(k);
                      setSlot(null);
                    }}
                  />
                  <label class="chip__label" for={`kind-${k}`}>
                    {kindText(k)}
                  </label>
                </span>
              ))}
            </div>
            {err('kind')}
          </fieldset>
        )}
        {kinds.length === 0 && err('kind')}

        <div class="intake__cols">
          <div class="field">
            <label class="field__label" for="in-name">
              {t('book.name.label')}
            </label>
            <input id="in-name" class="input" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} {...described('name')} />
            {err('name')}
          </div>
          <div class="field">
            <label class="field__label" for="in-phone">
              {t('book.phone.label')}
            </label>
            <input id="in-phone" class="input" type="tel" value={phone} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} {...described('phone')} />
            {err('phone')}
          </div>
        </div>
        <div class="field">
          <label class="field__label" for="in-address">
            {t('book.address.label')}
          </label>
          <input id="in-address" class="input" value={address} onInput={(e) => setAddress((e.target as HTMLInputElement).value)} {...described('address')} />
          {err('address')}
        </div>
        <div class="field">
          <label class="field__label" for="in-notes">
            {t('book.notes.label')}
          </label>
          <textarea id="in-notes" class="input" rows={2} maxLength={1000} value={notes} onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)} />
        </div>

        <div class="field">
          <p class="field__label">{t('book.step.slot')}</p>
          {commune && kind ? (
            <SlotPicker idPrefix="in" days={avail.days} unavailable={avail.problem} value={slot?.start ?? null} onChange={setSlot} error={errors.slot} />
          ) : (
            <p class="muted">{t('dispatch.slotFirst')}</p>
          )}
          {!(commune && kind) && err('slot')}
        </div>

        <div class="field">
          <p class="field__label">{t('dispatch.consentTitle')}</p>
          {consent ? (
            <div class="consent-text" tabIndex={0} role="region" aria-label={t('book.consent.textLabel')}>
              <p lang="vi">{consent.text_vi}</p>
            </div>
          ) : (
            <p>{t('book.consent.loading')}</p>
          )}
          <label class="check">
            <input type="checkbox" checked={agreed} onChange={(e) => setAgreed((e.target as HTMLInputElement).checked)} {...described('consent')} />
            <span>{t('dispatch.consentAgreed')}</span>
          </label>
          {err('consent')}
        </div>

        {serverError && (
          <p class="notice notice--error" role="alert">
            {serverError}
          </p>
        )}
        <div class="actions">
          <button type="submit" class="button button--primary button--big" disabled={busy || !consent}>
            {busy ? t('book.sending') : t('dispatch.intake.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
