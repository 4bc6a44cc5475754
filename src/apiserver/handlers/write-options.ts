// Options shared by the write handlers (dryRun, fieldManager, fieldValidation) and the decoding checks of a written
// object: JSON types and unknown fields (Strict refuses, Warn warns, Ignore drops; built-in kinds never keep them).
import type { RequestContext } from '../context.ts';
import { clusterFrom, infoFrom } from '../context.ts';
import { badRequest, invalid } from '../errors.ts';
import type { OpContext } from '../registry/store.ts';
import type { ResourceType } from '../registry/types.ts';
import type { KObject } from '../storage/interface.ts';
import { checkFieldValidation, findUnknownFields, parseFieldValidation, schemaForType, type FieldValidation } from '../schema/index.ts';
import { firstTypeError } from '../schema/builtin-check.ts';
import { optionsKindOf, writeOptions, type WriteOptions } from '../query.ts';

const parsed = new WeakMap<RequestContext, WriteOptions>();
/** The request's Create/Update/PatchOptions (parsed and validated once). */
export function requestWriteOptions(ctx: RequestContext): WriteOptions {
  let o = parsed.get(ctx);
  if (!o) { o = writeOptions(ctx.url.searchParams, optionsKindOf(ctx.req.method)); parsed.set(ctx, o); }
  return o;
}

/**
 * The store's view of a write. `dryRun` (from DeleteOptions bodies) overrides the query. With dryRun every stage
 * runs — decoding, defaulting, validation and the admission plugins (which see OpContext.dryRun) — and nothing is stored.
 */
export function opContext(ctx: RequestContext, overrides: { dryRun?: boolean } = {}): OpContext {
  const info = infoFrom(ctx);
  return {
    cluster: clusterFrom(ctx),
    user: ctx.user,
    dryRun: overrides.dryRun ?? requestWriteOptions(ctx).dryRun,
    fieldManager: fieldManager(ctx),
    subresource: info.subresource || undefined,
  };
}

/** The field manager: the fieldManager parameter, or the client's name from its User-Agent, as Kubernetes does. */
export function fieldManager(ctx: RequestContext): string {
  const explicit = ctx.req.method === 'DELETE' ? undefined : requestWriteOptions(ctx).fieldManager;
  if (explicit !== undefined) return explicit;
  const ua = String(ctx.req.headers['user-agent'] ?? 'unknown');
  return ua.split('/')[0].slice(0, 128) || 'unknown';
}

/**
 * Decodes `obj` as a `t`: a JSON type a built-in kind's Go type cannot hold is a 400 (422 for a patch result, as
 * Kubernetes reports it); then fieldValidation (Strict → 400 on unknown fields; Warn → warnings; Ignore). Unknown
 * fields of built-in kinds are removed from `obj` — nothing is stored that the schema does not define. Returns warnings.
 */
export function validateFields(ctx: RequestContext, t: ResourceType, obj: KObject, fallback?: FieldValidation): string[] {
  const raw = requestWriteOptions(ctx).fieldValidation;
  const mode = raw === undefined && fallback ? fallback : parseFieldValidation(raw, optionsKind(ctx.req.method));
  const schema = schemaForType(t);
  if (!schema) return [];
  if (!t.custom) {
    const typeError = firstTypeError(schema, t.kind, obj);
    if (typeError && ctx.req.method === 'PATCH' && fallback === undefined) {
      throw invalid('', '', '', [{ field: 'patch', message: `Invalid value: ${typeError}`, reason: 'FieldValueInvalid' }]);
    }
    if (typeError) throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: ${typeError}`);
  }
  const warnings = mode === 'Ignore' ? []
    : checkFieldValidation(mode, schema, obj, { kind: t.kind, version: t.version, sort: Boolean(t.custom) }).warnings;
  if (!t.custom) findUnknownFields(schema, obj, { prune: true });
  return warnings;
}

function optionsKind(method: string | undefined): 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' {
  return method === 'POST' ? 'CreateOptions' : method === 'PUT' ? 'UpdateOptions' : 'PatchOptions';
}
