/** "Điều phối": new requests (status requested) in the user's communes, oldest first. */
import { useEffect, useState } from 'preact/hooks';
import { staffApi } from '../../shared/booking/api';
import { type AppointmentOut, formatSlot, formatStamp } from '../../shared/booking/slots';
import { lang, t } from '../../shared/i18n';
import { session } from '../session';
import { channelLabel, communeNames, errorText, kindText, token } from './common';
import { goHandler } from './router';

export function Queue() {
  const [rows, setRows] = useState<AppointmentOut[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [commune, setCommune] = useState('');
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setProblem(null);
    staffApi
      .list(token(), { status: 'requested', commune_id: commune || undefined })
      .then((list) => live && setRows([...list].sort((a, b) => a.created_at.localeCompare(b.created_at))))
      .catch((err: unknown) => live && setProblem(errorText(err)));
    return () => {
      live = false;
    };
  }, [commune, n]);
  const codes = session.value?.user.communes ?? [];
  return (
    <section class="dispatch" aria-labelledby="queue-title">
      <div class="dispatch__head">
        <h1 id="queue-title" tabIndex={-1}>
          {t('dispatch.queue.title')}
        </h1>
        <p class="muted">{t('dispatch.queue.intro')}</p>
        <div class="toolbar">
          <div class="field field--inline">
            <label class="field__label" for="queue-commune">
              {t('dispatch.commune')}
            </label>
            <select id="queue-commune" class="input" value={commune} onChange={(e) => setCommune((e.target as HTMLSelectElement).value)}>
              <option value="">{t('dispatch.allCommunes')}</option>
              {codes.map((c) => (
                <option key={c} value={c}>
                  {communeNames.value[c] ?? c}
                </option>
              ))}
            </select>
          </div>
          <button type="button" class="button button--secondary" onClick={() => setN((x) => x + 1)}>
            {t('dispatch.reload')}
          </button>
        </div>
      </div>
      {problem && (
        <p class="notice notice--error" role="alert">
          {problem}
        </p>
      )}
      {rows === null && !problem && <p aria-live="polite">{t('procedure.loading')}</p>}
      {rows && rows.length === 0 && (
        <div class="empty card">
          <h2>{t('dispatch.queue.empty')}</h2>
        </div>
      )}
      {rows && rows.length > 0 && (
        <>
          <p class="muted" aria-live="polite">
            {t('dispatch.queue.count', { n: rows.length })}
          </p>
          <ul class="req-list">
            {rows.map((a) => (
              <li key={a.id}>
                <a class="req-card card" href={`/staff/dieu-phoi/${a.id}`} onClick={goHandler(`/staff/dieu-phoi/${a.id}`)}>
                  <span class="req-card__top">
                    <span class="req-card__ref">{a.reference}</span>
                    <span class="pill">{channelLabel(a.channel)}</span>
                    <span class="req-card__received">{t('dispatch.received', { time: formatStamp(a.created_at) })}</span>
                  </span>
                  <span class="req-card__title">{a.procedure_name}</span>
                  <span class="req-card__meta">
                    {kindText(a.kind)} · {a.commune_name}
                  </span>
                  <span class="req-card__time">{t('dispatch.requestedTime', { time: formatSlot(a.slot_start, a.slot_end, lang.value) })}</span>
                  <span class="req-card__who">
                    {a.citizen_name} · {a.address_detail}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
