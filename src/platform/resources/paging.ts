// Server-side search and pagination for the platform's list routes (the console never loads a whole directory):
// a case-insensitive substring filter, name-ordered pages and an opaque continue token (the last name returned).
import { badRequest } from '../../apiserver/errors.ts';

export interface PageQuery { search?: string; limit?: number; continue?: string }
/** total: how many items match the search (all pages). */
export interface Page<T> { items: T[]; continue?: string; total: number }

export const MAX_PAGE = 500;

/** Reads search / limit / continue from a URL (limit 1..500; absent: everything, as before pagination). */
export function pageQuery(url: URL): PageQuery {
  const q: PageQuery = {};
  const search = url.searchParams.get('search')?.trim();
  if (search) q.search = search.slice(0, 200).toLowerCase();
  const limit = url.searchParams.get('limit');
  if (limit !== null) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw badRequest(`limit must be an integer from 1 to ${MAX_PAGE}`);
    q.limit = n;
  }
  const cont = url.searchParams.get('continue');
  if (cont) {
    let after: string;
    try { after = Buffer.from(cont, 'base64url').toString('utf8'); } catch { throw badRequest('invalid continue token'); }
    if (!after || after.length > 300) throw badRequest('invalid continue token');
    q.continue = after;
  }
  return q;
}

/**
 * One page of `items` (any order in, name order out) whose searchable texts contain the query. Items after the
 * continue token's name only, so pages stay consistent while the directory changes.
 */
export function page<T>(items: Iterable<T>, name: (t: T) => string, texts: (t: T) => Array<string | undefined>, q: PageQuery): Page<T> {
  let total = 0;
  const after: T[] = [];
  for (const it of items) {
    if (q.search && !texts(it).some((t) => t?.toLowerCase().includes(q.search!))) continue;
    total++;
    if (q.continue === undefined || name(it) > q.continue) after.push(it);
  }
  after.sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  if (q.limit === undefined || after.length <= q.limit) return { items: after, total };
  const out = after.slice(0, q.limit);
  return { items: out, continue: Buffer.from(name(out[out.length - 1])).toString('base64url'), total };
}
