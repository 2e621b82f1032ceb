/**
 * The status page behind the secret link `/lich-hen/<REF>#<token>`. Renders the last known state from IndexedDB
 * at once ("cập nhật lúc …"), then asks the server. Reschedule, cancel, withdraw consent, calendar file.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, NetworkError } from '../../shared/api/client';
import { bookingApi } from '../../shared/booking/api';
import { SlotPicker } from '../../shared/booking/SlotPicker';
import { type BookingOut, formatSlot, formatStamp, type Slot, type VisitKind } from '../../shared/booking/slots';
import { useAvailability } from '../../shared/booking/useAvailability';
import { lang, t, tMaybe } from '../../shared/i18n';
import { online } from '../../shared/online';
import { deleteFollow, getFollow } from '../../shared/push/store';
import type { StoredBooking } from '../db';
import { linkHandler } from '../router';
import { downloadIcs } from './actions';
import { PushPanel } from './PushPanel';
import { kindLabel } from './BookingForm';
import { getBooking, refreshBooking, saveBooking } from './store';
import { STATUS_TEXTS } from './texts';

type Panel = null | 'reschedule' | 'cancel' | 'withdraw';

export function statusText(b: Pick<BookingOut, 'status' | 'status_vi' | 'status_en'>): string {
  return lang.value === 'vi' ? b.status_vi : b.status_en;
}

function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message_for(lang.value);
  if (err instanceof NetworkError) return t('status.actionOffline');
  return t('slot.failed');
}

export function BookingStatus({ reference }: { reference: string }) {
  const [row, setRow] = useState<StoredBooking | null | undefined>(undefined);
  const [token, setToken] = useState<string | null>(null);
  const [state, setState] = useState<'checking' | 'fresh' | 'offline' | 'notFound' | 'noToken'>('checking');
  const [panel, setPanel] = useState<Panel>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [slot, setSlot] = useState<Slot | null>(null);
  const [hash, setHash] = useState(() => location.hash);

  async function check(tok: string) {
    setState('checking');
    const r = await refreshBooking(reference, tok);
    if ('ok' in r) {
      setRow(r.ok);
      setState('fresh');
    } else if ('notFound' in r) setState('notFound');
    else setState('offline');
  }

  useEffect(() => {
    let live = true;
    void (async () => {
      const stored = await getBooking(reference);
      const fromHash = location.hash.length > 1 ? decodeURIComponent(location.hash.slice(1)) : null;
      // Opened from a notification (no #secret in the URL): the secret kept for push on this device.
      const followed = fromHash || stored ? undefined : await getFollow(reference).catch(() => undefined);
      const tok = fromHash ?? stored?.token ?? followed?.token ?? null;
      if (!live) return;
      setRow(stored ?? null);
      setToken(tok);
      if (!tok) setState('noToken');
      else await check(tok);
    })();
    return () => {
      live = false;
    };
  }, [reference, hash]);

  // The secret pasted into the address bar of an open page (a hash change, not a new page).
  useEffect(() => {
    const onHash = () => setHash(location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // Back online: refresh.
  useEffect(() => {
    if (online.value && token && state === 'offline') void check(token);
  }, [online.value]);

  const b = row?.booking;
  const avail = useAvailability(panel === 'reschedule' && b ? b.commune_id : null, (b?.kind ?? null) as VisitKind | null, b?.slot_start);

  if (row === undefined) return <p aria-live="polite">{t('procedure.loading')}</p>;
  if (state === 'noToken') {
    // Opened without the secret (a calendar entry, a shared address) on a device that does not keep the booking.
    const texts = STATUS_TEXTS[lang.value];
    return (
      <section class="card" data-testid="no-secret">
        <h1 tabIndex={-1}>{texts.noSecretTitle(reference)}</h1>
        <p>{texts.noSecret(reference)}</p>
        <a class="button button--secondary" href="/lich-hen" onClick={linkHandler('/lich-hen')}>
          {t('mine.title')}
        </a>
      </section>
    );
  }
  if (!b || !token) {
    return (
      <section class="card">
        <h1 tabIndex={-1}>{state === 'checking' ? t('procedure.loading') : t('status.notFound')}</h1>
        <p>{state === 'offline' ? t('status.firstNeedsNetwork') : state === 'checking' ? '' : t('status.notFoundHint')}</p>
        <a class="button button--secondary" href="/lich-hen" onClick={linkHandler('/lich-hen')}>
          {t('mine.title')}
        </a>
      </section>
    );
  }

  async function act(kind: Exclude<Panel, null>) {
    if (!b || !token) return;
    setBusy(true);
    setActionError(null);
    try {
      let next: BookingOut;
      if (kind === 'reschedule') {
        if (!slot) {
          setActionError(t('book.err.slot'));
          return;
        }
        next = await bookingApi.reschedule(b.reference, token, slot.start, reason.trim());
      } else if (kind === 'cancel') next = await bookingApi.cancel(b.reference, token, reason.trim());
      else next = await bookingApi.withdrawConsent(b.reference, token);
      setRow(await saveBooking(next, token));
      // Consent withdrawn: the server forgot this browser's subscription; stop following here too.
      if (kind === 'withdraw') await deleteFollow(b.reference).catch(() => undefined);
      setPanel(null);
      setReason('');
      setSlot(null);
      // A confirmed visit moved to a time its officer is out goes back to the dispatcher: say so.
      const backToDispatch = kind === 'reschedule' && b.status === 'confirmed' && next.status === 'requested';
      setDone(backToDispatch ? STATUS_TEXTS[lang.value].backToDispatch : t(`status.done.${kind}`));
    } catch (err) {
      setActionError(errorText(err));
      if (err instanceof ApiError && err.body.extra?.['reason'] === 'slot_taken') avail.reload();
    } finally {
      setBusy(false);
    }
  }

  const active = b.status === 'requested' || b.status === 'confirmed';
  const canAct = state !== 'offline' && online.value;
  const open = (p: Panel) => {
    setPanel(p);
    setActionError(null);
    setDone(null);
    setReason('');
    setSlot(null);
  };

  return (
    <article class="status-page" aria-labelledby="status-title">
      <a class="back-link" href="/lich-hen" onClick={linkHandler('/lich-hen')}>
        {t('mine.title')}
      </a>
      <section class="card status-card">
        <h1 id="status-title" tabIndex={-1}>
          {t('status.title')}
        </h1>
        <p class="ref-line">
          {t('booked.reference')}: <span class="ref-code ref-code--inline">{b.reference}</span>
        </p>
        <p class={`badge badge--${b.status}`} data-status={b.status}>
          {statusText(b)}
        </p>
        <p class="muted stamp" aria-live="polite">
          {state === 'checking'
            ? t('status.checking')
            : state === 'offline'
              ? t('status.offlineStamp', { time: formatStamp(row!.updatedAt) })
              : t('status.updatedAt', { time: formatStamp(row!.updatedAt) })}
        </p>
        {b.consent_withdrawn && <p class="notice">{t('status.consentWithdrawn')}</p>}
        <dl class="facts">
          <div class="facts__wide">
            <dt>{t('book.sum.time')}</dt>
            <dd>{formatSlot(b.slot_start, b.slot_end, lang.value)}</dd>
          </div>
          <div class="facts__wide">
            <dt>{t('book.sum.place')}</dt>
            <dd>
              {b.address_detail}, {b.commune_name}
            </dd>
          </div>
          <div class="facts__wide">
            <dt>{t('book.sum.procedure')}</dt>
            <dd lang={lang.value === 'vi' ? undefined : 'vi'}>{b.procedure_name}</dd>
          </div>
          <div>
            <dt>{t('book.sum.kind')}</dt>
            <dd>{kindLabel(b.kind)}</dd>
          </div>
          {b.dossier_code && (
            <div>
              <dt>{t('status.dossier')}</dt>
              <dd>{b.dossier_code}</dd>
            </div>
          )}
        </dl>
        {done && (
          <p class="notice" role="status">
            {done}
          </p>
        )}
      </section>

      <section class="card" aria-labelledby="actions-title">
        <h2 id="actions-title">{t('status.actions')}</h2>
        {!canAct && <p class="notice notice--warn">{t('status.actionOffline')}</p>}
        {active && !b.can_change && (
          <p class="notice notice--warn">{t('status.tooLate', { time: formatStamp(b.change_deadline) })}</p>
        )}
        {active && b.can_change && <p class="muted">{t('status.deadline', { time: formatStamp(b.change_deadline) })}</p>}
        <div class="actions">
          <button
            type="button"
            class="button button--secondary"
            onClick={() => downloadIcs(b.reference, token).catch(() => setActionError(t('booked.calendarFailed')))}
            disabled={!canAct}
          >
            {t('booked.calendar')}
          </button>
          {active && b.can_change && (
            <>
              <button type="button" class="button button--secondary" aria-expanded={panel === 'reschedule'} disabled={!canAct} onClick={() => open('reschedule')}>
                {t('status.reschedule')}
              </button>
              <button type="button" class="button button--danger" aria-expanded={panel === 'cancel'} disabled={!canAct} onClick={() => open('cancel')}>
                {t('status.cancel')}
              </button>
            </>
          )}
          {!b.consent_withdrawn && (
            <button type="button" class="button button--ghost-danger" aria-expanded={panel === 'withdraw'} disabled={!canAct} onClick={() => open('withdraw')}>
              {t('status.withdraw')}
            </button>
          )}
        </div>

        {panel === 'reschedule' && (
          <div class="panel" role="group" aria-labelledby="panel-title">
            <h3 id="panel-title">{t('status.reschedule')}</h3>
            <SlotPicker idPrefix="re" days={avail.days} unavailable={avail.problem} value={slot?.start ?? null} onChange={setSlot} />
            <ReasonField value={reason} onInput={setReason} label={t('status.reasonOptional')} />
            <PanelButtons busy={busy} confirm={t('status.rescheduleConfirm')} onConfirm={() => void act('reschedule')} onClose={() => setPanel(null)} />
          </div>
        )}
        {panel === 'cancel' && (
          <div class="panel panel--danger" role="group" aria-labelledby="panel-title">
            <h3 id="panel-title">{t('status.cancelAsk')}</h3>
            <p>{t('status.cancelExplain', { time: formatSlot(b.slot_start, b.slot_end, lang.value) })}</p>
            <ReasonField value={reason} onInput={setReason} label={t('status.reasonOptional')} />
            <PanelButtons busy={busy} danger confirm={t('status.cancelConfirm')} onConfirm={() => void act('cancel')} onClose={() => setPanel(null)} />
          </div>
        )}
        {panel === 'withdraw' && (
          <div class="panel panel--danger" role="group" aria-labelledby="panel-title">
            <h3 id="panel-title">{t('status.withdrawAsk')}</h3>
            <p>{t('status.withdrawExplain')}</p>
            <PanelButtons busy={busy} danger confirm={t('status.withdrawConfirm')} onConfirm={() => void act('withdraw')} onClose={() => setPanel(null)} />
          </div>
        )}
        {actionError && (
          <p class="notice notice--error" role="alert">
            {actionError}
          </p>
        )}
      </section>

      {!b.consent_withdrawn && b.status !== 'cancelled' && <PushPanel reference={b.reference} token={token} />}

      <section class="card" aria-labelledby="history-title">
        <h2 id="history-title">{t('status.history')}</h2>
        <ol class="timeline">
          {[...b.history].reverse().map((h, i) => (
            <li key={i} class="timeline__item">
              <time class="timeline__time" dateTime={h.at}>
                {formatStamp(h.at)}
              </time>
              <span class="timeline__what">
                {tMaybe(`baction.${h.action}`) ?? (lang.value === 'vi' ? h.status_vi : tMaybe(`bstatus.${h.status}`) ?? h.status_vi)}
                {h.slot_start && h.action !== 'cancelled' && ` — ${formatSlot(h.slot_start, null, lang.value)}`}
              </span>
              {h.reason && <span class="timeline__reason">{t('status.reason', { reason: h.reason })}</span>}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}

function ReasonField({ value, onInput, label }: { value: string; onInput: (v: string) => void; label: string }) {
  return (
    <div class="field">
      <label class="field__label" for="reason">
        {label}
      </label>
      <textarea id="reason" class="input" rows={2} maxLength={500} value={value} onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)} />
    </div>
  );
}

function PanelButtons(p: { busy: boolean; confirm: string; danger?: boolean; onConfirm: () => void; onClose: () => void }) {
  return (
    <div class="actions">
      <button type="button" class={`button ${p.danger ? 'button--danger' : 'button--primary'}`} disabled={p.busy} onClick={p.onConfirm}>
        {p.busy ? t('book.sending') : p.confirm}
      </button>
      <button type="button" class="button button--secondary" onClick={p.onClose}>
        {t('status.keep')}
      </button>
    </div>
  );
}
