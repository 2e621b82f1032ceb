import { useSignal } from '@preact/signals';
import { t } from '../../shared/i18n';
import { online } from '../../shared/online';
import { login, notice } from '../session';

export function Login() {
  const username = useSignal('');
  const password = useSignal('');
  const busy = useSignal(false);
  const n = notice.value;

  async function submit(event: Event) {
    event.preventDefault();
    if (busy.value) return;
    busy.value = true;
    try {
      await login(username.value.trim(), password.value);
    } finally {
      busy.value = false;
      password.value = '';
    }
  }

  return (
    <section class="login card" aria-labelledby="login-title">
      <h1 id="login-title">{t('staff.login.title')}</h1>
      <p class="muted">{t('staff.login.intro')}</p>
      {n && (
        <p class={`notice ${n.tone === 'error' ? 'notice--error' : ''}`} role={n.tone === 'error' ? 'alert' : 'status'}>
          {n.key ? t(n.key) : n.text}
        </p>
      )}
      {!online.value && !n && <p class="notice notice--warn">{t('staff.login.offline')}</p>}
      <form onSubmit={submit} novalidate={false}>
        <div class="field">
          <label class="field__label" for="username">
            {t('staff.login.username')}
          </label>
          <input
            id="username"
            name="username"
            class="input"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            required
            value={username.value}
            onInput={(e) => (username.value = e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label class="field__label" for="password">
            {t('staff.login.password')}
          </label>
          <input
            id="password"
            name="password"
            class="input"
            type="password"
            autocomplete="current-password"
            required
            value={password.value}
            onInput={(e) => (password.value = e.currentTarget.value)}
          />
        </div>
        <button class="button button--primary login__submit" type="submit" disabled={busy.value} aria-busy={busy.value}>
          {busy.value ? t('staff.login.busy') : t('staff.login.submit')}
        </button>
      </form>
    </section>
  );
}
