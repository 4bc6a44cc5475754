// Strategies for rbac.authorization.k8s.io/v1: path-segment names, rule and roleRef validation, immutable roleRef.
import type { KObject } from '../../storage/interface.ts';
import type { StatusCause } from '../../errors.ts';
import { extendStrategy } from './default.ts';
import { pathSegmentName } from '../validation.ts';

function validateRules(obj: KObject, allowNonResource: boolean): StatusCause[] {
  const rules = obj.rules;
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules)) return [{ field: 'rules', message: 'must be a list' }];
  const causes: StatusCause[] = [];
  rules.forEach((r: Record<string, unknown>, i: number) => {
    const f = `rules[${i}]`;
    if (!Array.isArray(r?.verbs) || r.verbs.length === 0) causes.push({ field: `${f}.verbs`, message: 'Required value: verbs must contain at least one value', reason: 'FieldValueRequired' });
    const hasNonResource = Array.isArray(r?.nonResourceURLs) && r.nonResourceURLs.length > 0;
    const hasResources = Array.isArray(r?.resources) && r.resources.length > 0;
    if (hasNonResource) {
      if (!allowNonResource) causes.push({ field: `${f}.nonResourceURLs`, message: 'Invalid value: namespaced rules cannot apply to non-resource URLs' });
      if (hasResources || (Array.isArray(r.apiGroups) && r.apiGroups.length > 0)) causes.push({ field: `${f}.nonResourceURLs`, message: 'Invalid value: rules cannot apply to both regular resources and non-resource URLs' });
    } else if (!hasResources) {
      causes.push({ field: `${f}.resources`, message: 'Required value: resource rules must supply at least one resource', reason: 'FieldValueRequired' });
    } else if (!Array.isArray(r.apiGroups) || r.apiGroups.length === 0) {
      causes.push({ field: `${f}.apiGroups`, message: 'Required value: resource rules must supply at least one api group', reason: 'FieldValueRequired' });
    }
  });
  return causes;
}

function validateBinding(obj: KObject, cluster: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  const ref = obj.roleRef as Record<string, unknown> | undefined;
  if (!ref || typeof ref !== 'object') return [{ field: 'roleRef', message: 'Required value', reason: 'FieldValueRequired' }];
  if (ref.apiGroup !== 'rbac.authorization.k8s.io') causes.push({ field: 'roleRef.apiGroup', message: `Unsupported value: "${String(ref.apiGroup ?? '')}": supported values: "rbac.authorization.k8s.io"`, reason: 'FieldValueNotSupported' });
  const kinds = cluster ? ['ClusterRole'] : ['Role', 'ClusterRole'];
  if (!kinds.includes(String(ref.kind))) causes.push({ field: 'roleRef.kind', message: `Unsupported value: "${String(ref.kind ?? '')}": supported values: ${kinds.map((k) => `"${k}"`).join(', ')}`, reason: 'FieldValueNotSupported' });
  if (!ref.name) causes.push({ field: 'roleRef.name', message: 'Required value', reason: 'FieldValueRequired' });
  const subjects = obj.subjects;
  if (subjects !== undefined && subjects !== null) {
    if (!Array.isArray(subjects)) return [...causes, { field: 'subjects', message: 'must be a list' }];
    subjects.forEach((s: Record<string, unknown>, i: number) => {
      const f = `subjects[${i}]`;
      if (!s?.name) causes.push({ field: `${f}.name`, message: 'Required value', reason: 'FieldValueRequired' });
      if (!['User', 'Group', 'ServiceAccount'].includes(String(s?.kind))) causes.push({ field: `${f}.kind`, message: `Unsupported value: "${String(s?.kind ?? '')}": supported values: "ServiceAccount", "User", "Group"`, reason: 'FieldValueNotSupported' });
      if (s?.kind === 'ServiceAccount' && s.apiGroup) causes.push({ field: `${f}.apiGroup`, message: `Unsupported value: "${String(s.apiGroup)}": supported values: ""` });
      if ((s?.kind === 'User' || s?.kind === 'Group') && s.apiGroup !== 'rbac.authorization.k8s.io') causes.push({ field: `${f}.apiGroup`, message: `Unsupported value: "${String(s.apiGroup ?? '')}": supported values: "rbac.authorization.k8s.io"` });
      if (cluster && s?.kind === 'ServiceAccount' && !s.namespace) causes.push({ field: `${f}.namespace`, message: 'Required value', reason: 'FieldValueRequired' });
    });
  }
  return causes;
}

function roleRefImmutable(obj: KObject, old: KObject): StatusCause[] {
  return JSON.stringify(obj.roleRef) === JSON.stringify(old.roleRef) ? [] : [{ field: 'roleRef', message: 'Invalid value: cannot change roleRef' }];
}

export const roleStrategy = extendStrategy({ validate: (o) => validateRules(o, false), validateName: pathSegmentName });
export const clusterRoleStrategy = extendStrategy({ validate: (o) => validateRules(o, true), validateName: pathSegmentName });
export const roleBindingStrategy = extendStrategy({
  validate: (o) => validateBinding(o, false),
  validateUpdate: (o, old) => [...validateBinding(o, false), ...roleRefImmutable(o, old)],
  validateName: pathSegmentName,
});
export const clusterRoleBindingStrategy = extendStrategy({
  validate: (o) => validateBinding(o, true),
  validateUpdate: (o, old) => [...validateBinding(o, true), ...roleRefImmutable(o, old)],
  validateName: pathSegmentName,
});
