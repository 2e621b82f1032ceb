import { useSignal, useSignalEffect } from '@preact/signals';
import { lang, t } from '../../shared/i18n';
import { formatLongDate } from '../../shared/text';
import { session } from '../session';

export function Today() {
  const now = useSignal(new Date());
  useSignalEffect(() => {
    // Keep "today" right when the tablet stays open past midnight.
    const timer = setInterval(() => (now.value = new Date()), 60_000);
    return () => clearInterval(timer);
  });
  const user = session.value?.user;
  const communes = user?.communes.length ?? 0;
  return (
    <section class="today" aria-labelledby="today-title">
      <div class="today__head">
        <h1 id="today-title">{t('staff.today.title')}</h1>
        <p class="today__date">
          <time dateTime={now.value.toISOString()}>{formatLongDate(now.value, lang.value)}</time>
        </p>
        {communes > 0 && <p class="muted">{t('staff.today.communes', { n: communes })}</p>}
      </div>
      {/* The appointment list (from IndexedDB, filled by sync) goes here. */}
      <div class="empty card">
        <svg class="empty__icon" width="56" height="56" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6" aria-hidden="true" focusable="false">
          <rect x="3" y="5" width="18" height="16" rx="2" />
          <path d="M3 9h18M8 3v4M16 3v4" />
          <path d="M9 15l2 2 4-4" />
        </svg>
        <h2>{t('staff.today.empty')}</h2>
        <p class="muted">{t('staff.today.emptyHint')}</p>
      </div>
    </section>
  );
}
