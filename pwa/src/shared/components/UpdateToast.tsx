import { t } from '../i18n';
import { applyUpdate, dismissUpdate, updateReady } from '../sw-register';

/** "Đã có phiên bản mới" with a button that activates the waiting service worker. */
export function UpdateToast() {
  if (!updateReady.value) return null;
  return (
    <div class="toast" role="status" aria-live="polite">
      <span class="toast__text">{t('update.available')}</span>
      <button type="button" class="button button--primary" onClick={applyUpdate}>
        {t('update.action')}
      </button>
      <button type="button" class="button button--ghost" onClick={dismissUpdate}>
        {t('update.later')}
      </button>
    </div>
  );
}
