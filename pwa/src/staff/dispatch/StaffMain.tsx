/** The signed-in staff app: "Hôm nay" for everyone; the dispatcher screens for dispatchers and supervisors. */
import { useEffect } from 'preact/hooks';
import { t, type MessageKey } from '../../shared/i18n';
import { Today } from '../views/Today';
import { canDispatch, loadCommuneNames } from './common';
import { DayPlan } from './DayPlan';
import { Detail } from './Detail';
import { Intake } from './Intake';
import { Queue } from './Queue';
import { goHandler, staffRoute } from './router';
import '../../shared/booking/booking.css';
import './dispatch.css';

const TABS: Array<{ name: 'today' | 'queue' | 'intake' | 'plan'; href: string; key: MessageKey }> = [
  { name: 'today', href: '/staff/', key: 'staff.today.title' },
  { name: 'queue', href: '/staff/dieu-phoi', key: 'dispatch.nav.queue' },
  { name: 'intake', href: '/staff/nhan-yeu-cau', key: 'dispatch.nav.intake' },
  { name: 'plan', href: '/staff/lich-ngay', key: 'dispatch.nav.plan' },
];

export function StaffMain() {
  const allowed = canDispatch();
  useEffect(() => {
    if (allowed) loadCommuneNames();
  }, [allowed]);
  const r = staffRoute.value;
  if (!allowed || r.name === 'today') {
    return (
      <>
        {allowed && <DispatchNav current="today" />}
        <Today />
      </>
    );
  }
  const current = r.name === 'appointment' ? 'queue' : r.name;
  return (
    <>
      <DispatchNav current={current} />
      {r.name === 'queue' && <Queue />}
      {r.name === 'appointment' && <Detail id={r.id} />}
      {r.name === 'intake' && <Intake />}
      {r.name === 'plan' && <DayPlan day={r.day} />}
    </>
  );
}

function DispatchNav({ current }: { current: string }) {
  return (
    <nav class="s-nav" aria-label={t('dispatch.nav.label')}>
      <ul class="s-nav__list">
        {TABS.map((tab) => (
          <li key={tab.name}>
            <a
              class="s-nav__link"
              href={tab.href}
              aria-current={tab.name === current ? 'page' : undefined}
              onClick={goHandler(tab.href)}
            >
              {t(tab.key)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
