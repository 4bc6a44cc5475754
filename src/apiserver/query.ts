// THE parser of query parameters: every handler reads its options through here, decoded as the Go server decodes
// url.Values into ListOptions/CreateOptions/... (k8s.io/apimachinery runtime.Convert_Slice_string_To_*):
// booleans are false only for "0" or "false" in any case (anything else, even "", is true), integers are
// strconv.ParseInt(v, 10, 64) with Go's error text as a 400, and option validation answers 422 on the options kind.
import type { RequestContext } from './context.ts';
import { badRequest, invalid, type StatusCause } from './errors.ts';

export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions' | 'ListOptions';

/** Go's strconv.Quote for the values we echo (JSON's escaping agrees for printable input). */
const goQuote = (s: string): string => JSON.stringify(s);

/** runtime.Convert_Slice_string_To_bool: absent → undefined; "0" and "false" (any case) → false; else true. */
export function goQueryBool(value: string | null): boolean | undefined {
  if (value === null) return undefined;
  return !(value === '0' || value.toLowerCase() === 'false');
}

/** strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False; undefined for anything else. */
export function goParseBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** strconv.ParseInt(value, 10, 64), or a 400 with Go's error text. Returns a JS number (exact up to 2^53). */
export function goParseInt64(value: string): number {
  if (!/^[+-]?\d+$/.test(value)) throw badRequest(`strconv.ParseInt: parsing ${goQuote(value)}: invalid syntax`);
  const n = BigInt(value);
  if (n > INT64_MAX || n < INT64_MIN) throw badRequest(`strconv.ParseInt: parsing ${goQuote(value)}: value out of range`);
  return Number(n);
}

/** The first value of an integer parameter, or undefined when absent. */
export function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  return v === null ? undefined : goParseInt64(v);
}

/** The first value of a string parameter; absent and empty are the same (Go's zero value). */
export function queryString(q: URLSearchParams, name: string): string | undefined {
  const v = q.get(name);
  return v === null || v === '' ? undefined : v;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  watch: boolean;
  allowWatchBookmarks: boolean;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  /** Undefined when absent (or 0): the server's default applies. */
  timeoutSeconds?: number;
  limit?: number;
  continue?: string;
  sendInitialEvents?: boolean;
}

/** metav1.ListOptions from the query (list, watch and deletecollection). */
export function listOptions(q: URLSearchParams): ListOptions {
  const limit = queryInt(q, 'limit');
  const timeout = queryInt(q, 'timeoutSeconds');
  return {
    labelSelector: queryString(q, 'labelSelector'),
    fieldSelector: queryString(q, 'fieldSelector'),
    watch: goQueryBool(q.get('watch')) ?? false,
    allowWatchBookmarks: goQueryBool(q.get('allowWatchBookmarks')) ?? false,
    resourceVersion: queryString(q, 'resourceVersion'),
    resourceVersionMatch: queryString(q, 'resourceVersionMatch'),
    timeoutSeconds: timeout === 0 ? undefined : timeout,
    // A limit of 0 or less means "no limit", as in Kubernetes.
    limit: limit !== undefined && limit > 0 ? limit : undefined,
    continue: queryString(q, 'continue'),
    sendInitialEvents: goQueryBool(q.get('sendInitialEvents')),
  };
}

const FIELD_MANAGER_MAX = 128;

/** validation.ValidateDryRun: only "All" is supported. */
export function dryRunCauses(values: string[]): StatusCause[] {
  if (values.every((v) => v === 'All')) return [];
  return [{ field: 'dryRun', reason: 'FieldValueNotSupported',
    message: `Unsupported value: []string{${values.map(goQuote).join(', ')}}: supported values: "All"` }];
}

/** validation.ValidateFieldManager: at most 128 bytes, printable characters only. */
export function fieldManagerCauses(value: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (Buffer.byteLength(value) > FIELD_MANAGER_MAX) {
    causes.push({ field: 'fieldManager', reason: 'FieldValueTooLong', message: `Too long: may not be more than ${FIELD_MANAGER_MAX} bytes` });
  }
  [...value].forEach((ch, i) => {
    if (/[\p{C}\p{Z}]/u.test(ch) && ch !== ' ') {
      const cp = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      causes.push({ field: 'fieldManager', reason: 'FieldValueInvalid',
        message: `Invalid value: ${goQuote(value)}: invalid character U+${cp} (at position ${i})` });
    }
  });
  return causes;
}

/** Throws the 422 Kubernetes answers for invalid options (`CreateOptions.meta.k8s.io "" is invalid: ...`). */
export function checkOptions(kind: OptionsKind, causes: StatusCause[]): void {
  if (causes.length) throw invalid(kind, 'meta.k8s.io', '', causes);
}

export interface WriteOptions {
  dryRun: boolean;
  /** Undefined when absent or empty (the server then names the manager after the User-Agent). */
  fieldManager?: string;
  fieldValidation?: string;
  force: boolean;
}

/** Create/Update/PatchOptions from the query, validated as Kubernetes validates them. */
export function writeOptions(q: URLSearchParams, kind: OptionsKind): WriteOptions {
  const dryRun = q.getAll('dryRun');
  const fieldManager = queryString(q, 'fieldManager');
  checkOptions(kind, [...dryRunCauses(dryRun), ...fieldManagerCauses(fieldManager ?? '')]);
  return {
    dryRun: dryRun.length > 0,
    fieldManager,
    fieldValidation: q.get('fieldValidation') ?? undefined,
    force: goQueryBool(q.get('force')) ?? false,
  };
}

/** The options kind of a write request's method. */
export function optionsKindOf(method: string | undefined): OptionsKind {
  return method === 'POST' ? 'CreateOptions' : method === 'PUT' ? 'UpdateOptions' : method === 'DELETE' ? 'DeleteOptions' : 'PatchOptions';
}

/**
 * Whether to indent JSON responses: `pretty` parsed with strconv.ParseBool (invalid values are false), or, when it
 * is absent, a curl, Wget or browser User-Agent — as Kubernetes' isPrettyPrint. Cheap when the query names no `pretty`.
 */
export function wantsPretty(ctx: RequestContext): boolean {
  const raw = ctx.req.url ?? '';
  if (raw.includes('pretty')) {
    const v = ctx.url.searchParams.get('pretty');
    if (v !== null && v !== '') return goParseBool(v) ?? false;
  }
  const ua = ctx.req.headers['user-agent'];
  return typeof ua === 'string' && (ua.startsWith('curl') || ua.startsWith('Wget') || ua.startsWith('Mozilla/5.0'));
}
