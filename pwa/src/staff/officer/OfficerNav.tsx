import { t, type MessageKey } from '../../shared/i18n';
import { openConflicts, pendingCount, rejectedCount } from '../sync';
import { linkTo } from './router';

const ITEMS: Array<{ name: 'today' | 'outreach' | 'sync'; href: string; key: MessageKey }> = [
  { name: 'today', href: '/staff/', key: 'officer.nav.today' },
  { name: 'outreach', href: '/staff/ve-lang', key: 'officer.nav.outreach' },
  { name: 'sync', href: '/staff/dong-bo', key: 'officer.nav.sync' },
];

/** The officer's field-work tabs. */
export function OfficerNav({ current }: { current: 'today' | 'outreach' | 'sync' }) {
  const attention = pendingCount.value + openConflicts.value + rejectedCount.value;
  return (
    <nav class="officer-nav" aria-label={t('officer.nav.label')}>
      <ul>
        {ITEMS.map((item) => (
          <li key={item.name}>
            <a href={item.href} onClick={linkTo(item.href)} aria-current={item.name === current ? 'page' : undefined} class="officer-nav__link">
              {t(item.key)}
              {item.name === 'sync' && attention > 0 && <span class="officer-nav__count">({attention})</span>}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
