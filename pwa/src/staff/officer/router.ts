/**
 * Routes of the officer's field screens: /staff/ve-lang (outreach sessions), /staff/ve-lang/<id> (one session),
 * /staff/dong-bo (sync status, conflicts, rejected changes). Any other path belongs to the other staff screens
 * (null here). Navigation fires `popstate` so that every router of the staff app follows the URL.
 */
import { signal } from '@preact/signals';

export type OfficerRoute = { name: 'outreach' } | { name: 'session'; id: string } | { name: 'sync' } | null;

export function parseOfficerRoute(pathname: string): OfficerRoute {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/staff/ve-lang') return { name: 'outreach' };
  const m = /^\/staff\/ve-lang\/([0-9a-f-]{36})$/.exec(path);
  if (m) return { name: 'session', id: m[1]! };
  if (path === '/staff/dong-bo') return { name: 'sync' };
  return null;
}

export const officerRoute = signal<OfficerRoute>(typeof location === 'undefined' ? null : parseOfficerRoute(location.pathname));

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    officerRoute.value = parseOfficerRoute(location.pathname);
  });
}

export function navigate(href: string): void {
  history.pushState(null, '', href);
  window.dispatchEvent(new PopStateEvent('popstate'));
  window.scrollTo(0, 0);
  requestAnimationFrame(() => document.querySelector<HTMLElement>('#main h1')?.focus());
}

/** onClick of an <a href>: navigate inside the app, leave modified clicks to the browser. */
export function linkTo(href: string) {
  return (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
}
