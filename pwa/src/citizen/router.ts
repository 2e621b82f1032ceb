/**
 * A tiny history router. Paths: `/` (home + catalogue) and `/thu-tuc?ma=<code>` (a procedure).
 * Procedure codes contain dots (1.001193), so they travel in the query string: the server only falls back
 * to the app shell for paths whose last segment has no dot.
 * Booking: `/dat-lich?ma=<code>` (the form), `/lich-hen` (my bookings), `/lich-hen/<REF>` (status; the secret
 * stays in the URL fragment `#<token>`, never in a query), `/lich-hen/<REF>/da-dat` (confirmation),
 * `/cho-gui/<id>` (a booking saved on the device, waiting to be sent).
 */
import { signal } from '@preact/signals';

export type Route =
  | { name: 'home' }
  | { name: 'procedure'; code: string }
  | { name: 'book'; code: string }
  | { name: 'my-bookings' }
  | { name: 'booking'; reference: string }
  | { name: 'booked'; reference: string }
  | { name: 'queued'; id: string }
  | { name: 'not-found' };

export function parseRoute(pathname: string, search: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'home' };
  if (path === '/thu-tuc') {
    const code = new URLSearchParams(search).get('ma');
    return code ? { name: 'procedure', code } : { name: 'home' };
  }
  if (path === '/dat-lich') {
    const code = new URLSearchParams(search).get('ma');
    return code ? { name: 'book', code } : { name: 'home' };
  }
  if (path === '/lich-hen') return { name: 'my-bookings' };
  let m = /^\/lich-hen\/([A-Za-z0-9]{4}-[A-Za-z0-9]{4})(\/da-dat)?$/.exec(path);
  if (m) return m[2] ? { name: 'booked', reference: m[1]!.toUpperCase() } : { name: 'booking', reference: m[1]!.toUpperCase() };
  m = /^\/cho-gui\/([0-9a-f-]{36})$/.exec(path);
  if (m) return { name: 'queued', id: m[1]! };
  return { name: 'not-found' };
}

export function bookHref(code: string): string {
  return `/dat-lich?ma=${encodeURIComponent(code)}`;
}

/** The status page; with the secret in the fragment when it is a link to share. */
export function bookingHref(reference: string, token?: string): string {
  return `/lich-hen/${reference}${token ? `#${token}` : ''}`;
}

export function procedureHref(code: string): string {
  return `/thu-tuc?ma=${encodeURIComponent(code)}`;
}

export const route = signal<Route>(
  typeof location === 'undefined' ? { name: 'home' } : parseRoute(location.pathname, location.search),
);

export function navigate(href: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  const url = new URL(href, location.origin);
  route.value = parseRoute(url.pathname, url.search);
  window.scrollTo(0, 0);
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    route.value = parseRoute(location.pathname, location.search);
  });
}

/** onClick for internal links: client-side navigation, leaving modified clicks to the browser. */
export function linkHandler(href: string) {
  return (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    navigate(href);
  };
}
