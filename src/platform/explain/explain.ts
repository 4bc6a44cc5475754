// Explain: why a user can or cannot make a request into a logical cluster, layer by layer as the server
// decides it: management access → role mapping → tenant RBAC (binding and role) → delegation → final.
import { type Attributes, type Authorizer, type Decision, type UserInfo, SYSTEM_AUTHENTICATED, SYSTEM_MASTERS } from '../../apiserver/auth/types.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import type { ResourceType } from '../../apiserver/registry/types.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { StatusError, badRequest } from '../../apiserver/errors.ts';
import { bindingName, teamGroup, type AccessIndex } from '../access/index.ts';
import type { DelegationAuthorizer, DelegationOutcome } from '../delegation/index.ts';
import type { PlatformState } from '../resources/index.ts';

export interface ExplainRequest {
  user: string;
  /** Default: a platform user's groups (spec.groups and team groups); always with system:authenticated. */
  groups?: string[];
  cluster: string;
  verb: string;
  /** Plural, singular, short name or kind; resolved with the cluster's discovery. */
  resource?: string;
  group?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** A non-resource request (e.g. /healthz) instead of a resource. */
  path?: string;
}

export type LayerName = 'management-access' | 'role-mapping' | 'tenant-rbac' | 'delegation';
export interface ExplainLayer {
  layer: LayerName;
  /** allow / deny / noopinion, or 'n/a' when the layer does not apply to this request. */
  decision: Decision | 'n/a';
  reason: string;
  /** False when an earlier layer already decided (shown for information). */
  reached: boolean;
  details?: Record<string, unknown>;
}

export interface ExplainResult {
  apiVersion: 'platform.portcullis.io/v1';
  kind: 'AccessExplanation';
  request: { user: UserInfo; cluster: string; tenant: boolean; verb: string; resource?: string; group?: string; subresource?: string; namespace?: string; name?: string; path?: string };
  layers: ExplainLayer[];
  decision: 'allow' | 'deny';
  decidedBy: LayerName | 'system:masters';
  reason: string;
}

export interface ExplainDeps {
  state: PlatformState;
  index: AccessIndex;
  delegation: DelegationAuthorizer;
  catalog: Catalog;
  /** The RBAC authorizer, read at call time. */
  rbac: () => Authorizer | undefined;
  clusterState(name: string): string | undefined;
  /** Does the ClusterRole exist in the cluster? */
  clusterRoleExists(cluster: string, name: string): Promise<boolean>;
}

/** Finds the served type a kubectl-style resource word names (plural, singular, short name or kind). */
export function resolveResource(types: readonly ResourceType[], word: string, group?: string): ResourceType | undefined {
  const w = word.toLowerCase();
  const candidates = types.filter((t) => group === undefined || t.group === group);
  for (const test of [(t: ResourceType) => t.resource === w, (t: ResourceType) => t.singular === w, (t: ResourceType) => t.shortNames.includes(w), (t: ResourceType) => t.kind.toLowerCase() === w]) {
    // kubectl prefers the core group, then the others in order.
    const hits = candidates.filter(test).sort((a, b) => (a.group === '' ? -1 : b.group === '' ? 1 : 0));
    if (hits.length) return hits[0];
  }
  return undefined;
}

export async function explain(d: ExplainDeps, req: ExplainRequest): Promise<ExplainResult> {
  if (!req.user || !req.cluster || !req.verb) throw badRequest('user, cluster and verb are required');
  if (!d.clusterState(req.cluster)) throw new StatusError(404, 'NotFound', `logical cluster "${req.cluster}" not found`);
  if (!req.path && !req.resource) throw badRequest('give a resource, or a path for a non-resource request');
  const platformUser = d.state.users.get(req.user);
  const groups = [...new Set([...(req.groups ?? (platformUser ? [...platformUser.groups, ...d.index.teamsOf(req.user).map(teamGroup)] : [])), SYSTEM_AUTHENTICATED])];
  const user: UserInfo = { username: req.user, groups };
  const attrs = toAttributes(d, req, user);
  const tenant = d.state.tenants.has(req.cluster);
  const master = groups.includes(SYSTEM_MASTERS);
  const layers: ExplainLayer[] = [];

  // 1. Management access (the clusterAccess filter).
  let doorDenied = false;
  if (!tenant) layers.push({ layer: 'management-access', decision: 'n/a', reached: true, reason: `"${req.cluster}" is not a tenant cluster` });
  else if (master) layers.push({ layer: 'management-access', decision: 'n/a', reached: true, reason: `member of "${SYSTEM_MASTERS}": not checked` });
  else if (!platformUser) layers.push({ layer: 'management-access', decision: 'n/a', reached: true, reason: `"${req.user}" is not a platform user: passes to the tenant's RBAC` });
  else {
    const reasons = await d.index.reasons(req.user, groups, req.cluster);
    doorDenied = reasons.length === 0;
    layers.push({
      layer: 'management-access', decision: doorDenied ? 'deny' : 'allow', reached: true, details: { reasons },
      reason: doorDenied ? `User "${req.user}" has no management access to tenant cluster "${req.cluster}" (not a global admin, project admin, owner, in an access rule, nor holding "use" on the tenant cluster)`
        : `management access: ${reasons.join(', ')}`,
    });
  }

  // 2. Role mapping (materialised as ClusterRoleBindings inside the tenant).
  layers.push(await roleMappingLayer(d, req.cluster, req.user, groups, tenant, !!platformUser, !doorDenied && !master));

  // 3. Tenant RBAC, 4. delegation (the authorizer union: system:masters, delegation, RBAC).
  const rbac = d.rbac();
  const r = rbac ? await rbac.authorize(attrs) : { decision: 'noopinion' as const, reason: 'no RBAC authorizer is configured' };
  const deleg: DelegationOutcome = await d.delegation.explain(attrs);
  const authzReached = !doorDenied && !master;
  const rbacDecides = !deleg.delegated;
  layers.push({
    layer: 'tenant-rbac', decision: r.decision === 'allow' ? 'allow' : 'deny', reached: authzReached && rbacDecides,
    reason: r.decision === 'allow' ? r.reason : (r.reason || `no RBAC binding in "${req.cluster}" grants this to User "${req.user}" or its groups`),
  });
  layers.push({
    layer: 'delegation', decision: deleg.delegated ? deleg.decision : 'n/a', reached: authzReached, reason: deleg.reason,
    details: { delegated: deleg.delegated, hostCluster: deleg.hostCluster, serviceAccount: deleg.serviceAccount, serviceAccountAllowed: deleg.serviceAccountAllowed, hostDecision: deleg.hostDecision, hostReason: deleg.hostReason },
  });

  const result = (decision: 'allow' | 'deny', decidedBy: ExplainResult['decidedBy'], reason: string): ExplainResult => ({
    apiVersion: 'platform.portcullis.io/v1', kind: 'AccessExplanation',
    request: { user, cluster: req.cluster, tenant, verb: attrs.verb, ...(attrs.isResourceRequest
      ? { resource: attrs.resource, group: attrs.apiGroup, subresource: attrs.subresource || undefined, namespace: attrs.namespace || undefined, name: attrs.name || undefined }
      : { path: attrs.path }) },
    layers, decision, decidedBy, reason,
  });
  if (master) return result('allow', 'system:masters', `allowed: member of group "${SYSTEM_MASTERS}"`);
  if (doorDenied) return result('deny', 'management-access', layers[0].reason);
  if (deleg.delegated) return result(deleg.decision === 'allow' ? 'allow' : 'deny', 'delegation', deleg.reason);
  return result(r.decision === 'allow' ? 'allow' : 'deny', 'tenant-rbac', layers.find((l) => l.layer === 'tenant-rbac')!.reason);
}

function toAttributes(d: ExplainDeps, req: ExplainRequest, user: UserInfo): Attributes {
  if (req.path) {
    if (!req.path.startsWith('/')) throw badRequest('path must start with "/"');
    return { user, cluster: req.cluster, verb: req.verb, isResourceRequest: false, path: req.path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  }
  const t = resolveResource(d.catalog.typesFor(req.cluster), req.resource!, req.group);
  return {
    user, cluster: req.cluster, verb: req.verb, isResourceRequest: true, path: '',
    apiGroup: t?.group ?? req.group ?? '', apiVersion: t?.version ?? '', resource: t?.resource ?? req.resource!.toLowerCase(),
    subresource: req.subresource ?? '', namespace: t && !t.namespaced ? '' : (req.namespace ?? ''), name: req.name ?? '',
  };
}

async function roleMappingLayer(d: ExplainDeps, cluster: string, user: string, groups: string[], tenant: boolean, platformUser: boolean, reached: boolean): Promise<ExplainLayer> {
  const na = (reason: string): ExplainLayer => ({ layer: 'role-mapping', decision: 'n/a', reached, reason });
  if (!tenant) return na('not a tenant cluster: no role mapping');
  if (!platformUser) return na(`"${user}" is not a platform user: no role mapping (the tenant's own bindings apply)`);
  const { roles, reasons } = await d.index.rolesOf(user, groups, cluster);
  if (!reasons.length) return na('no management access: no ClusterRoles are bound');
  const spec = d.index.effective(cluster)!;
  const matched: Array<{ rule: number; clusterRole: string; via: string }> = [];
  for (const [i, rule] of (spec.access?.rules ?? []).entries()) {
    const via = rule.users?.includes(user) ? `user "${user}"` : rule.teams?.filter((t) => d.state.teamMembers(t).has(user)).map((t) => `team "${t}"`).join(', ');
    if (via) matched.push({ rule: i + 1, clusterRole: rule.clusterRole, via });
  }
  const missing: string[] = [];
  for (const role of roles) if (!(await d.clusterRoleExists(cluster, role))) missing.push(role);
  const how = matched.length
    ? `matched access rule(s) ${matched.map((m) => `#${m.rule} (${m.via} → ${m.clusterRole})`).join(', ')}`
    : `matched no access rule: access.defaultClusterRole`;
  return {
    layer: 'role-mapping', decision: 'n/a', reached,
    reason: `${how}; ClusterRoles ${roles.map((r) => `"${r}"`).join(', ')} bound by ${roles.map((r) => `ClusterRoleBinding "${bindingName(user, r)}"`).join(', ')}` +
      (missing.length ? `; missing in the tenant: ${missing.map((m) => `ClusterRole "${m}"`).join(', ')}` : ''),
    details: { matchedRules: matched, roles, defaultUsed: matched.length === 0, missingRoles: missing },
  };
}

/** The explain API may be used by global admins and by whoever may create subjectaccessreviews in root. */
export function explainCaller(user: UserInfo): Attributes {
  return {
    user, cluster: ROOT_CLUSTER, verb: 'create', isResourceRequest: true, path: '', apiGroup: 'authorization.k8s.io', apiVersion: 'v1',
    resource: 'subjectaccessreviews', subresource: '', namespace: '', name: '',
  };
}
