/// <reference lib="webworker" />
import type { PrecacheEntry } from 'workbox-precaching';

declare global {
  interface ServiceWorkerGlobalScope {
    /** Replaced at build time by workbox-build's injectManifest with the shell's precache list. */
    __WB_MANIFEST: Array<PrecacheEntry | string>;
  }
}
