// Explain: why a user can or cannot make a request into a logical cluster, step by step as the server decides it.
// The steps and their verdicts come from the decision order the chain runs (apiserver/auth/decision-order.ts);
// explain adds what each means on the platform (role mapping, delegation details, a default RBAC reason).
import {
  type Attributes, type CredentialRestrictions, type Decision, type UserInfo, SYSTEM_AUTHENTICATED, SYSTEM_MASTERS,
} from '../../apiserver/auth/types.ts';
import {
  walkDecision, type AuthorizerSlots, type GateSlots, type StepName, type StepOutcome,
} from '../../apiserver/auth/decision-order.ts';
import type { RequestInfo } from '../../apiserver/context.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import type { ResourceType } from '../../apiserver/registry/types.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { badRequest, notFoundMessage } from '../../apiserver/errors.ts';
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
  /** The request impersonates (Impersonate-User / -Group headers). */
  impersonate?: { user: string; groups?: string[] };
  /** The request is made with this credential (its restrictions apply), e.g. "accesskey:<name>". */
  credential?: string;
}

export type LayerName = 'impersonation' | 'management-access' | 'role-mapping' | 'credential-scope' | 'system:masters'
  | 'delegation' | 'tenant-rbac';
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
  request: {
    user: UserInfo; cluster: string; tenant: boolean; verb: string; resource?: string; group?: string;
    subresource?: string; namespace?: string; name?: string; path?: string; impersonatedUser?: UserInfo;
    credential?: string;
  };
  layers: ExplainLayer[];
  decision: 'allow' | 'deny';
  decidedBy: LayerName;
  reason: string;
}

export interface ExplainDeps {
  state: PlatformState;
  index: AccessIndex;
  delegation: DelegationAuthorizer;
  catalog: Catalog;
  /** The server's decision steps, read at call time (the same the chain runs). */
  gates: () => GateSlots;
  authorizers: () => AuthorizerSlots;
  clusterState(name: string): string | undefined;
  /** Does the ClusterRole exist in the cluster? */
  clusterRoleExists(cluster: string, name: string): Promise<boolean>;
  /** The platform-managed ClusterRoleBindings in the cluster naming `user`: binding name → its ClusterRole. */
  managedBindingsOf(cluster: string, user: string): Promise<Map<string, string>>;
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

const LAYER: Record<StepName, LayerName> = {
  'impersonation': 'impersonation', 'management-access': 'management-access', 'credential-scope': 'credential-scope',
  'system:masters': 'system:masters', 'delegation': 'delegation', 'rbac': 'tenant-rbac',
};

export async function explain(d: ExplainDeps, req: ExplainRequest): Promise<ExplainResult> {
  if (!req.user || !req.cluster || !req.verb) throw badRequest('user, cluster and verb are required');
  if (!d.clusterState(req.cluster)) throw notFoundMessage(`logical cluster "${req.cluster}" not found`);
  if (!req.path && !req.resource) throw badRequest('give a resource, or a path for a non-resource request');
  const groupsOf = (name: string): string[] => {
    const p = d.state.users.get(name);
    return p ? [...p.groups, ...d.index.teamsOf(name).map(teamGroup)] : [];
  };
  const groups = [...new Set([...(req.groups ?? groupsOf(req.user)), SYSTEM_AUTHENTICATED])];
  const user: UserInfo = { username: req.user, groups };
  const attrsFor = toAttributes(d, req);
  const attrs = attrsFor(user);
  const tenant = d.state.tenants.has(req.cluster);
  const gates = d.gates();
  const walk = await walkDecision(gates, d.authorizers(), {
    cluster: req.cluster, info: requestInfo(attrs), user, restrictions: restrictionsOf(gates, req.credential),
    rawHeaders: impersonationHeaders(req.impersonate),
  }, attrsFor);
  const effective = walk.user;
  const platformUser = d.state.users.has(effective.username);
  const master = effective.groups.includes(SYSTEM_MASTERS);
  const deleg: DelegationOutcome = await d.delegation.explain(attrsFor(effective));
  const layers: ExplainLayer[] = [];
  for (const s of walk.steps) {
    layers.push(layerOf(s, req.cluster, effective.username, deleg));
    if (s.step !== 'management-access') continue;
    // Role mapping (materialised as ClusterRoleBindings inside the tenant) explains what the door let in.
    const reached = s.reached && s.verdict !== 'deny' && !master;
    const { username, groups: effectiveGroups } = effective;
    layers.push(await roleMappingLayer(d, req.cluster, username, effectiveGroups, tenant, platformUser, reached));
  }
  const decidedBy = LAYER[walk.decidedBy];
  const reason = decidedBy === 'tenant-rbac' || decidedBy === 'delegation'
    ? layers.find((l) => l.layer === decidedBy)!.reason : walk.reason;
  const target = attrs.isResourceRequest
    ? { resource: attrs.resource, group: attrs.apiGroup, subresource: attrs.subresource || undefined,
      namespace: attrs.namespace || undefined, name: attrs.name || undefined }
    : { path: attrs.path };
  return {
    apiVersion: 'platform.portcullis.io/v1', kind: 'AccessExplanation',
    request: {
      user, cluster: req.cluster, tenant, verb: attrs.verb, ...target,
      ...(req.impersonate ? { impersonatedUser: effective } : {}),
      ...(req.credential ? { credential: req.credential } : {}),
    },
    layers, decision: walk.decision, decidedBy, reason,
  };
}

function layerOf(s: StepOutcome, cluster: string, username: string, deleg: DelegationOutcome): ExplainLayer {
  const layer = LAYER[s.step];
  const decision = s.verdict === 'pass' ? 'n/a' : s.verdict;
  switch (layer) {
    case 'system:masters':
      return { layer, decision, reached: s.reached, reason: s.reason || `not a member of "${SYSTEM_MASTERS}"` };
    case 'delegation':
      return {
        layer, decision, reached: s.reached, reason: deleg.reason,
        details: {
          delegated: deleg.delegated, hostCluster: deleg.hostCluster, serviceAccount: deleg.serviceAccount,
          serviceAccountAllowed: deleg.serviceAccountAllowed, hostDecision: deleg.hostDecision,
          hostReason: deleg.hostReason,
        },
      };
    case 'tenant-rbac':
      return {
        layer, decision: s.verdict === 'allow' ? 'allow' : 'deny', reached: s.reached,
        reason: s.verdict === 'allow' ? s.reason
          : (s.reason || `no RBAC binding in "${cluster}" grants this to User "${username}" or its groups`),
      };
    default:
      return { layer, decision, reached: s.reached, reason: s.reason, ...(s.details ? { details: s.details } : {}) };
  }
}

/** The restrictions of the credential the request names (asked of the gates), none without one. */
function restrictionsOf(gates: GateSlots, credential: string | undefined): CredentialRestrictions {
  if (credential === undefined) return {};
  for (const g of Object.values(gates)) {
    const r = g?.restrictionsOf?.(credential);
    if (r) return r;
  }
  throw badRequest(`credential "${credential}" is not known (name an access key as "accesskey:<name>")`);
}

/** The Impersonate-* headers a request impersonating `imp` carries, name and value alternating. */
function impersonationHeaders(imp: ExplainRequest['impersonate']): string[] {
  if (!imp) return [];
  return ['Impersonate-User', imp.user, ...(imp.groups ?? []).flatMap((g) => ['Impersonate-Group', g])];
}

function requestInfo(a: Attributes): RequestInfo {
  return {
    isResourceRequest: a.isResourceRequest, path: a.path, verb: a.verb,
    apiPrefix: a.isResourceRequest ? (a.apiGroup ? 'apis' : 'api') : '', apiGroup: a.apiGroup, apiVersion: a.apiVersion,
    namespace: a.namespace, resource: a.resource, subresource: a.subresource, name: a.name, parts: [],
  };
}

function toAttributes(d: ExplainDeps, req: ExplainRequest): (user: UserInfo) => Attributes {
  if (req.path) {
    if (!req.path.startsWith('/')) throw badRequest('path must start with "/"');
    return (user) => ({
      user, cluster: req.cluster, verb: req.verb, isResourceRequest: false, path: req.path!,
      apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '',
    });
  }
  const t = resolveResource(d.catalog.typesFor(req.cluster), req.resource!, req.group);
  return (user) => ({
    user, cluster: req.cluster, verb: req.verb, isResourceRequest: true, path: '',
    apiGroup: t?.group ?? req.group ?? '', apiVersion: t?.version ?? '', resource: t?.resource ?? req.resource!.toLowerCase(),
    subresource: req.subresource ?? '', namespace: t && !t.namespaced ? '' : (req.namespace ?? ''), name: req.name ?? '',
  });
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
  // the bindings as stored (a role held by many users is bound in parts); one not written yet by its computed name
  const held = await d.managedBindingsOf(cluster, user);
  const boundBy = (role: string) => {
    const names = [...held].filter(([, r]) => r === role).map(([n]) => n);
    return (names.length ? names : [bindingName(role)]).map((n) => `ClusterRoleBinding "${n}"`).join(', ');
  };
  const how = matched.length
    ? `matched access rule(s) ${matched.map((m) => `#${m.rule} (${m.via} → ${m.clusterRole})`).join(', ')}`
    : `matched no access rule: access.defaultClusterRole`;
  return {
    layer: 'role-mapping', decision: 'n/a', reached,
    reason: `${how}; ClusterRoles ${roles.map((r) => `"${r}"`).join(', ')} bound by ${roles.map(boundBy).join(', ')}` +
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
