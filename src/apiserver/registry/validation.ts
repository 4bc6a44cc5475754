// Name and metadata validation shared by strategies, with Kubernetes' wording.
import type { StatusCause } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Errors of a DNS-style name: too long, or not matching `pattern` (Kubernetes' messages). */
function dnsName(value: string, max: number, pattern: RegExp, message: string): string[] {
  const errs: string[] = [];
  if (value.length > max) errs.push(`must be no more than ${max} characters`);
  if (!pattern.test(value)) errs.push(message);
  return errs;
}

export const dns1123Label = (value: string): string[] => dnsName(value, 63, DNS1123_LABEL,
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");

export const dns1123Subdomain = (value: string): string[] => dnsName(value, 253, DNS1123_SUBDOMAIN,
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Service names: an RFC 1035 label (starts with a letter). */
export const dns1035Label = (value: string): string[] => dnsName(value, 63, DNS1035_LABEL,
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");

/** Path-segment names (RBAC objects may contain ':' as in system:masters). */
export function pathSegmentName(value: string): string[] {
  if (value === '.' || value === '..') return [`may not be '${value}'`];
  const errs: string[] = [];
  if (value.includes('/')) errs.push("may not contain '/'");
  if (value.includes('%')) errs.push("may not contain '%'");
  return errs;
}

function qualifiedName(key: string): string[] {
  const slash = key.lastIndexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const errs: string[] = [];
  if (slash >= 0 && (prefix === '' || dns1123Subdomain(prefix).length)) errs.push('prefix part must be a DNS-1123 subdomain');
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME_PART.test(name)) {
    errs.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc'), with at most 63 characters");
  }
  return errs;
}

/** Validates labels, annotations and finalizers of any object. */
export function validateObjectMeta(obj: KObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const labels = obj.metadata.labels ?? {};
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    causes.push({ field: 'metadata.labels', message: 'must be a map of strings' });
  } else {
    for (const [k, v] of Object.entries(labels)) {
      for (const m of qualifiedName(k)) causes.push({ field: 'metadata.labels', message: `Invalid value: "${k}": ${m}` });
      if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
        causes.push({ field: `metadata.labels`, message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` });
      }
    }
  }
  const annotations = obj.metadata.annotations ?? {};
  if (typeof annotations !== 'object' || Array.isArray(annotations)) {
    causes.push({ field: 'metadata.annotations', message: 'must be a map of strings' });
  } else {
    let total = 0;
    for (const [k, v] of Object.entries(annotations)) {
      for (const m of qualifiedName(k)) causes.push({ field: 'metadata.annotations', message: `Invalid value: "${k}": ${m}` });
      if (typeof v !== 'string') causes.push({ field: `metadata.annotations`, message: `Invalid value: annotation "${k}" must be a string` });
      total += k.length + String(v).length;
    }
    if (total > 256 * 1024) causes.push({ field: 'metadata.annotations', message: 'Too long: must have at most 262144 bytes' });
  }
  const fin = obj.metadata.finalizers;
  if (fin !== undefined && (!Array.isArray(fin) || fin.some((f) => typeof f !== 'string'))) {
    causes.push({ field: 'metadata.finalizers', message: 'must be a list of strings' });
  }
  return causes;
}
