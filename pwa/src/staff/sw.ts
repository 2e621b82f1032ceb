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
// Later: self.addEventListener('push', …) for new assignments and reminders (DESIGN.md §4).
