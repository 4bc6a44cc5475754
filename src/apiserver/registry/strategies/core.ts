// Strategies for core/v1 kinds with behaviour beyond the default: namespaces, secrets, configmaps.
import type { KObject } from '../../storage/interface.ts';
import type { StatusCause } from '../../errors.ts';
import { extendStrategy } from './default.ts';
import { dns1123Label } from '../validation.ts';

export const NAMESPACE_FINALIZER = 'kubernetes';

export const namespaceStrategy = extendStrategy({
  prepareForCreate(obj) {
    obj.spec = { finalizers: [NAMESPACE_FINALIZER] };
    obj.status = { phase: 'Active' };
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name! };
  },
  prepareForUpdate(obj, old) {
    // spec.finalizers change only through the finalize subresource; status only through status.
    obj.spec = old.spec;
    obj.status = old.status;
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name! };
  },
  validateName: dns1123Label,
});

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

function validateDataKeys(field: string, data: unknown, base64: boolean): StatusCause[] {
  if (data === undefined || data === null) return [];
  if (typeof data !== 'object' || Array.isArray(data)) return [{ field, message: 'must be a map' }];
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (!DATA_KEY.test(k) || k.length > 253) {
      causes.push({ field: `${field}[${k}]`, message: `Invalid value: "${k}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'` });
    }
    if (typeof v !== 'string' || (base64 && (v.length % 4 !== 0 || !BASE64.test(v)))) {
      causes.push({ field: `${field}[${k}]`, message: base64 ? 'must be a base64-encoded string' : 'must be a string' });
    }
  }
  return causes;
}

function foldStringData(obj: KObject): void {
  const sd = obj.stringData as Record<string, string> | undefined;
  if (sd && typeof sd === 'object') {
    const data = (obj.data ?? {}) as Record<string, string>;
    for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(String(v)).toString('base64');
    obj.data = data;
  }
  delete obj.stringData;
}

export const secretStrategy = extendStrategy({
  prepareForCreate(obj) {
    if (!obj.type) obj.type = 'Opaque';
    foldStringData(obj);
  },
  prepareForUpdate(obj) {
    if (!obj.type) obj.type = 'Opaque';
    foldStringData(obj);
  },
  validate: (obj) => validateDataKeys('data', obj.data, true),
  validateUpdate: (obj, old) => {
    const causes = validateDataKeys('data', obj.data, true);
    if (obj.type !== old.type) causes.push({ field: 'type', message: 'field is immutable' });
    if (old.immutable === true && JSON.stringify(obj.data) !== JSON.stringify(old.data)) causes.push({ field: 'data', message: 'field is immutable when `immutable` is set' });
    return causes;
  },
});

export const configMapStrategy = extendStrategy({
  validate: (obj) => [...validateDataKeys('data', obj.data, false), ...validateDataKeys('binaryData', obj.binaryData, true)],
  validateUpdate: (obj, old) => {
    const causes = validateDataKeys('data', obj.data, false);
    if (old.immutable === true && JSON.stringify(obj.data) !== JSON.stringify(old.data)) causes.push({ field: 'data', message: 'field is immutable when `immutable` is set' });
    return causes;
  },
});
