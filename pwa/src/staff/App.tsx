import { LangSwitch } from '../shared/components/LangSwitch';
import { NetStatus } from '../shared/components/NetStatus';
import { UpdateToast } from '../shared/components/UpdateToast';
import { t, tMaybe } from '../shared/i18n';
import { phase, session } from './session';
import { pendingCount } from './sync';
import { Login } from './views/Login';
import { StaffMain } from './dispatch/StaffMain';
import { LogoutGuard, requestLogout } from './officer/LogoutGuard';
import { OfficerMain } from './officer/OfficerMain';
import { officerRoute } from './officer/router';
import { SyncStrip } from './officer/SyncStrip';

function UserBox() {
  const user = session.value?.user;
  if (!user) return null;
  const role = tMaybe(`staff.role.${user.role}`) ?? user.role;
  return (
    <div class="userbox">
      <p class="userbox__who" aria-label={t('staff.user.label')}>
        <span class="userbox__name">{user.full_name}</span>
        <span class="userbox__role">{role}</span>
      </p>
      <button type="button" class="button button--ghost userbox__logout" onClick={requestLogout}>
        {t('staff.logout')}
      </button>
    </div>
  );
}

export function App() {
  const p = phase.value;
  return (
    <>
      <a class="skip-link" href="#main">
        {t('skip.main')}
      </a>
      <header class="s-header">
        <div class="s-header__bar">
          <div class="s-brand">
            <img class="s-brand__logo" src="/staff/icons/icon-192.png" alt="" width="40" height="40" />
            <span class="s-brand__name">{t('staff.appName')}</span>
          </div>
          <NetStatus>
            {p === 'ready' && (
              <span class="sync-status" data-pending={pendingCount.value}>
                {t('staff.sync.pending', { n: pendingCount.value })}
              </span>
            )}
            {p === 'ready' && <SyncStrip />}
          </NetStatus>
          <div class="s-header__actions">
            <LangSwitch />
            {p === 'ready' && <UserBox />}
          </div>
        </div>
      </header>
      <main id="main" class={`s-main s-main--${p}`} tabIndex={-1}>
        {p === 'ready' ? officerRoute.value ? <OfficerMain /> : <StaffMain /> : p === 'login' ? <Login /> : null}
      </main>
      {p === 'ready' && <LogoutGuard />}
      <UpdateToast />
    </>
  );
}
