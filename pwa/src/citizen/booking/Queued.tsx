/** A booking saved on the device, waiting for the network; moves on to the confirmation once it is sent. */
import { useEffect, useState } from 'preact/hooks';
import { SlotPicker } from '../../shared/booking/SlotPicker';
import { formatSlot, type VisitKind } from '../../shared/booking/slots';
import { useAvailability } from '../../shared/booking/useAvailability';
import { lang, t } from '../../shared/i18n';
import { linkHandler, navigate } from '../router';
import { chooseSlot, discard, queued, resend, sentFromQueue } from './outbox';
import type { QueuedBooking } from './queue';
import { saveDraft } from './store';

export function Queued({ id }: { id: string }) {
  const item = queued.value.find((q) => q.id === id);
  const sent = sentFromQueue.value[id];
  const [busy, setBusy] = useState(false);
  const [showAll, setShowAll] = useState(false);
  useEffect(() => {
    if (sent) navigate(`/lich-hen/${sent}/da-dat`, { replace: true });
  }, [sent]);
  const avail = useAvailability(showAll && item ? item.body.commune_id : null, (item?.body.kind ?? null) as VisitKind | null);

  if (!item) {
    return (
      <section class="card">
        <h1 tabIndex={-1}>{sent ? t('procedure.loading') : t('queued.gone')}</h1>
        <a class="button button--secondary" href="/lich-hen" onClick={linkHandler('/lich-hen')}>
          {t('mine.title')}
        </a>
      </section>
    );
  }

  async function pick(start: string) {
    setBusy(true);
    try {
      await chooseSlot(item!.id, start);
    } finally {
      setBusy(false);
    }
  }

  async function edit(q: QueuedBooking) {
    const b = q.body;
    await saveDraft({
      procedureCode: b.procedure_code,
      step: 5,
      kind: b.kind,
      communeId: b.commune_id ?? '',
      communeName: q.summary.communeName,
      legacy: !!b.legacy_commune,
      legacyCommune: b.legacy_commune ?? '',
      legacyDistrict: b.legacy_district ?? '',
      addressDetail: b.address_detail,
      name: b.citizen_name,
      phone: b.citizen_phone,
      notes: b.notes ?? '',
      slotStart: b.slot_start,
      slotEnd: '',
      consentChecked: true,
      consentVersion: b.consent.version,
      id: q.id,
      token: q.token,
    });
    await discard(q.id);
    navigate(`/dat-lich?ma=${encodeURIComponent(b.procedure_code)}`, { replace: true });
  }

  return (
    <section class="card queued" aria-labelledby="queued-title">
      <h1 id="queued-title" tabIndex={-1}>
        {item.state === 'pending' ? t('queued.title') : item.state === 'slot_taken' ? t('queued.slotTakenTitle') : t('queued.rejectedTitle')}
      </h1>
      {item.state === 'pending' && (
        <p class="notice" role="status">
          {t('queued.text')}
        </p>
      )}
      <dl class="facts facts--compact">
        <div class="facts__wide">
          <dt>{t('book.sum.procedure')}</dt>
          <dd>{item.summary.procedureName}</dd>
        </div>
        <div>
          <dt>{t('book.sum.kind')}</dt>
          <dd>{item.summary.kindLabel}</dd>
        </div>
        <div>
          <dt>{t('book.sum.time')}</dt>
          <dd>{formatSlot(item.body.slot_start, null, lang.value)}</dd>
        </div>
        <div class="facts__wide">
          <dt>{t('book.sum.place')}</dt>
          <dd>
            {item.body.address_detail}, {item.summary.communeName}
          </dd>
        </div>
      </dl>
      {item.state === 'pending' && (
        <div class="actions">
          <button type="button" class="button button--primary" disabled={busy} onClick={() => void resend(item.id)}>
            {t('queued.retryNow')}
          </button>
        </div>
      )}
      {item.state === 'slot_taken' && (
        <div class="notice notice--warn" role="alert">
          <p>{item.message}</p>
          {item.nearestFree && item.nearestFree.length > 0 && (
            <>
              <p class="nearest__title">{t('book.slot.nearest')}</p>
              <ul class="choice-list">
                {item.nearestFree.map((s) => (
                  <li key={s}>
                    <button type="button" class="choice" disabled={busy} onClick={() => void pick(s)}>
                      {formatSlot(s, null, lang.value)}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
          {!showAll && (
            <button type="button" class="button button--secondary" onClick={() => setShowAll(true)}>
              {t('queued.otherTimes')}
            </button>
          )}
        </div>
      )}
      {item.state === 'slot_taken' && showAll && (
        <SlotPicker idPrefix="q" days={avail.days} unavailable={avail.problem} value={null} onChange={(s) => void pick(s.start)} />
      )}
      {item.state === 'rejected' && (
        <>
          <p class="notice notice--error" role="alert">
            {item.message}
          </p>
          <div class="actions">
            <button type="button" class="button button--primary" onClick={() => void edit(item)}>
              {t('queued.edit')}
            </button>
            <button type="button" class="button button--secondary" disabled={busy} onClick={() => void resend(item.id)}>
              {t('queued.retryNow')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
