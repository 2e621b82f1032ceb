/// <reference lib="webworker" />
/**
 * The staff app's service worker (scope /staff/).
 * - precaches the staff shell (its HTML, JS, CSS, icons, manifest); the list is injected at build time
 * - serves every navigation under /staff/ from the precached staff/index.html, so the app opens offline
 * - API calls are not cached here: the staff app's data lives in IndexedDB, fed by sync
 * - waits for SKIP_WAITING from the page's "Cập nhật" button before taking over
 */
import { createHandlerBoundToURL } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { installShell, listenForSkipWaiting } from '../shared/sw/common';

declare const self: ServiceWorkerGlobalScope;

installShell(self.__WB_MANIFEST);
listenForSkipWaiting();

registerRoute(new NavigationRoute(createHandlerBoundToURL('/staff/index.html'), { allowlist: [/^\/staff(\/|$)/] }));

// Later: self.addEventListener('sync', …) to push the outbox when the connection returns (DESIGN.md §3, §7:
//   check every response and keep each mutation until the server acknowledged it).
// Later: self.addEventListener('push', …) for new assignments and reminders (DESIGN.md §4).
