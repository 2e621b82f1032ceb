/// <reference lib="webworker" />
/**
 * The citizen app's service worker (scope /).
 * - precaches the citizen shell (its HTML, JS, CSS, icons, manifest); the list is injected at build time
 * - serves every navigation under / (except /staff/, /api/, /vendor/) from the precached index.html
 * - catalogue GETs (/api/procedures, /api/units): network first, falling back to the cached copy
 * - waits for SKIP_WAITING from the page's "Cập nhật" button before taking over
 */
import { ExpirationPlugin } from 'workbox-expiration';
import { createHandlerBoundToURL } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { NetworkFirst } from 'workbox-strategies';
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

// Later: self.addEventListener('push', …) for booking confirmations and reminders (see DESIGN.md §4).
