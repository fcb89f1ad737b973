/** Graph collections read page by page, following `@odata.nextLink`. */
import { type MicrosoftApi, refused } from './http.ts';

/**
 * Yields each page's `value` of the collection at `path` (relative to the API's base URL), one
 * page in memory at a time; the next page is asked for while the caller works on this one.
 */
export async function* pages<T>(
  api: MicrosoftApi,
  baseUrl: string,
  step: string,
  path: string,
): AsyncGenerator<T[]> {
  const fetchPage = async (at: string) => {
    const res = await api.call(step, 'GET', at);
    if (!res.ok) throw refused(step, res);
    const next = res.body?.['@odata.nextLink'];
    return {
      value: (res.body?.value ?? []) as T[],
      next: typeof next === 'string' ? relative(baseUrl, next, step) : undefined,
    };
  };
  let page = fetchPage(path);
  for (;;) {
    const { value, next } = await page;
    if (next) {
      page = fetchPage(next);
      page.catch(() => undefined); // surfaced by the await above on the next turn
    }
    yield value;
    if (!next) return;
  }
}

/** A next link as a path under the API's base URL (Graph gives absolute links). */
function relative(baseUrl: string, link: string, step: string): string {
  if (link.startsWith('/')) return link;
  const base = new URL(baseUrl);
  const url = new URL(link);
  if (url.origin !== base.origin) {
    throw new Error(`${step}: a next link left ${base.origin} (${url.origin})`);
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  return `${url.pathname.slice(prefix.length)}${url.search}`;
}
