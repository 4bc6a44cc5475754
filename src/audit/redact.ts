// Redaction of audit request/response objects: Secret data, tokens, passwords, keys and access-key
// material are replaced by "<redacted>" wherever they appear, in object bodies by field name and in JSON patches
// by the path each operation targets. Returns a copy; never mutates its input.
export const REDACTED = '<redacted>';

/** Fields whose value is always secret, wherever they appear. */
const SECRET_FIELDS = new Set(['token', 'password', 'passwordHash', 'privateKey', 'client-key-data', 'authorization', 'Authorization',
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
  const omit = o.omitManagedFields === true;
  if (Array.isArray(value) && value.length > 0 && value.every(isPatchOp)) return value.map((op) => redactPatchOp(op, secretsRequest, omit));
  return walk(value as Json, secretsRequest, omit, '');
}

type PatchOp = { op: string; path: string; value?: Json; [k: string]: unknown };

function isPatchOp(v: unknown): v is PatchOp {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as PatchOp).op === 'string' && typeof (v as PatchOp).path === 'string';
}

/** RFC 6901 reference tokens of a JSON pointer ("/spec/a~1b" → ["spec", "a/b"]). */
function pointerTokens(pointer: string): string[] {
  return pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * A JSON patch operation: its value is redacted whole when its path targets anything secret (a secret field at any
 * depth, spec/status token or key, any part of a Secret), embedded last-applied objects are redacted inside, and
 * other values are walked like bodies (a value for /spec may hold a password).
 */
function redactPatchOp(op: PatchOp, secretsRequest: boolean, omitManaged: boolean): unknown {
  if (!('value' in op)) return op;
  const tokens = pointerTokens(op.path);
  const secretPath = secretsRequest || tokens.some((t, i) => SECRET_FIELDS.has(t)
    || ((tokens[i - 1] === 'spec' || tokens[i - 1] === 'status') && SECRET_SPEC_STATUS_FIELDS.has(t)));
  if (secretPath) return { ...op, value: REDACTED };
  const last = tokens[tokens.length - 1] ?? '';
  if (last === LAST_APPLIED) return { ...op, value: redactEmbedded(op.value as Json, omitManaged) };
  if (tokens.length === 1 && last === 'metadata' && op.value !== null && typeof op.value === 'object' && !Array.isArray(op.value)) {
    return { ...op, value: redactMetadata(op.value, false, false, omitManaged) };
  }
  if (tokens.length === 2 && tokens[0] === 'metadata' && last === 'annotations') {
    const m = redactMetadata({ annotations: op.value ?? null }, false, false, omitManaged) as { annotations: Json };
    return { ...op, value: m.annotations };
  }
  return { ...op, value: walk(op.value ?? null, false, omitManaged, last) };
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
