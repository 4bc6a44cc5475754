// A small HTTP "browser" for login tests: a cookie jar (Secure and Path honoured, Max-Age=0 deletes), redirects
// followed across origins (the IdP, Portcullis, a CLI's loopback port), and HTML forms read and submitted.
import http from 'node:http';
import https from 'node:https';

export interface Page { url: string; status: number; headers: http.IncomingHttpHeaders; body: string }
interface Cookie { value: string; path: string; secure: boolean }

const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
  .replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x([0-9a-f]+);/gi,
    (_, h: string) => String.fromCharCode(parseInt(h, 16)));
const attrs = (tag: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) out[m[1].toLowerCase()] = decode(m[3] ?? m[4] ?? '');
  return out;
};

export interface Form { action: string; method: string; fields: Record<string, string> }

/** The forms of a page with their hidden and pre-filled fields (first option of each select). */
export function forms(page: Page): Form[] {
  const out: Form[] = [];
  for (const m of page.body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const a = attrs(m[1]);
    const fields: Record<string, string> = {};
    for (const i of m[2].matchAll(/<input\b([^>]*)>/gi)) {
      const ia = attrs(i[1]);
      if (ia.name && ia.type !== 'submit') fields[ia.name] = ia.value ?? '';
    }
    for (const s of m[2].matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
      const first = /<option\b([^>]*)>/i.exec(s[2]);
      const name = attrs(s[1]).name;
      if (name) fields[name] = first ? attrs(first[1]).value ?? '' : '';
    }
    out.push({ action: new URL(a.action ?? page.url, page.url).href, method: (a.method ?? 'get').toUpperCase(), fields });
  }
  return out;
}

export class TestBrowser {
  readonly jar = new Map<string, Map<string, Cookie>>();
  constructor(private readonly ca: string[]) {}

  cookies(origin: string): Map<string, Cookie> {
    let m = this.jar.get(origin);
    if (!m) { m = new Map(); this.jar.set(origin, m); }
    return m;
  }

  /** One request, no redirect following. */
  request(method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<Page> {
    const u = new URL(url);
    const jar = this.cookies(u.origin);
    const cookie = [...jar].filter(([,
      c]) => u.pathname.startsWith(c.path) && (!c.secure || u.protocol === 'https:')).map(([k, c]) => `${k}=${c.value}`).join('; ');
    const mod = u.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(u, {
        method, ...(u.protocol === 'https:' ? { ca: this.ca } : {}),
        headers: { ...(cookie ? { cookie } : {}),
          ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(Buffer.byteLength(body)) } : {}), ...headers },
      }, (res) => {
        for (const sc of res.headers['set-cookie'] ?? []) {
          const [kv, ...parts] = sc.split(';').map((s) => s.trim());
          const i = kv.indexOf('=');
          const p = Object.fromEntries(parts.map((x) => { const j = x.indexOf('='); return j < 0 ? [x.toLowerCase(),
            ''] : [x.slice(0, j).toLowerCase(), x.slice(j + 1)]; }));
          if (p['max-age'] === '0') jar.delete(kv.slice(0, i));
          else jar.set(kv.slice(0, i), { value: kv.slice(i + 1), path: p.path || '/', secure: 'secure' in p });
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ url, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Follows redirects (GET after 302/303) until a page answers. */
  async go(method: string, url: string, body?: string, headers?: Record<string, string>): Promise<Page> {
    let page = await this.request(method, url, body, headers);
    for (let hops = 0; page.status >= 300 && page.status < 400 && page.headers.location; hops++) {
      if (hops > 20) throw new Error(`too many redirects from ${url}`);
      const next = new URL(page.headers.location, page.url).href;
      page = await this.request('GET', next);
    }
    return page;
  }

  get(url: string): Promise<Page> { return this.go('GET', url); }

  /** Submits the page's form (the one whose action matches, or the first) with `values` filled in. */
  submit(page: Page, values: Record<string, string> = {}, action?: RegExp, headers?: Record<string, string>): Promise<Page> {
    const all = forms(page);
    const f = action ? all.find((x) => action.test(x.action)) : all[0];
    if (!f) throw new Error(`no form${action ? ` matching ${action}` : ''} on ${page.url}:\n${page.body.slice(0, 2000)}`);
    const body = new URLSearchParams({ ...f.fields, ...values }).toString();
    return f.method === 'POST' ? this.go('POST', f.action, body, headers) : this.go('GET', `${f.action}${f.action.includes('?') ? '&' : '?'}${body}`);
  }
}

/** Signs in on the test IdP's login form (after a redirect to it) and follows everything back. */
export async function signInAtIdp(b: TestBrowser, page: Page, login: string, password: string): Promise<Page> {
  if (!/Sign in/.test(page.body)) throw new Error(`expected the IdP's login form at ${page.url} (${page.status}):\n${page.body.slice(0, 1500)}`);
  return b.submit(page, { login, password }, /\/interaction\//);
}
