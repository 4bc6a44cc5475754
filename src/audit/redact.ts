// Redaction of audit request/response objects: Secret data, tokens, passwords, keys and access-key
// material are replaced by "<redacted>" wherever they appear. Returns a copy; never mutates its input.
export const REDACTED = '<redacted>';

/** Fields whose value is always secret, wherever they appear. */
const SECRET_FIELDS = new Set(['token', 'password', 'privateKey', 'client-key-data', 'authorization', 'Authorization',
  'idToken', 'refreshToken', 'id_token', 'refresh_token', 'access_token', 'codeVerifier']);
/** Fields whose values are secret inside `status`/`spec` (TokenRequest, TokenReview, AccessKey). */
const SECRET_SPEC_STATUS_FIELDS = new Set(['token', 'key']);
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface RedactOptions {
  /** The request's resource: "secrets" makes the root (and patch values) secret even without a kind. */
  resource?: string;
  /** Drop metadata.managedFields (policy omitManagedFields). */
  omitManagedFields?: boolean;
}

export function redact(value: unknown, o: RedactOptions = {}): unknown {
  const secretsRequest = o.resource === 'secrets';
  if (secretsRequest && Array.isArray(value)) return value.map((op) => redactPatchOp(op));
  return walk(value as Json, secretsRequest, o.omitManagedFields === true, '');
}

/** JSON patch operations on a Secret: any value may be secret data. */
function redactPatchOp(op: unknown): unknown {
  if (op === null || typeof op !== 'object' || Array.isArray(op)) return op;
  const out: Record<string, unknown> = { ...(op as Record<string, unknown>) };
  if ('value' in out) out.value = REDACTED;
  return out;
}

/** `secretsRequest`: every object in a request about Secrets (lists, tables, patches) is a Secret. */
function walk(v: Json, secretsRequest: boolean, omitManaged: boolean, parentKey: string): Json {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => walk(x, secretsRequest, omitManaged, parentKey));
  const secret = secretsRequest || v.kind === 'Secret';
  const out: { [k: string]: Json } = {};
  for (const [k, child] of Object.entries(v)) {
    if (SECRET_FIELDS.has(k) || ((parentKey === 'status' || parentKey === 'spec') && SECRET_SPEC_STATUS_FIELDS.has(k))) {
      out[k] = REDACTED;
    } else if (secret && (k === 'data' || k === 'stringData') && child !== null && typeof child === 'object' && !Array.isArray(child)) {
      out[k] = Object.fromEntries(Object.keys(child).map((dk) => [dk, REDACTED]));
    } else if (secret && (k === 'data' || k === 'stringData')) {
      out[k] = REDACTED;
    } else if (k === 'metadata' && child !== null && typeof child === 'object' && !Array.isArray(child)) {
      out[k] = redactMetadata(child, secret, secretsRequest, omitManaged);
    } else {
      out[k] = walk(child, secretsRequest, omitManaged, k);
    }
  }
  return out;
}

/** The last-applied annotation holds an object as a JSON string: redact inside it (unparseable → redacted whole). */
function redactEmbedded(text: Json, omitManaged: boolean): Json {
  if (typeof text !== 'string') return REDACTED;
  try {
    return JSON.stringify(walk(JSON.parse(text) as Json, false, omitManaged, ''));
  } catch {
    return REDACTED;
  }
}

function redactMetadata(m: { [k: string]: Json }, secret: boolean, secretsRequest: boolean, omitManaged: boolean): Json {
  const out: { [k: string]: Json } = {};
  for (const [k, child] of Object.entries(m)) {
    if (k === 'managedFields' && omitManaged) continue;
    if (k === 'annotations' && child !== null && typeof child === 'object' && !Array.isArray(child) && LAST_APPLIED in child) {
      // kubectl apply stores the whole applied object in this annotation: a Secret's data, a User's password...
      out[k] = { ...child, [LAST_APPLIED]: secret ? REDACTED : redactEmbedded(child[LAST_APPLIED], omitManaged) };
    } else {
      out[k] = walk(child, secretsRequest, omitManaged, k);
    }
  }
  return out;
}
