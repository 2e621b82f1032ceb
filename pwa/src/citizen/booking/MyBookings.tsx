/** "Lịch hẹn của tôi": bookings made or opened on this device (last known state) and those waiting to be sent. */
import { useEffect } from 'preact/hooks';
import { formatSlot, formatStamp } from '../../shared/booking/slots';
import { lang, t } from '../../shared/i18n';
import { bookingHref, linkHandler } from '../router';
import { statusText } from './BookingStatus';
import { queued } from './outbox';
import { loadBookings, myBookings } from './store';

export function MyBookings() {
  useEffect(() => {
    void loadBookings();
  }, []);
  const waiting = queued.value;
  const rows = myBookings.value;
  return (
    <section class="mine" aria-labelledby="mine-title">
      <h1 id="mine-title" tabIndex={-1}>
        {t('mine.title')}
      </h1>
      <p class="muted">{t('mine.intro')}</p>
      {waiting.length > 0 && (
        <>
          <h2>{t('mine.waiting')}</h2>
          <ul class="booking-list">
            {waiting.map((q) => (
              <li key={q.id}>
                <a class="booking-card" href={`/cho-gui/${q.id}`} onClick={linkHandler(`/cho-gui/${q.id}`)}>
                  <span class={`badge badge--${q.state === 'pending' ? 'queued' : 'problem'}`}>{t(`mine.state.${q.state}`)}</span>
                  <span class="booking-card__title">{q.summary.procedureName}</span>
                  <span class="booking-card__meta">{formatSlot(q.body.slot_start, null, lang.value)}</span>
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
      {rows.length === 0 && waiting.length === 0 ? (
        <div class="card">
          <p>{t('mine.empty')}</p>
          <a class="button button--secondary" href="/" onClick={linkHandler('/')}>
            {t('mine.find')}
          </a>
        </div>
      ) : (
        rows.length > 0 && (
          <ul class="booking-list">
            {rows.map((r) => (
              <li key={r.reference}>
                <a class="booking-card" href={bookingHref(r.reference)} onClick={linkHandler(bookingHref(r.reference))}>
                  <span class={`badge badge--${r.booking.status}`}>{statusText(r.booking)}</span>
                  <span class="booking-card__title">{r.booking.procedure_name}</span>
                  <span class="booking-card__meta">
                    {formatSlot(r.booking.slot_start, r.booking.slot_end, lang.value)} · {r.reference}
                  </span>
                  <span class="booking-card__stamp">{t('status.updatedAt', { time: formatStamp(r.updatedAt) })}</span>
                </a>
              </li>
            ))}
          </ul>
        )
      )}
    </section>
  );
}
