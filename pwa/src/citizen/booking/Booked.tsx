/** After booking: the reference code, big; the secret link with copy; add to calendar; view status. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatSlot } from '../../shared/booking/slots';
import { lang, t } from '../../shared/i18n';
import type { StoredBooking } from '../db';
import { bookingHref, linkHandler } from '../router';
import { copyText, downloadIcs, secretLink } from './actions';
import { PushPanel } from './PushPanel';
import { getBooking } from './store';

export function Booked({ reference }: { reference: string }) {
  const [row, setRow] = useState<StoredBooking | null | undefined>(undefined);
  const [copied, setCopied] = useState<boolean | null>(null);
  const [icsError, setIcsError] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    void getBooking(reference).then((r) => setRow(r ?? null));
  }, [reference]);

  if (row === undefined) return <p aria-live="polite">{t('procedure.loading')}</p>;
  if (row === null) {
    return (
      <section class="card">
        <h1 tabIndex={-1}>{t('status.notFound')}</h1>
      </section>
    );
  }
  const b = row.booking;
  const link = secretLink(row.reference, row.token);
  return (
    <article class="booked" aria-labelledby="booked-title">
      <section class="card booked__card">
        <p class="booked__ok" aria-hidden="true">
          ✓
        </p>
        <h1 id="booked-title" tabIndex={-1}>
          {t('booked.title')}
        </h1>
        <p>{t('booked.text')}</p>
        <p class="ref-label">{t('booked.reference')}</p>
        <p class="ref-code" aria-label={t('booked.referenceSpelled', { ref: b.reference.split('').join(' ') })}>
          {b.reference}
        </p>
        <dl class="facts facts--compact">
          <div>
            <dt>{t('book.sum.time')}</dt>
            <dd>{formatSlot(b.slot_start, b.slot_end, lang.value)}</dd>
          </div>
          <div>
            <dt>{t('status.status')}</dt>
            <dd>{lang.value === 'vi' ? b.status_vi : b.status_en}</dd>
          </div>
        </dl>
      </section>
      <section class="card" aria-labelledby="link-title">
        <h2 id="link-title">{t('booked.linkTitle')}</h2>
        <p class="muted" id="link-hint">
          {t('booked.linkHint')}
        </p>
        <label class="visually-hidden" for="secret-link">
          {t('booked.linkTitle')}
        </label>
        <input id="secret-link" ref={input} class="input link-input" readOnly value={link} aria-describedby="link-hint" />
        <div class="actions">
          <button
            type="button"
            class="button button--primary"
            onClick={() => void copyText(link, input.current).then(setCopied)}
          >
            {t('booked.copy')}
          </button>
          <button
            type="button"
            class="button button--secondary"
            onClick={() => {
              setIcsError(false);
              downloadIcs(row.reference, row.token).catch(() => setIcsError(true));
            }}
          >
            {t('booked.calendar')}
          </button>
          <a class="button button--secondary" href={bookingHref(row.reference)} onClick={linkHandler(bookingHref(row.reference))}>
            {t('booked.viewStatus')}
          </a>
        </div>
        <p aria-live="polite" class="muted">
          {copied === true ? t('booked.copied') : copied === false ? t('booked.copyFailed') : ''}
          {icsError ? t('booked.calendarFailed') : ''}
        </p>
      </section>
      <PushPanel reference={row.reference} token={row.token} />
    </article>
  );
}
