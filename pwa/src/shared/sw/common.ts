/// <reference lib="webworker" />
/** What both service workers share: the precached shell and the update handshake with the page. */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';

declare const self: ServiceWorkerGlobalScope;

/** Precache the app shell listed by the build (self.__WB_MANIFEST) and drop caches of older Workbox versions. */
export function installShell(entries: Array<PrecacheEntry | string>): void {
  precacheAndRoute(entries);
  cleanupOutdatedCaches();
  // The first install controls the open page at once; an update waits for the user (see listenForSkipWaiting).
  clientsClaim();
}

/** The page's "Cập nhật" button posts {type: 'SKIP_WAITING'}; the waiting worker then activates. */
export function listenForSkipWaiting(): void {
  self.addEventListener('message', (event: ExtendableMessageEvent) => {
    const data: unknown = event.data;
    if (data && typeof data === 'object' && (data as { type?: unknown }).type === 'SKIP_WAITING') {
      void self.skipWaiting();
    }
  });
}
