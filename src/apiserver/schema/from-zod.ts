// OpenAPI v3 schemas (as kubectl explain and client-side validation read them) for kinds whose spec is
// validated by a zod schema: the zod schema's own descriptions, types and limits, in structural form.
import { z } from 'zod';
import type { Schema } from './schema-types.ts';

/** JSON-schema keywords OpenAPI v3 (as Kubernetes publishes it) has no use for. */
const DROP = new Set(['$schema', 'additionalProperties', 'id', '$id']);
const SAFE_INT = 9007199254740991;

function clean(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(clean);
  if (!s || typeof s !== 'object') return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s as Record<string, unknown>)) {
    if (DROP.has(k)) continue;
    // zod states ±2^53-1 for every integer; Kubernetes schemas leave unbounded integers unbounded.
    if ((k === 'minimum' || k === 'maximum') && Math.abs(v as number) === SAFE_INT) continue;
    out[k] = clean(v);
  }
  // A free-form object (z.record / z.any inside an object) keeps its fields, as in Kubernetes.
  if (out.type === 'object' && !out.properties && (s as Record<string, unknown>).additionalProperties !== false) {
    const ap = (s as Record<string, unknown>).additionalProperties;
    if (ap && typeof ap === 'object') out.additionalProperties = clean(ap);
    else out['x-kubernetes-preserve-unknown-fields'] = true;
  }
  return out;
}

/** The OpenAPI v3 form of one zod schema (input shape: what clients send). */
export function openAPIFromZod(schema: z.ZodType): Schema {
  const json = z.toJSONSchema(schema, { io: 'input', reused: 'inline', unrepresentable: 'any', target: 'openapi-3.0' });
  return clean(json) as Schema;
}

export interface KindSchemaParts {
  /** What the kind is, shown by `kubectl explain <kind>`. */
  description: string;
  spec?: z.ZodType;
  /** The status clients read; free-form when absent. */
  status?: z.ZodType;
  /** Top-level fields other than spec/status (e.g. a Secret-like `data`). */
  extra?: Record<string, Schema>;
}

/**
 * The whole object schema of a kind: apiVersion, kind and metadata are added by the catalog
 * (customResourceSchema), so this returns the object with spec/status and the kind's description.
 */
export function kindSchema(p: KindSchemaParts): Record<string, unknown> {
  const properties: Record<string, Schema> = { ...(p.extra ?? {}) };
  if (p.spec) {
    properties.spec = openAPIFromZod(p.spec);
    properties.spec.description ??= 'The desired state.';
  }
  const status = p.status
    ? openAPIFromZod(p.status)
    : { type: 'object' as const, 'x-kubernetes-preserve-unknown-fields': true };
  status.description ??= 'The observed state, written by the server.';
  // Clients never send status: nothing in it is required of them.
  delete status.required;
  properties.status = status;
  return { type: 'object', description: p.description, properties };
}
