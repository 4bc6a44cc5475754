// Query options shared by the write handlers: dryRun, fieldManager, fieldValidation.
import type { RequestContext } from '../context.ts';
import { clusterFrom, infoFrom } from '../context.ts';
import { badRequest } from '../errors.ts';
import type { OpContext } from '../registry/store.ts';
import type { ResourceType } from '../registry/types.ts';
import type { KObject } from '../storage/interface.ts';
import { checkFieldValidation, parseFieldValidation, schemaForType, type FieldValidation } from '../schema/index.ts';

export function opContext(ctx: RequestContext): OpContext {
  const q = ctx.url.searchParams;
  const dryRun = q.getAll('dryRun');
  for (const d of dryRun) if (d !== 'All') throw badRequest(`invalid dryRun "${d}": only "All" is supported`);
  const info = infoFrom(ctx);
  return {
    cluster: clusterFrom(ctx),
    user: ctx.user,
    dryRun: dryRun.length > 0,
    fieldManager: fieldManager(ctx),
    subresource: info.subresource || undefined,
    warnings: ctx.warnings,
    auditAnnotations: ctx.annotations,
  };
}

/** The field manager: the fieldManager parameter, or the client's name from its User-Agent, as Kubernetes does. */
export function fieldManager(ctx: RequestContext): string {
  const explicit = ctx.url.searchParams.get('fieldManager');
  if (explicit !== null) {
    if (explicit.length === 0 || explicit.length > 128) throw badRequest('fieldManager must be between 1 and 128 characters');
    return explicit;
  }
  const ua = String(ctx.req.headers['user-agent'] ?? 'unknown');
  return ua.split('/')[0].slice(0, 128) || 'unknown';
}

/** Applies fieldValidation (Strict → 400 on unknown fields; Warn → warnings; Ignore). Returns warnings. */
export function validateFields(ctx: RequestContext, t: ResourceType, obj: KObject, fallback?: FieldValidation): string[] {
  const raw = ctx.url.searchParams.get('fieldValidation');
  const mode = raw === null && fallback ? fallback : parseFieldValidation(raw, optionsKind(ctx.req.method));
  if (mode === 'Ignore') return [];
  const schema = schemaForType(t);
  if (!schema) return [];
  return checkFieldValidation(mode, schema, obj, { kind: t.kind, version: t.version, sort: Boolean(t.custom) }).warnings;
}

function optionsKind(method: string | undefined): 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' {
  return method === 'POST' ? 'CreateOptions' : method === 'PUT' ? 'UpdateOptions' : 'PatchOptions';
}
