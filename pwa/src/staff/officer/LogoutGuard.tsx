/** Logging out with unsent changes asks first: sync then log out, log out anyway (the data stays), or stay. */
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../../shared/i18n';
import { logout } from '../session';
import { logoutPrompt, pendingCount, syncNow } from '../sync';

export function requestLogout(): void {
  if (pendingCount.value > 0) logoutPrompt.value = true;
  else void logout();
}

export function LogoutGuard() {
  const busy = useSignal(false);
  const failed = useSignal(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const open = logoutPrompt.value;
  useEffect(() => {
    if (open) heading.current?.focus();
  }, [open]);
  if (!open) return null;
  const close = () => {
    logoutPrompt.value = false;
    failed.value = false;
  };
  const syncFirst = async () => {
    busy.value = true;
    failed.value = false;
    await syncNow();
    busy.value = false;
    if (pendingCount.value === 0) {
      close();
      await logout();
    } else failed.value = true;
  };
  return (
    <section class="logout-guard card" role="alertdialog" aria-modal="false" aria-labelledby="logout-guard-title" aria-describedby="logout-guard-text">
      <h2 id="logout-guard-title" tabIndex={-1} ref={heading}>
        {t('sync.logout.title', { n: pendingCount.value })}
      </h2>
      <p id="logout-guard-text">{t('sync.logout.text')}</p>
      {failed.value && (
        <p class="form-error" role="alert">
          {t('sync.logout.failed')}
        </p>
      )}
      <div class="button-row">
        <button type="button" class="button button--primary" disabled={busy.value} onClick={() => void syncFirst()}>
          {busy.value ? t('sync.strip.running') : t('sync.logout.syncFirst')}
        </button>
        <button type="button" class="button button--secondary" onClick={() => { close(); void logout(); }}>
          {t('sync.logout.anyway')}
        </button>
        <button type="button" class="button button--ghost" onClick={close}>
          {t('sync.logout.cancel')}
        </button>
      </div>
    </section>
  );
}
