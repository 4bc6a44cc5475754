// The access-key form's logic (seed 000's drawer): the scope picked under "Limit Access Key Scope", expiry and idle
// timeout, validated and turned into the AccessKey object the API creates. Pure, so it is unit-tested on its own.
import type { Scope } from './types.ts';

export interface ScopeSelection {
  projects: string[];
  tenantClusters: string[];
  namespaces: Array<{ cluster: string; namespace: string }>;
  hostClusters: string[];
}
export const emptySelection = (): ScopeSelection => ({ projects: [], tenantClusters: [], namespaces: [], hostClusters: [] });

export interface KeyForm {
  displayName: string;
  limitScope: boolean;
  scope: ScopeSelection;
  /** Go duration or '' for no expiry. */
  expiry: string;
  /** Go duration or '' for none. */
  idleTimeout: string;
}

export const EXPIRY_CHOICES = [
  { value: '24h', label: '1 day' }, { value: '168h', label: '7 days' }, { value: '720h', label: '30 days' },
  { value: '2160h', label: '90 days' }, { value: '', label: 'Never' },
];
export const IDLE_CHOICES = [
  { value: '', label: 'None' }, { value: '1h', label: '1 hour' }, { value: '24h', label: '1 day' }, { value: '168h', label: '7 days' },
];

const uniq = <T>(xs: T[], key: (x: T) => string = String): T[] => {
  const seen = new Set<string>();
  return xs.filter((x) => { const k = key(x); if (seen.has(k)) return false; seen.add(k); return true; });
};

/** The scope to send, or undefined when nothing limits the key. */
export function toScope(sel: ScopeSelection): Scope | undefined {
  const s: Scope = {};
  const projects = uniq(sel.projects.filter(Boolean));
  const clusters = uniq(sel.tenantClusters.filter(Boolean));
  const namespaces = uniq(sel.namespaces.filter((n) => n.cluster && n.namespace), (n) => `${n.cluster}/${n.namespace}`);
  const hosts = uniq(sel.hostClusters.filter(Boolean));
  if (projects.length) s.projects = projects;
  if (clusters.length) s.tenantClusters = clusters;
  if (namespaces.length) s.namespaces = namespaces;
  if (hosts.length) s.hostClusters = hosts;
  return Object.keys(s).length ? s : undefined;
}

export function describeScope(s: Scope | undefined): string {
  if (!s) return 'Everything the user can do';
  const parts: string[] = [];
  if (s.projects?.length) parts.push(`projects: ${s.projects.join(', ')}`);
  if (s.tenantClusters?.length) parts.push(`clusters: ${s.tenantClusters.join(', ')}`);
  if (s.namespaces?.length) parts.push(`namespaces: ${s.namespaces.map((n) => `${n.cluster}/${n.namespace}`).join(', ')}`);
  if (s.hostClusters?.length) parts.push(`host clusters: ${s.hostClusters.join(', ')}`);
  return parts.join('; ');
}

export type KeyFormResult = { ok: true; body: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/** Validates the form and builds the AccessKey for `user`. */
export function accessKeyObject(user: string, f: KeyForm): KeyFormResult {
  const errors: Record<string, string> = {};
  const displayName = f.displayName.trim();
  if (!displayName) errors.displayName = 'Enter a display name for this access key';
  else if (displayName.length > 253) errors.displayName = 'At most 253 characters';
  const half = f.scope.namespaces.find((n) => !n.cluster !== !n.namespace);
  if (f.limitScope && half) errors.namespaces = 'Pick both the cluster and the namespace';
  const scope = f.limitScope ? toScope(f.scope) : undefined;
  if (f.limitScope && !scope && !half) errors.scope = 'Pick at least one project, cluster, namespace or host cluster, or leave the scope unlimited';
  if (Object.keys(errors).length) return { ok: false, errors };
  const spec: Record<string, unknown> = { user, displayName };
  if (scope) spec.scope = scope;
  if (f.expiry) spec.ttl = f.expiry;
  if (f.idleTimeout) spec.idleTimeout = f.idleTimeout;
  return { ok: true, body: { apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: 'key-' }, spec } };
}
