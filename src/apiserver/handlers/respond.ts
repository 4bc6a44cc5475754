// Writes successful responses: JSON objects, lists, or meta.k8s.io Tables when the client asks for them.
import type { RequestContext } from '../context.ts';
import { badRequest, notAcceptable } from '../errors.ts';
import { wantsPretty } from '../query.ts';
import type { KObject } from '../storage/interface.ts';
import { groupVersion, type ResourceType } from '../registry/types.ts';

export type Representation = 'json' | 'table';

/** The client-facing form of a stored object (the type's strategy may hide fields). */
export function present<T extends Readonly<KObject>>(t: ResourceType, obj: T): T {
  const viewed = t.versionView && obj.apiVersion !== groupVersion(t) ? t.versionView.toServed(obj as KObject) as T : obj;
  return t.strategy.present ? (t.strategy.present(viewed) as T) : viewed;
}
export type IncludeObject = 'Object' | 'Metadata' | 'None';

/** What representation the Accept header asks for. */
export function negotiate(ctx: RequestContext): { as: Representation; includeObject: IncludeObject } {
  const accept = String(ctx.req.headers.accept ?? '');
  const includeObject = includeObjectOf(ctx);
  if (!accept || accept === '*/*') return { as: 'json', includeObject };
  let jsonOk = false;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().split(';').map((s) => s.trim());
    const p = Object.fromEntries(params.map((kv) => kv.split('=') as [string, string]));
    if (type === 'application/json' || type === '*/*' || type === 'application/*') {
      if (p.as === 'Table' && p.g === 'meta.k8s.io') return { as: 'table', includeObject };
      if (!p.as) jsonOk = true;
      if (jsonOk) return { as: 'json', includeObject };
    }
    if (type === 'application/yaml') jsonOk = true;
  }
  if (jsonOk) return { as: 'json', includeObject };
  throw notAcceptable(`only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io (got "${accept}")`);
}

/** The includeObject parameter of Table requests (Metadata by default); other values are a 400, as in Kubernetes. */
function includeObjectOf(ctx: RequestContext): IncludeObject {
  if (!(ctx.req.url ?? '').includes('includeObject')) return 'Metadata';
  const v = ctx.url.searchParams.get('includeObject');
  if (v === null || v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(`unrecognized includeObject value: ${JSON.stringify(v)}`);
}

/**
 * JSON of an object. Objects shared with the watch cache are deep-frozen, so their serialisation can be kept
 * beside them (a WeakMap: it goes when the object is replaced) — lists and gets then copy strings instead of
 * re-encoding every object on every request.
 */
const serialised = new WeakMap<object, string>();
export function toJson(obj: object): string {
  if (!Object.isFrozen(obj)) return JSON.stringify(obj);
  let s = serialised.get(obj);
  if (s === undefined) { s = JSON.stringify(obj); serialised.set(obj, s); }
  return s;
}

export function writeJson(ctx: RequestContext, code: number, body: unknown, headers?: Record<string, string | string[]>): void {
  const text = wantsPretty(ctx) ? `${JSON.stringify(body, null, 2)}\n`
    : typeof body === 'object' && body !== null ? toJson(body) : JSON.stringify(body);
  writeRaw(ctx, code, text, 'application/json', headers);
}

/**
 * Writes pre-serialised JSON (hot paths serialise once). The body stays a string: Node then sends headers and
 * body as one string write, cheaper than a two-buffer writev.
 */
export function writeRaw(ctx: RequestContext, code: number, text: string, contentType = 'application/json', headers?: Record<string, string | string[]>): void {
  const length = Buffer.byteLength(text);
  ctx.responseCode = code;
  ctx.res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': length, ...headers });
  ctx.res.end(text);
}

/** Warning headers in Kubernetes' format (299 - "text"). */
export function warningHeaders(warnings: string[]): Record<string, string[]> {
  if (warnings.length === 0) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) };
}
