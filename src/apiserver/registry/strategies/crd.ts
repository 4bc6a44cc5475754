// Strategy for apiextensions.k8s.io/v1 CustomResourceDefinitions: name = <plural>.<group>, versions, Established status.
import type { KObject } from '../../storage/interface.ts';
import type { StatusCause } from '../../errors.ts';
import { extendStrategy } from './default.ts';
import { dns1123Label, dns1123Subdomain } from '../validation.ts';
import { validateCrdVersions } from '../../crd/crd-validation.ts';

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: { plural?: string; singular?: string; kind?: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions?: Array<{ name?: string; served?: boolean; storage?: boolean }>;
}

function validateCrd(obj: KObject): StatusCause[] {
  const spec = (obj.spec ?? {}) as CrdSpec;
  const causes: StatusCause[] = [];
  const group = spec.group ?? '';
  if (!group) causes.push({ field: 'spec.group', message: 'Required value', reason: 'FieldValueRequired' });
  else if (!group.includes('.') || dns1123Subdomain(group).length) causes.push({ field: 'spec.group', message: `Invalid value: "${group}": should be a domain with at least one dot` });
  const plural = spec.names?.plural ?? '';
  if (!plural || dns1123Label(plural).length) causes.push({ field: 'spec.names.plural', message: `Invalid value: "${plural}": a lowercase RFC 1123 label is required` });
  if (!spec.names?.kind) causes.push({ field: 'spec.names.kind', message: 'Required value', reason: 'FieldValueRequired' });
  if (obj.metadata.name !== `${plural}.${group}`) causes.push({ field: 'metadata.name', message: `Invalid value: "${obj.metadata.name}": must be spec.names.plural+"."+spec.group` });
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') causes.push({ field: 'spec.scope', message: `Unsupported value: "${spec.scope ?? ''}": supported values: "Cluster", "Namespaced"` });
  const versions = spec.versions ?? [];
  if (versions.length === 0) causes.push({ field: 'spec.versions', message: 'Required value: must have exactly one version marked as storage version', reason: 'FieldValueRequired' });
  else if (versions.filter((v) => v.storage).length !== 1) causes.push({ field: 'spec.versions', message: 'Invalid value: must have exactly one version marked as storage version' });
  causes.push(...validateCrdVersions(obj.spec));
  return causes;
}

function setAccepted(obj: KObject): void {
  const spec = (obj.spec ?? {}) as CrdSpec;
  const names = spec.names ?? {};
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  obj.status = {
    acceptedNames: {
      plural: names.plural, singular: names.singular ?? names.kind?.toLowerCase(), kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`, ...(names.shortNames ? { shortNames: names.shortNames } : {}),
      ...(names.categories ? { categories: names.categories } : {}),
    },
    conditions: [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: now },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: now },
    ],
    storedVersions: (spec.versions ?? []).filter((v) => v.storage).map((v) => v.name),
  };
}

export const crdStrategy = extendStrategy({
  prepareForCreate: setAccepted,
  prepareForUpdate: (obj) => setAccepted(obj),
  validate: validateCrd,
  validateUpdate: (obj, old) => {
    const causes = validateCrd(obj);
    const a = (obj.spec ?? {}) as CrdSpec; const b = (old.spec ?? {}) as CrdSpec;
    if (a.group !== b.group) causes.push({ field: 'spec.group', message: 'field is immutable' });
    if (a.scope !== b.scope) causes.push({ field: 'spec.scope', message: 'field is immutable' });
    return causes;
  },
});
