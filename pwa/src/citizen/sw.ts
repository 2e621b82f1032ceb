/// <reference lib="webworker" />
/**
 * The citizen app's service worker (scope /).
 * - precaches the citizen shell (its HTML, JS, CSS, icons, manifest); the list is injected at build time
 * - serves every navigation under / (except /staff/, /api/, /vendor/) from the precached index.html
 * - catalogue GETs (/api/procedures, /api/units): network first, falling back to the cached copy
 * - waits for SKIP_WAITING from the page's "Cập nhật" button before taking over
 * - Web Push (DESIGN.md §4): every push shows a notification (a generic Vietnamese one when the payload is
 *   missing or unusable); a tap opens or focuses the booking's status page; pushsubscriptionchange moves every
 *   followed booking (IndexedDB "gandan-push") to the new subscription with `old_endpoint`
 */
import { ExpirationPlugin } from 'workbox-expiration';
import { createHandlerBoundToURL } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { NetworkFirst } from 'workbox-strategies';
import { renewSubscription } from '../shared/push/core';
import { clickTarget, generic, parsePayload, sameScreen, type NotificationSpec } from '../shared/push/payload';
import { getPushState } from '../shared/push/store';
import { installShell, listenForSkipWaiting } from '../shared/sw/common';

declare const self: ServiceWorkerGlobalScope;

installShell(self.__WB_MANIFEST);
listenForSkipWaiting();

registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/staff(\/|$)/, /^\/api(\/|$)/, /^\/vendor\//],
  }),
);

registerRoute(
  ({ url, request }) =>
    request.method === 'GET' &&
    url.origin === self.location.origin &&
    /^\/api\/(procedures|units)(\/|$)/.test(url.pathname),
  new NetworkFirst({
    cacheName: 'gandan-catalogue-v1',
    networkTimeoutSeconds: 6,
    plugins: [new ExpirationPlugin({ maxEntries: 300, maxAgeSeconds: 60 * 60 * 24 * 60 })],
  }),
);


// --- Web Push ------------------------------------------------------------------------------------------

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
    const g = generic();
    await self.registration.showNotification(g.title, { body: g.options.body, tag: g.options.tag, data: g.options.data });
  }
}

self.addEventListener('push', (event: PushEvent) => {
  let spec: NotificationSpec;
  try {
    spec = parsePayload(payloadText(event));
  } catch {
    spec = generic();
  }
  if (!spec.parsed) console.warn('push: unusable payload, showing the generic notification');
  event.waitUntil(show(spec).catch((err: unknown) => console.warn('push: no notification', err)));
});

async function openTarget(data: unknown): Promise<void> {
  const target = clickTarget(data, self.location.origin);
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

async function subscriptionChanged(event: PushSubscriptionChangeEvent): Promise<void> {
  const state = await getPushState();
  const oldEndpoint = event.oldSubscription?.endpoint ?? state?.endpoint ?? null;
  const result = await renewSubscription(self.registration.pushManager, { oldEndpoint });
  if (result.failed.length) console.warn('push: could not re-register', result.failed);
}

self.addEventListener('pushsubscriptionchange', (event: PushSubscriptionChangeEvent) => {
  event.waitUntil(subscriptionChanged(event).catch((err: unknown) => console.warn('push: resubscribe failed', err)));
});
