/**
 * Routes of the staff app's dispatcher screens (the officer's "Hôm nay" stays at /staff/):
 * /staff/dieu-phoi (queue), /staff/dieu-phoi/<id> (an appointment), /staff/nhan-yeu-cau (intake),
 * /staff/lich-ngay?ngay=YYYY-MM-DD (day plan). The service worker serves every /staff/ path from the shell.
 */
import { signal } from '@preact/signals';

export type StaffRoute =
  | { name: 'today' }
  | { name: 'queue' }
  | { name: 'appointment'; id: string }
  | { name: 'intake' }
  | { name: 'plan'; day: string | null };

export function parseStaffRoute(pathname: string, search: string): StaffRoute {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/staff/dieu-phoi') return { name: 'queue' };
  const m = /^\/staff\/dieu-phoi\/([0-9a-f-]{36})$/.exec(path);
  if (m) return { name: 'appointment', id: m[1]! };
  if (path === '/staff/nhan-yeu-cau') return { name: 'intake' };
  if (path === '/staff/lich-ngay') return { name: 'plan', day: new URLSearchParams(search).get('ngay') };
  return { name: 'today' };
}

export const staffRoute = signal<StaffRoute>(
  typeof location === 'undefined' ? { name: 'today' } : parseStaffRoute(location.pathname, location.search),
);

export function go(href: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  const url = new URL(href, location.origin);
  staffRoute.value = parseStaffRoute(url.pathname, url.search);
  window.scrollTo(0, 0);
  requestAnimationFrame(() => document.querySelector<HTMLElement>('#main h1')?.focus());
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    staffRoute.value = parseStaffRoute(location.pathname, location.search);
  });
}

export function goHandler(href: string) {
  return (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    go(href);
  };
}
