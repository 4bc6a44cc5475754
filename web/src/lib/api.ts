// The console's only way to the server: same-origin fetch to the platform REST (/platform/v1) and the Kubernetes
// API, authenticated by the HttpOnly session cookie, with the CSRF token echoed in a header on every call.
export const CSRF_COOKIE = '__Host-portcullis-csrf';

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly reason?: string) { super(message); }
}

/** The CSRF token the server set beside the session cookie (readable by design; useless to other sites). */
export function csrfToken(): string {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === CSRF_COOKIE) return v.join('=');
  }
  return '';
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
/** Called when any call answers 401 (session expired, revoked, or signed out elsewhere). */
export function onUnauthorized(f: Listener): () => void {
  unauthorizedListeners.add(f);
  return () => unauthorizedListeners.delete(f);
}

export interface RequestOptions { contentType?: string; signal?: AbortSignal }

export async function api<T = unknown>(method: string, path: string, body?: unknown, o: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'X-CSRF-Token': csrfToken() };
  if (body !== undefined) headers['Content-Type'] = o.contentType ?? 'application/json';
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin', signal: o.signal,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data: unknown;
  try { data = text ? JSON.parse(text) : undefined; } catch { data = text; }
  if (!res.ok) {
    const st = data as { message?: string; reason?: string } | undefined;
    if (res.status === 401) for (const f of unauthorizedListeners) f();
    throw new ApiError(res.status, st?.message ?? `${res.status} ${res.statusText}`, st?.reason);
  }
  return data as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, { signal });
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});

/** A query string from the defined values. */
export function qs(params: Record<string, string | number | boolean | undefined>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') sp.set(k, String(v));
  const s = sp.toString();
  return s ? `?${s}` : '';
}

export const MGMT = '/apis/management.portcullis.io/v1';
/** A merge patch of a platform object through the Kubernetes API. */
export const mergePatch = <T>(path: string, patch: unknown) => api<T>('PATCH', path, patch, { contentType: 'application/merge-patch+json' });
