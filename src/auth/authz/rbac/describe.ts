// Kubernetes-exact text: Go %q quoting, binding/subject descriptions used in RBAC reasons,
// role-resolution errors and the aggregate error form "RBAC: [a, b]".
import type { RoleRef, Subject } from './types.ts';

/** strconv.Quote as used by Go's %q for strings (printable ASCII fast path; JSON escaping otherwise). */
export function goQuote(s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 34 || c === 92) { plain = false; break; }
  }
  if (plain) return '"' + s + '"';
  if (/^[\x20-\x7e]*$/.test(s)) return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, (_m, h: string) => '\\x' + h);
}

/** Go's %q of a []string: ["a" "b"]. */
export function goQuoteList(list: readonly string[]): string {
  return '[' + list.map(goQuote).join(' ') + ']';
}

/** rbac.go describeSubject. */
export function describeSubject(kind: string, name: string, namespace: string, bindingNamespace: string): string {
  if (kind === 'ServiceAccount') return `${kind} ${goQuote(name + '/' + (namespace || bindingNamespace))}`;
  return `${kind} ${goQuote(name)}`;
}

export function describeSubjectObject(s: Subject, bindingNamespace: string): string {
  return describeSubject(s.kind, s.name, s.namespace ?? '', bindingNamespace);
}

/** `ClusterRoleBinding "x" of ClusterRole "y" to User "z"` / `RoleBinding "x/ns" of Role "y" to Group "g"`. */
export function describeBinding(bindingName: string, bindingNamespace: string, roleKind: string, roleName: string, subject: string): string {
  if (bindingNamespace === '') return `ClusterRoleBinding ${goQuote(bindingName)} of ${roleKind} ${goQuote(roleName)} to ${subject}`;
  return `RoleBinding ${goQuote(bindingName + '/' + bindingNamespace)} of ${roleKind} ${goQuote(roleName)} to ${subject}`;
}

export function allowedReason(description: string): string {
  return 'RBAC: allowed by ' + description;
}

/** The error GetRoleReferenceRules returns when the referenced role cannot be used. */
export function roleRefError(ref: Pick<RoleRef, 'kind' | 'name'>): string {
  if (ref.kind === 'Role') return `role.${'rbac.authorization.k8s.io'} ${goQuote(ref.name)} not found`;
  if (ref.kind === 'ClusterRole') return `clusterrole.${'rbac.authorization.k8s.io'} ${goQuote(ref.name)} not found`;
  return `unsupported role reference kind: ${goQuote(ref.kind)}`;
}

/** utilerrors.NewAggregate(errs).Error(): de-duplicated, one message bare, several as "[a, b]". */
export function aggregateErrors(errs: readonly string[]): string {
  const uniq = [...new Set(errs)];
  if (uniq.length === 0) return '';
  if (uniq.length === 1) return uniq[0]!;
  return '[' + uniq.join(', ') + ']';
}

/** Reason of a NoOpinion decision: empty when nothing failed to resolve, as in Kubernetes. */
export function deniedReason(errs: readonly string[]): string {
  return errs.length === 0 ? '' : 'RBAC: ' + aggregateErrors(errs);
}
