import { useEffect, useRef } from 'preact/hooks';
import { LangSwitch } from '../shared/components/LangSwitch';
import { NetStatus } from '../shared/components/NetStatus';
import { UpdateToast } from '../shared/components/UpdateToast';
import { t } from '../shared/i18n';
import { linkHandler, route } from './router';
import './booking/booking.css';
import '../shared/booking/booking.css';
import { Booked } from './booking/Booked';
import { BookingForm } from './booking/BookingForm';
import { BookingStatus } from './booking/BookingStatus';
import { MyBookings } from './booking/MyBookings';
import { Queued } from './booking/Queued';
import { Home } from './views/Home';
import { ProcedureDetail } from './views/ProcedureDetail';

function View() {
  const r = route.value;
  switch (r.name) {
    case 'home':
      return <Home />;
    case 'procedure':
      return <ProcedureDetail code={r.code} />;
    case 'book':
      return <BookingForm code={r.code} />;
    case 'booked':
      return <Booked reference={r.reference} />;
    case 'booking':
      return <BookingStatus reference={r.reference} />;
    case 'my-bookings':
      return <MyBookings />;
    case 'queued':
      return <Queued id={r.id} />;
    default:
      return (
        <section class="card">
          <h1 tabIndex={-1}>{t('procedure.notFound')}</h1>
          <a class="button button--secondary" href="/" onClick={linkHandler('/')}>
            {t('procedure.back')}
          </a>
        </section>
      );
  }
}

export function App() {
  const first = useRef(true);
  const current = route.value;
  useEffect(() => {
    // After a client-side navigation, move focus to the new page's heading (screen readers announce it).
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('#main h1')?.focus();
  }, [current]);

  return (
    <>
      <a class="skip-link" href="#main">
        {t('skip.main')}
      </a>
      <header class="c-header">
        <div class="c-header__bar">
          <a class="brand" href="/" onClick={linkHandler('/')}>
            <img class="brand__logo" src="/icons/icon-192.png" alt="" width="40" height="40" />
            <span class="brand__name">{t('app.name')}</span>
          </a>
          <LangSwitch />
        </div>
        <div class="c-header__sub">
          <p class="c-header__motto">{t('app.motto')}</p>
          <NetStatus />
          <a class="header-link" href="/lich-hen" onClick={linkHandler('/lich-hen')}>
            {t('mine.title')}
          </a>
        </div>
      </header>
      <main id="main" class="c-main" tabIndex={-1}>
        <View />
      </main>
      <footer class="c-footer">
        <p lang="vi">Hiểu dân để đồng hành, gần dân để sẻ chia, nghe dân để hành động.</p>
      </footer>
      <UpdateToast />
    </>
  );
}
