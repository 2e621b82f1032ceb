import { render } from 'preact';
import '../shared/styles.css';
import './citizen.css';
import { applyDocumentLang } from '../shared/i18n';
import { checkPushKey } from '../shared/push/page';
import { registerServiceWorker } from '../shared/sw-register';
import { App } from './App';
import { startOutbox } from './booking/outbox';
import { loadBookings } from './booking/store';
import { loadLocal, refresh } from './catalogue';

applyDocumentLang();
render(<App />, document.getElementById('app')!);

// Local data first, then the network feeds the local store.
void loadLocal()
  .catch((err: unknown) => console.warn('local catalogue unavailable', err))
  .then(() => refresh());

// Bookings made on this device, and those waiting for the network (sent at start, when online, on a timer).
void loadBookings().catch((err: unknown) => console.warn('local bookings unavailable', err));
startOutbox();

// Service workers only in the build (the dev server has no sw.js).
if (import.meta.env.PROD) {
  registerServiceWorker('/sw.js', '/');
  // Followed bookings: the subscription must exist and be made with the server's current VAPID key.
  void checkPushKey().catch((err: unknown) => console.warn('push: key check failed', err));
}
