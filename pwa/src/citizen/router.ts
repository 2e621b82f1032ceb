/**
 * A tiny history router. Paths: `/` (home + catalogue) and `/thu-tuc?ma=<code>` (a procedure).
 * Procedure codes contain dots (1.001193), so they travel in the query string: the server only falls back
 * to the app shell for paths whose last segment has no dot.
 * Booking will add its routes here.
 */
import { signal } from '@preact/signals';

export type Route = { name: 'home' } | { name: 'procedure'; code: string } | { name: 'not-found' };

export function parseRoute(pathname: string, search: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'home' };
  if (path === '/thu-tuc') {
    const code = new URLSearchParams(search).get('ma');
    return code ? { name: 'procedure', code } : { name: 'home' };
  }
  return { name: 'not-found' };
}

export function procedureHref(code: string): string {
  return `/thu-tuc?ma=${encodeURIComponent(code)}`;
}

export const route = signal<Route>(
  typeof location === 'undefined' ? { name: 'home' } : parseRoute(location.pathname, location.search),
);

export function navigate(href: string): void {
  history.pushState(null, '', href);
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
