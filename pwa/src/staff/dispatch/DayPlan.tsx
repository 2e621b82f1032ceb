/** "Lịch trong ngày": per officer, the day's visits in time order. */
import { useEffect, useState } from 'preact/hooks';
import { staffApi } from '../../shared/booking/api';
import { type AppointmentOut, formatDay, formatTime } from '../../shared/booking/slots';
import { lang, t } from '../../shared/i18n';
import { isoDateInVietnam } from '../../shared/text';
import { errorText, kindText, token } from './common';
import { go, goHandler } from './router';

const HIDDEN = new Set(['cancelled']);

export function groupByOfficer(rows: readonly AppointmentOut[], unassigned: string): Array<{ officer: string; visits: AppointmentOut[] }> {
  const groups = new Map<string, AppointmentOut[]>();
  for (const r of rows) {
    const key = r.officer_name ?? unassigned;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()]
    .map(([officer, visits]) => ({ officer, visits: visits.sort((a, b) => a.slot_start.localeCompare(b.slot_start)) }))
    .sort((a, b) => (a.officer === unassigned ? 1 : b.officer === unassigned ? -1 : a.officer.localeCompare(b.officer, 'vi')));
}

export function DayPlan({ day }: { day: string | null }) {
  const date = day && /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : isoDateInVietnam(new Date());
  const [rows, setRows] = useState<AppointmentOut[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [showCancelled, setShowCancelled] = useState(false);
  useEffect(() => {
    let live = true;
    setRows(null);
    setProblem(null);
    staffApi
      .list(token(), { day: date })
      .then((list) => live && setRows(list))
      .catch((err: unknown) => live && setProblem(errorText(err)));
    return () => {
      live = false;
    };
  }, [date]);
  const visible = (rows ?? []).filter((r) => showCancelled || !HIDDEN.has(r.status));
  const groups = groupByOfficer(visible, t('dispatch.unassigned'));
  return (
    <section class="dispatch plan" aria-labelledby="plan-title">
      <div class="dispatch__head">
        <h1 id="plan-title" tabIndex={-1}>
          {t('dispatch.plan.title')}
        </h1>
        <div class="toolbar">
          <div class="field field--inline">
            <label class="field__label" for="plan-day">
              {t('dispatch.plan.day')}
            </label>
            <input
              id="plan-day"
              class="input"
              type="date"
              value={date}
              onChange={(e) => {
                const v = (e.target as HTMLInputElement).value;
                if (v) go(`/staff/lich-ngay?ngay=${v}`, { replace: true });
              }}
            />
          </div>
          <label class="check check--inline">
            <input type="checkbox" checked={showCancelled} onChange={(e) => setShowCancelled((e.target as HTMLInputElement).checked)} />
            <span>{t('dispatch.plan.showCancelled')}</span>
          </label>
        </div>
        <p class="muted">{formatDay(`${date}T05:00:00Z`, lang.value)}</p>
      </div>
      {problem && (
        <p class="notice notice--error" role="alert">
          {problem}
        </p>
      )}
      {rows === null && !problem && <p aria-live="polite">{t('procedure.loading')}</p>}
      {rows && groups.length === 0 && (
        <div class="empty card">
          <h2>{t('dispatch.plan.empty')}</h2>
        </div>
      )}
      <div class="plan__grid">
        {groups.map((g) => (
          <section class="card plan__officer" key={g.officer} aria-label={g.officer}>
            <h2>
              {g.officer} <span class="muted plan__count">{t('dispatch.plan.count', { n: g.visits.length })}</span>
            </h2>
            <ol class="plan__list">
              {g.visits.map((v) => (
                <li key={v.id} class="plan__item">
                  <a href={`/staff/dieu-phoi/${v.id}`} onClick={goHandler(`/staff/dieu-phoi/${v.id}`)} class="plan__link">
                    <span class="plan__time">
                      {formatTime(v.slot_start)}–{formatTime(v.slot_end)}
                    </span>
                    <span class="plan__body">
                      <span class="plan__title">
                        {v.procedure_name} · {kindText(v.kind)}
                      </span>
                      <span class="plan__meta">
                        {v.citizen_name} · {v.address_detail}, {v.commune_name}
                      </span>
                    </span>
                    <span class={`badge badge--${v.status}`}>{v.status_vi}</span>
                  </a>
                </li>
              ))}
            </ol>
          </section>
        ))}
      </div>
    </section>
  );
}
