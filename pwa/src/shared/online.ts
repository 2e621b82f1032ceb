/** Whether the browser believes it is online. A real outage can leave this true: callers must still handle failures. */
import { signal } from '@preact/signals';

export const online = signal<boolean>(typeof navigator === 'undefined' ? true : navigator.onLine);

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => (online.value = true));
  window.addEventListener('offline', () => (online.value = false));
}
