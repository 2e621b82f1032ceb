/**
 * "Hôm nay": the officer's appointments of today (officer_id = me), rendered from IndexedDB (filled by sync),
 * with status buttons that work offline: each tap is a local change plus an outbox mutation.
 */
import { useSignal, useSignalEffect } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { lang, t, tMaybe, type MessageKey } from '../../shared/i18n';
import { formatLongDate } from '../../shared/text';
import { db, type SyncedRecord } from '../db';
import { updateRecord } from '../data/outbox';
import { formatTime, localDay } from '../officer/format';
import { loadNames, procedureNames } from '../officer/lookups';
import { useLive } from '../officer/live';
import { OfficerNav } from '../officer/OfficerNav';
import '../officer/officer.css';
import { session } from '../session';

const APPOINTMENT = 'appointment';

type Target = 'on_the_way' | 'arrived' | 'done' | 'citizen_absent' | 'missed_by_agency';

const ACTIONS: Array<{ status: Target; key: MessageKey; needs?: 'reason' | 'dossier' }> = [
  { status: 'on_the_way', key: 'officer.appt.onTheWay' },
  { status: 'arrived', key: 'officer.appt.arrived' },
  { status: 'done', key: 'officer.appt.done', needs: 'dossier' },
  { status: 'citizen_absent', key: 'officer.appt.absent', needs: 'reason' },
  { status: 'missed_by_agency', key: 'officer.appt.missed', needs: 'reason' },
];

/** What an officer may set from each status (the server checks again; a refused change is listed as rejected). */
const NEXT: Record<string, readonly Target[]> = {
  confirmed: ['on_the_way', 'arrived', 'citizen_absent', 'missed_by_agency'],
  on_the_way: ['arrived', 'citizen_absent', 'missed_by_agency'],
  arrived: ['done', 'citizen_absent'],
};

const statusText = (s: string) => tMaybe(`bstatus.${s}`) ?? s;

function AppointmentCard({ a, showDate = false }: { a: SyncedRecord; showDate?: boolean }) {
  const d = a.data;
  const asking = useSignal<(typeof ACTIONS)[number] | null>(null);
  const reason = useSignal('');
  const dossier = useSignal('');
  const error = useSignal<string | null>(null);
  const saved = useSignal<string | null>(null);
  const status = String(d['status'] ?? '');
  const allowed = NEXT[status] ?? [];
  const phone = String(d['citizen_phone'] ?? '');
  const code = String(d['procedure_code'] ?? '');
  const headingId = `appt-${a.id}`;

  const save = async (target: Target, extra: Record<string, unknown> = {}) => {
    await updateRecord(APPOINTMENT, a.id, { status: target, ...extra });
    asking.value = null;
    reason.value = '';
    dossier.value = '';
    saved.value = t('officer.appt.saved', { status: statusText(target) });
  };
  const tap = (action: (typeof ACTIONS)[number]) => {
    saved.value = null;
    error.value = null;
    if (action.needs) asking.value = action;
    else void save(action.status);
  };
  const confirm = (e: Event) => {
    e.preventDefault();
    const action = asking.value;
    if (!action) return;
    if (action.needs === 'reason') {
      if (!reason.value.trim()) {
        error.value = t('officer.appt.reasonNeeded');
        return;
      }
      void save(action.status, { status_reason: reason.value.trim() });
    } else {
      void save(action.status, dossier.value.trim() ? { dossier_code: dossier.value.trim() } : {});
    }
  };

  return (
    <li class="card appt" data-appointment={a.id} data-status={status}>
      <div class="appt__time">
        {showDate && <span class="appt__date">{formatLongDate(new Date(String(d['slot_start'])), lang.value)}</span>}
        <time dateTime={String(d['slot_start'] ?? '')}>{formatTime(d['slot_start'] as string)}</time>
        {d['slot_end'] ? <span> – {formatTime(d['slot_end'] as string)}</span> : null}
      </div>
      <div class="appt__body">
        <h2 id={headingId} class="appt__title">
          {procedureNames.value[code] ?? code}
        </h2>
        <p class="appt__meta">
          <span>{tMaybe(`book.kind.${String(d['kind'])}`) ?? String(d['kind'] ?? '')}</span>
          {' · '}
          <span class="appt__status">{t('officer.appt.status', { status: statusText(status) })}</span>
          {' · '}
          <span class="muted">{t('officer.appt.reference', { ref: String(d['reference'] ?? '') })}</span>
        </p>
        <p>
          <strong>{t('officer.appt.address')}:</strong> {String(d['address_detail'] ?? '')}
          {d['legacy_address'] ? <span class="muted"> ({t('officer.appt.legacy', { address: String(d['legacy_address']) })})</span> : null}
        </p>
        <p>
          <strong>{t('officer.appt.citizen')}:</strong> {String(d['citizen_name'] ?? '')}
          {phone && (
            <>
              {' · '}
              <a class="appt__call" href={`tel:${phone.replace(/[^\d+]/g, '')}`}>
                {t('officer.appt.call', { phone })}
              </a>
            </>
          )}
        </p>
        {d['notes'] ? (
          <p>
            <strong>{t('officer.appt.notes')}:</strong> {String(d['notes'])}
          </p>
        ) : null}
        {d['status_reason'] ? <p class="muted">{t('officer.appt.reason', { reason: String(d['status_reason']) })}</p> : null}
        {d['dossier_code'] ? <p class="muted">{t('officer.appt.dossier', { code: String(d['dossier_code']) })}</p> : null}
        <div class="appt__actions" role="group" aria-label={t('officer.appt.actions')}>
          {ACTIONS.map((action) => (
            <button
              key={action.status}
              type="button"
              class={`button ${action.needs === 'reason' ? 'button--secondary' : 'button--primary'} appt__action`}
              disabled={!allowed.includes(action.status)}
              aria-pressed={asking.value?.status === action.status ? 'true' : undefined}
              onClick={() => tap(action)}
            >
              {t(action.key)}
            </button>
          ))}
        </div>
        {asking.value && (
          <form class="appt__ask" onSubmit={confirm} noValidate>
            {asking.value.needs === 'reason' ? (
              <label class="field">
                <span class="field__label">{t('officer.appt.reasonLabel')}</span>
                <textarea rows={2} maxLength={500} required value={reason.value} onInput={(e) => (reason.value = e.currentTarget.value)} aria-invalid={error.value ? 'true' : undefined} />
              </label>
            ) : (
              <label class="field">
                <span class="field__label">{t('officer.appt.dossierLabel')}</span>
                <input type="text" maxLength={40} value={dossier.value} onInput={(e) => (dossier.value = e.currentTarget.value)} autoComplete="off" />
              </label>
            )}
            {error.value && (
              <p class="form-error" role="alert">
                {error.value}
              </p>
            )}
            <div class="button-row">
              <button type="submit" class="button button--primary">
                {t('officer.appt.confirm')}: {t(asking.value.key)}
              </button>
              <button type="button" class="button button--ghost" onClick={() => (asking.value = null)}>
                {t('officer.appt.cancel')}
              </button>
            </div>
          </form>
        )}
        {saved.value && (
          <p class="notice" role="status">
            {saved.value}
          </p>
        )}
      </div>
    </li>
  );
}

export function Today() {
  const now = useSignal(new Date());
  useSignalEffect(() => {
    // Keep "today" right when the tablet stays open past midnight.
    const timer = setInterval(() => (now.value = new Date()), 60_000);
    return () => clearInterval(timer);
  });
  const user = session.value?.user;
  const communes = user?.communes.length ?? 0;
  const today = localDay(now.value);
  useEffect(() => void loadNames(user?.communes ?? []), [user?.id]);
  // Today's visits, and the coming ones: an officer going offline for days needs them on the tablet too.
  const { appointments, upcoming } = useLive(
    async () => {
      if (!user) return { appointments: [], upcoming: [] };
      const mine = await db.records.where('[entity+link]').equals([APPOINTMENT, user.id]).toArray();
      const live = mine
        .filter((a) => typeof a.data['slot_start'] === 'string' && a.data['status'] !== 'cancelled')
        .sort((a, b) => String(a.data['slot_start']).localeCompare(String(b.data['slot_start'])));
      return {
        appointments: live.filter((a) => localDay(a.data['slot_start'] as string) === today),
        upcoming: live.filter((a) => localDay(a.data['slot_start'] as string) > today),
      };
    },
    [user?.id, today],
    { appointments: [] as SyncedRecord[], upcoming: [] as SyncedRecord[] },
  );
  return (
    <section class="today" aria-labelledby="today-title">
      <OfficerNav current="today" />
      <div class="today__head">
        <h1 id="today-title" tabIndex={-1}>
          {t('staff.today.title')}
        </h1>
        <p class="today__date">
          <time dateTime={now.value.toISOString()}>{formatLongDate(now.value, lang.value)}</time>
        </p>
        {communes > 0 && <p class="muted">{t('staff.today.communes', { n: communes })}</p>}
      </div>
      {appointments.length > 0 ? (
        <>
          <p class="today__count">{t('officer.today.count', { n: appointments.length })}</p>
          <ul class="plain-list appt-list">
            {appointments.map((a) => (
              <AppointmentCard key={a.id} a={a} />
            ))}
          </ul>
        </>
      ) : (
        <div class="empty card">
          <svg class="empty__icon" width="56" height="56" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" aria-hidden="true" focusable="false">
            <rect x="3" y="5" width="18" height="16" rx="2" />
            <path d="M3 9h18M8 3v4M16 3v4" />
            <path d="M9 15l2 2 4-4" />
          </svg>
          <h2>{t('staff.today.empty')}</h2>
          <p class="muted">{t('staff.today.emptyHint')}</p>
        </div>
      )}
      {upcoming.length > 0 && (
        <section class="upcoming" aria-labelledby="upcoming-title">
          <h2 id="upcoming-title">{t('officer.upcoming.title', { n: upcoming.length })}</h2>
          <ul class="plain-list appt-list">
            {upcoming.map((a) => (
              <AppointmentCard key={a.id} a={a} showDate />
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
