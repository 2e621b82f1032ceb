/**
 * Registers an app's service worker and raises `updateReady` when a new version is waiting.
 * The toast's button calls `applyUpdate()`: the waiting worker gets SKIP_WAITING and the page reloads once
 * when it takes control.
 */
import { signal } from '@preact/signals';

export const updateReady = signal(false);
let waiting: ServiceWorker | null = null;
let updating = false;

function offer(worker: ServiceWorker): void {
  waiting = worker;
  updateReady.value = true;
}

export function registerServiceWorker(url: string, scope: string): void {
  if (!('serviceWorker' in navigator)) return;
  // The first install takes control quietly (clients.claim); only an update the user asked for reloads.
  let reloaded = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!updating || reloaded) return;
    reloaded = true;
    window.location.reload();
  });

  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register(url, { scope })
      .then((registration) => {
        if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
        registration.addEventListener('updatefound', () => {
          const installing = registration.installing;
          if (!installing) return;
          installing.addEventListener('statechange', () => {
            if (installing.state === 'installed' && navigator.serviceWorker.controller) offer(installing);
          });
        });
        // Look for a new version now and then while the app stays open (a tablet may stay open all day).
        setInterval(() => void registration.update().catch(() => undefined), 60 * 60 * 1000);
      })
      .catch((err: unknown) => console.warn('service worker registration failed', err));
  });
}

export function applyUpdate(): void {
  updateReady.value = false;
  updating = true;
  waiting?.postMessage({ type: 'SKIP_WAITING' });
}

export function dismissUpdate(): void {
  updateReady.value = false;
}
