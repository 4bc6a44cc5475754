// Field errors as k8s.io/apimachinery's field.Error: a type, a path, a bad value and a detail, rendered to
// StatusCauses with Kubernetes' exact wording ("Invalid value: \"x\": ...", "Required value", "Too many: 4: ...").
import type { StatusCause } from '../errors.ts';

export type FieldErrorType =
  | 'Required' | 'Invalid' | 'TypeInvalid' | 'NotSupported' | 'TooLong' | 'TooMany' | 'Forbidden' | 'Duplicate' | 'Internal';

export interface FieldError { type: FieldErrorType; field: string; value?: unknown; detail?: string }

const REASON: Record<FieldErrorType, string> = {
  Required: 'FieldValueRequired', Invalid: 'FieldValueInvalid', TypeInvalid: 'FieldValueTypeInvalid',
  NotSupported: 'FieldValueNotSupported', TooLong: 'FieldValueTooLong', TooMany: 'FieldValueTooMany',
  Forbidden: 'FieldValueForbidden', Duplicate: 'FieldValueDuplicate', Internal: 'InternalError',
};
const LABEL: Record<FieldErrorType, string> = {
  Required: 'Required value', Invalid: 'Invalid value', TypeInvalid: 'Invalid value', NotSupported: 'Unsupported value',
  TooLong: 'Too long', TooMany: 'Too many', Forbidden: 'Forbidden', Duplicate: 'Duplicate value', Internal: 'Internal error',
};
/** Types whose message carries no value (field.Error.ErrorBody). */
const NO_VALUE = new Set<FieldErrorType>(['Required', 'Forbidden', 'TooLong', 'Internal']);

export const fe = {
  required: (field: string, detail = ''): FieldError => ({ type: 'Required', field, detail }),
  invalid: (field: string, value: unknown, detail = ''): FieldError => ({ type: 'Invalid', field, value, detail }),
  typeInvalid: (field: string, value: unknown, detail = ''): FieldError => ({ type: 'TypeInvalid', field, value, detail }),
  notSupported: (field: string, value: unknown, supported: string[]): FieldError => ({
    type: 'NotSupported', field, value,
    detail: supported.length ? `supported values: ${supported.map((s) => goQuote(s)).join(', ')}` : '',
  }),
  tooLong: (field: string, max: number): FieldError => ({ type: 'TooLong', field, detail: `may not be longer than ${max}` }),
  tooMany: (field: string, actual: number, max: number): FieldError => ({ type: 'TooMany', field, value: actual, detail: `must have at most ${max} items` }),
  forbidden: (field: string, detail = ''): FieldError => ({ type: 'Forbidden', field, detail }),
  duplicate: (field: string, value: unknown): FieldError => ({ type: 'Duplicate', field, value }),
  internal: (field: string, detail: string): FieldError => ({ type: 'Internal', field, detail }),
};

/** field.Error.ErrorBody(): the message without the field path. */
export function errorBody(e: FieldError): string {
  let s = LABEL[e.type];
  if (!NO_VALUE.has(e.type)) s += `: ${goValue(e.value)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function toCause(e: FieldError): StatusCause {
  return { reason: REASON[e.type], message: errorBody(e), field: e.field };
}
export const toCauses = (errs: FieldError[]): StatusCause[] => errs.map(toCause);

/** The full "path: body" text of an error, as field.Error.Error(). */
export function errorText(e: FieldError): string {
  return e.field ? `${e.field}: ${errorBody(e)}` : errorBody(e);
}

/** Go's %q for a string (close enough: JSON escaping, which agrees on printable text). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** How field.Error prints a bad value: simple values with %v / %q, null as "null", structures as Go's %#v. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '"null"';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return goSyntax(v);
}

function goSyntax(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSyntax).join(', ')}}`;
  const entries = Object.keys(v as object).sort().map((k) => `${goQuote(k)}:${goSyntax((v as Record<string, unknown>)[k])}`);
  return `map[string]interface {}{${entries.join(', ')}}`;
}
