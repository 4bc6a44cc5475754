// The default strategy: DNS-subdomain names, metadata validation, generation bumps on spec changes.
import type { Strategy } from '../types.ts';
import type { KObject } from '../../storage/interface.ts';
import { dns1123Subdomain, validateObjectMeta } from '../validation.ts';

function specOf(obj: KObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

export const defaultStrategy: Strategy = {
  prepareForCreate(obj) {
    obj.metadata.generation = 1;
  },
  prepareForUpdate(obj, old) {
    const gen = old.metadata.generation ?? 1;
    obj.metadata.generation = specOf(obj) === specOf(old) ? gen : gen + 1;
  },
  validate: validateObjectMeta,
  validateUpdate: (obj) => validateObjectMeta(obj),
  validateName: dns1123Subdomain,
};

/** A strategy that extends the default one. */
export function extendStrategy(over: Partial<Strategy>): Strategy {
  return {
    prepareForCreate(obj) { defaultStrategy.prepareForCreate!(obj); over.prepareForCreate?.(obj); },
    prepareForUpdate(obj, old) { defaultStrategy.prepareForUpdate!(obj, old); over.prepareForUpdate?.(obj, old); },
    validate: (obj) => [...validateObjectMeta(obj), ...(over.validate?.(obj) ?? [])],
    validateUpdate: (obj, old) => [...validateObjectMeta(obj), ...(over.validateUpdate?.(obj, old) ?? over.validate?.(obj) ?? [])],
    validateName: over.validateName ?? dns1123Subdomain,
    present: over.present,
  };
}
