/** One appointment: assign an officer (confirming the requested slot or another), reschedule, cancel with a reason. */
import { useEffect, useState } from 'preact/hooks';
import { staffApi } from '../../shared/booking/api';
import { SlotPicker } from '../../shared/booking/SlotPicker';
import { type AppointmentOut, formatSlot, formatStamp, type OfficerOut, type Slot } from '../../shared/booking/slots';
import { useAvailability } from '../../shared/booking/useAvailability';
import { lang, t } from '../../shared/i18n';
import { channelLabel, errorText, kindText, STALE_TEXTS, staleAppointment, token, whatChanged } from './common';
import { goHandler } from './router';

type Panel = 'assign' | 'reschedule' | 'cancel' | null;

export function Detail({ id }: { id: string }) {
  const [a, setA] = useState<AppointmentOut | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [panel, setPanel] = useState<Panel>(null);
  const [officers, setOfficers] = useState<OfficerOut[] | null>(null);
  const [officerId, setOfficerId] = useState('');
  const [keepSlot, setKeepSlot] = useState(true);
  const [slot, setSlot] = useState<Slot | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  /** Someone else changed the appointment while it was on screen: what changed (shown until the next action). */
  const [stale, setStale] = useState<string[] | null>(null);

  useEffect(() => {
    let live = true;
    staffApi
      .get(token(), id)
      .then((x) => {
        if (!live) return;
        setA(x);
        if (x.status === 'requested') setPanel('assign');
      })
      .catch((err: unknown) => live && setLoadError(errorText(err)));
    return () => {
      live = false;
    };
  }, [id]);

  useEffect(() => {
    if (panel !== 'assign' || !a) return;
    staffApi
      .officers(token(), a.commune_id)
      .then((list) => {
        setOfficers(list);
        if (a.officer_id) setOfficerId(a.officer_id);
      })
      .catch((err: unknown) => setError(errorText(err)));
  }, [panel, a?.commune_id]);

  const wantsPicker = (panel === 'assign' && !keepSlot) || panel === 'reschedule';
  const avail = useAvailability(wantsPicker && a ? a.commune_id : null, wantsPicker && a ? a.kind : null, a?.slot_start);

  if (loadError) {
    return (
      <section class="dispatch">
        <BackToQueue />
        <h1 tabIndex={-1}>{t('dispatch.detail.title')}</h1>
        <p class="notice notice--error" role="alert">
          {loadError}
        </p>
      </section>
    );
  }
  if (!a) return <p aria-live="polite">{t('procedure.loading')}</p>;

  const open = (p: Panel) => {
    setPanel(p);
    setError(null);
    setDone(null);
    setSlot(null);
    setReason('');
    setKeepSlot(true);
    setStale(null);
  };

  async function run(kind: Exclude<Panel, null>) {
    setError(null);
    if (kind === 'assign' && !officerId) return setError(t('dispatch.err.officer'));
    if ((kind === 'reschedule' || (kind === 'assign' && !keepSlot)) && !slot) return setError(t('book.err.slot'));
    if (kind === 'cancel' && !reason.trim()) return setError(t('dispatch.err.reason'));
    setBusy(true);
    setStale(null);
    const shown = a!;
    try {
      let next: AppointmentOut;
      // The version on screen goes with every write: a colleague's change in between is never overwritten.
      if (kind === 'assign') next = await staffApi.assign(token(), shown.id, shown.version, officerId, keepSlot ? null : slot!.start);
      else if (kind === 'reschedule') next = await staffApi.reschedule(token(), shown.id, shown.version, slot!.start, reason.trim());
      else next = await staffApi.cancel(token(), shown.id, shown.version, reason.trim());
      setA(next);
      setPanel(null);
      setDone(
        kind === 'assign'
          ? t('dispatch.done.assign', { name: next.officer_name ?? '', time: formatSlot(next.slot_start, next.slot_end, lang.value) })
          : kind === 'reschedule'
            ? t('dispatch.done.reschedule', { time: formatSlot(next.slot_start, next.slot_end, lang.value) })
            : t('dispatch.done.cancel'),
      );
    } catch (err) {
      const current = staleAppointment(err);
      if (current) {
        // Show the appointment as it is now, and what changed; the dispatcher decides again from there.
        setA(current);
        setPanel(null);
        setStale(whatChanged(shown, current, lang.value));
        requestAnimationFrame(() => document.querySelector<HTMLElement>('#stale-title')?.focus());
        return;
      }
      setError(errorText(err));
      if (wantsPicker) avail.reload();
    } finally {
      setBusy(false);
    }
  }

  const changeable = a.status === 'requested' || a.status === 'confirmed';
  return (
    <section class="dispatch detail" aria-labelledby="detail-title">
      <BackToQueue />
      <div class="detail__grid">
        <div class="card">
          <h1 id="detail-title" tabIndex={-1}>
            {t('dispatch.detail.title')} <span class="ref-code ref-code--inline">{a.reference}</span>
          </h1>
          <p class={`badge badge--${a.status}`} data-status={a.status}>
            {a.status_vi}
          </p>
          <dl class="facts">
            <div class="facts__wide">
              <dt>{t('book.sum.procedure')}</dt>
              <dd>{a.procedure_name}</dd>
            </div>
            <div>
              <dt>{t('book.sum.kind')}</dt>
              <dd>{kindText(a.kind)}</dd>
            </div>
            <div>
              <dt>{t('dispatch.channel')}</dt>
              <dd>{channelLabel(a.channel)}</dd>
            </div>
            <div class="facts__wide">
              <dt>{t('book.sum.time')}</dt>
              <dd>{formatSlot(a.slot_start, a.slot_end, lang.value)}</dd>
            </div>
            <div class="facts__wide">
              <dt>{t('book.sum.place')}</dt>
              <dd>
                {a.address_detail}, {a.commune_name}
                {a.legacy_address && <span class="facts__note">{t('dispatch.legacy', { addr: a.legacy_address })}</span>}
              </dd>
            </div>
            <div>
              <dt>{t('dispatch.citizen')}</dt>
              <dd>{a.citizen_name}</dd>
            </div>
            <div>
              <dt>{t('dispatch.phone')}</dt>
              <dd>
                <a href={`tel:${a.citizen_phone}`}>{a.citizen_phone}</a>
              </dd>
            </div>
            {a.notes && (
              <div class="facts__wide">
                <dt>{t('book.notes.label')}</dt>
                <dd>{a.notes}</dd>
              </div>
            )}
            <div>
              <dt>{t('dispatch.officer')}</dt>
              <dd>{a.officer_name ?? t('dispatch.unassigned')}</dd>
            </div>
            <div>
              <dt>{t('dispatch.receivedAt')}</dt>
              <dd>{formatStamp(a.created_at)}</dd>
            </div>
            {a.status_reason && (
              <div class="facts__wide">
                <dt>{t('dispatch.statusReason')}</dt>
                <dd>{a.status_reason}</dd>
              </div>
            )}
          </dl>
        </div>

        <div class="card">
          <h2>{t('status.actions')}</h2>
          {done && (
            <p class="notice" role="status">
              {done}
            </p>
          )}
          {stale && (
            <div class="notice notice--warn stale" role="alert" data-testid="stale">
              <h3 id="stale-title" tabIndex={-1}>
                {STALE_TEXTS[lang.value].title}
              </h3>
              <p>{STALE_TEXTS[lang.value].body}</p>
              {stale.length > 0 && (
                <ul>
                  {stale.map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {!changeable && <p class="muted">{t('dispatch.noActions')}</p>}
          {changeable && (
            <div class="actions">
              <button type="button" class={`button ${panel === 'assign' ? 'button--primary' : 'button--secondary'}`} aria-expanded={panel === 'assign'} onClick={() => open('assign')}>
                {a.status === 'requested' ? t('dispatch.assign') : t('dispatch.reassign')}
              </button>
              <button type="button" class={`button ${panel === 'reschedule' ? 'button--primary' : 'button--secondary'}`} aria-expanded={panel === 'reschedule'} onClick={() => open('reschedule')}>
                {t('status.reschedule')}
              </button>
              <button type="button" class="button button--danger" aria-expanded={panel === 'cancel'} onClick={() => open('cancel')}>
                {t('status.cancel')}
              </button>
            </div>
          )}

          {panel === 'assign' && changeable && (
            <div class="panel" role="group" aria-labelledby="assign-title">
              <h3 id="assign-title">{t('dispatch.assignTitle')}</h3>
              <fieldset class="radio-list">
                <legend class="field__label">{t('dispatch.pickOfficer', { commune: a.commune_name })}</legend>
                {officers === null && <p>{t('procedure.loading')}</p>}
                {officers?.length === 0 && <p class="notice notice--warn">{t('dispatch.noOfficers')}</p>}
                {officers?.map((o) => (
                  <label class="radio-card" key={o.id}>
                    <input type="radio" name="officer" value={o.id} checked={officerId === o.id} onChange={() => setOfficerId(o.id)} />
                    <span class="radio-card__text">
                      <span class="radio-card__title">{o.full_name}</span>
                      <span class="radio-card__hint">{t('dispatch.visitsToday', { n: o.visits_today })}</span>
                    </span>
                  </label>
                ))}
              </fieldset>
              <fieldset class="radio-list">
                <legend class="field__label">{t('dispatch.slotChoice')}</legend>
                <label class="radio-card">
                  <input type="radio" name="keep" checked={keepSlot} onChange={() => setKeepSlot(true)} />
                  <span class="radio-card__text">
                    <span class="radio-card__title">{t('dispatch.keepSlot')}</span>
                    <span class="radio-card__hint">{formatSlot(a.slot_start, a.slot_end, lang.value)}</span>
                  </span>
                </label>
                <label class="radio-card">
                  <input type="radio" name="keep" checked={!keepSlot} onChange={() => setKeepSlot(false)} />
                  <span class="radio-card__text">
                    <span class="radio-card__title">{t('dispatch.otherSlot')}</span>
                  </span>
                </label>
              </fieldset>
              {!keepSlot && <SlotPicker idPrefix="as" days={avail.days} unavailable={avail.problem} value={slot?.start ?? null} onChange={setSlot} />}
              <div class="actions">
                <button type="button" class="button button--primary button--big" disabled={busy} onClick={() => void run('assign')}>
                  {busy ? t('book.sending') : t('dispatch.assignConfirm')}
                </button>
              </div>
            </div>
          )}
          {panel === 'reschedule' && changeable && (
            <div class="panel" role="group" aria-labelledby="re-title">
              <h3 id="re-title">{t('status.reschedule')}</h3>
              <SlotPicker idPrefix="re" days={avail.days} unavailable={avail.problem} value={slot?.start ?? null} onChange={setSlot} />
              <div class="field">
                <label class="field__label" for="re-reason">
                  {t('dispatch.rescheduleReason')}
                </label>
                <textarea id="re-reason" class="input" rows={2} maxLength={500} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
              </div>
              <div class="actions">
                <button type="button" class="button button--primary" disabled={busy} onClick={() => void run('reschedule')}>
                  {busy ? t('book.sending') : t('status.rescheduleConfirm')}
                </button>
              </div>
            </div>
          )}
          {panel === 'cancel' && changeable && (
            <div class="panel panel--danger" role="group" aria-labelledby="cancel-title">
              <h3 id="cancel-title">{t('dispatch.cancelTitle')}</h3>
              <div class="field">
                <label class="field__label" for="cancel-reason">
                  {t('dispatch.cancelReason')}
                </label>
                <textarea
                  id="cancel-reason"
                  class="input"
                  rows={2}
                  required
                  maxLength={500}
                  value={reason}
                  onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
                />
              </div>
              <div class="actions">
                <button type="button" class="button button--danger" disabled={busy} onClick={() => void run('cancel')}>
                  {busy ? t('book.sending') : t('status.cancelConfirm')}
                </button>
              </div>
            </div>
          )}
          {error && (
            <p class="notice notice--error" role="alert">
              {error}
            </p>
          )}
        </div>
      </div>
    </section>
  );
}

function BackToQueue() {
  return (
    <a class="back-link" href="/staff/dieu-phoi" onClick={goHandler('/staff/dieu-phoi')}>
      ← {t('dispatch.backToQueue')}
    </a>
  );
}
