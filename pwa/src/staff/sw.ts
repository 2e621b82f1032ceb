/// <reference lib="webworker" />
/**
 * The staff app's service worker (scope /staff/).
 * - precaches the staff shell (its HTML, JS, CSS, icons, manifest); the list is injected at build time
 * - serves every navigation under /staff/ from the precached staff/index.html, so the app opens offline
 * - API calls are not cached here: the staff app's data lives in IndexedDB, fed by sync
 * - waits for SKIP_WAITING from the page's "Cập nhật" button before taking over
 * - Web Push for officers (visits assigned, rescheduled, cancelled): every push shows a notification (a generic
 *   staff one when the payload is unusable); a tap focuses or opens its /staff/ page
 */
import { createHandlerBoundToURL } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { clickTarget, generic, parsePayload, sameScreen, STAFF_DEFAULTS, type NotificationSpec } from '../shared/push/payload';
import { installShell, listenForSkipWaiting } from '../shared/sw/common';
import { contextFromSession, syncOnce, withSyncLock } from './data/engine';

declare const self: ServiceWorkerGlobalScope;

installShell(self.__WB_MANIFEST);
listenForSkipWaiting();

registerRoute(new NavigationRoute(createHandlerBoundToURL('/staff/index.html'), { allowlist: [/^\/staff(\/|$)/] }));

// Background Sync: the page registers 'gandan-outbox' after every local write and after a failed sync; the
// browser fires it when the connection is back, even with the app closed. The same engine as the page runs
// here, under the same Web Lock, so a page and the worker never sync at once. Only the server's
// acknowledgement removes a mutation (DESIGN.md §7): a failure rejects, and the browser retries later.
interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
  readonly lastChance: boolean;
}

async function backgroundSync(): Promise<void> {
  const ctx = await contextFromSession();
  if (!ctx) return;
  await withSyncLock(() => syncOnce(ctx));
  const pages = await self.clients.matchAll({ type: 'window' });
  for (const page of pages) page.postMessage({ type: 'SYNCED' });
}

self.addEventListener('sync', (event: Event) => {
  const e = event as SyncEvent;
  if (e.tag === 'gandan-outbox') e.waitUntil(backgroundSync());
});

// --- Web Push (DESIGN.md §4) ---------------------------------------------------------------------------

function payloadText(event: PushEvent): string | null {
  try {
    return event.data ? event.data.text() : null;
  } catch {
    return null;
  }
}

async function show(spec: NotificationSpec): Promise<void> {
  try {
    await self.registration.showNotification(spec.title, spec.options);
  } catch (err) {
    // Options a browser rejects (an icon it cannot load …): the bare generic notification still goes out.
    console.warn('push: notification failed, showing the generic one', err);
    const g = generic(STAFF_DEFAULTS);
    await self.registration.showNotification(g.title, { body: g.options.body, tag: g.options.tag, data: g.options.data });
  }
}

self.addEventListener('push', (event: PushEvent) => {
  let spec: NotificationSpec;
  try {
    spec = parsePayload(payloadText(event), STAFF_DEFAULTS);
  } catch {
    spec = generic(STAFF_DEFAULTS);
  }
  if (!spec.parsed) console.warn('push: unusable payload, showing the generic notification');
  event.waitUntil(show(spec).catch((err: unknown) => console.warn('push: no notification', err)));
});

async function openTarget(data: unknown): Promise<void> {
  const target = clickTarget(data, self.location.origin, STAFF_DEFAULTS);
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const same = windows.find((c) => sameScreen(c.url, target));
  if (same) {
    await same.focus();
    return;
  }
  await self.clients.openWindow(target);
}

self.addEventListener('notificationclick', (event: NotificationEvent) => {
  event.notification.close();
  event.waitUntil(openTarget(event.notification.data).catch((err: unknown) => console.warn('push: click', err)));
});
