// Delegated authorization (seed 001 "Delegating Authorization"): requests into a tenant cluster for the
// resources / non-resource paths in its delegation config are decided by a SubjectAccessReview in its host
// cluster, sent as the tenant's host ServiceAccount; everything else gets no opinion (tenant RBAC decides).
import { type Attributes, type Authorizer, type AuthorizerResult, type Decision, SYSTEM_AUTHENTICATED } from '../../apiserver/auth/types.ts';
import { effectiveSpec } from '../access/index.ts';
import { memoSlot, type PlatformState } from '../resources/index.ts';
import type { ClusterHandle } from '../../apiserver/cluster-handle.ts';
import { effectiveDelegation, hostRbacPlan, type DelegationConfig } from '../host-rbac/index.ts';
import { InternTable } from '../../apiserver/intern.ts';

export type AuthorizeFn = (a: Attributes) => Promise<AuthorizerResult>;

interface Entry {
  config: DelegationConfig;
  hostCluster: string;
  hostNamespace: string;
  serviceAccountUser: string;
}

/** The detailed outcome, for explain. */
export interface DelegationOutcome {
  delegated: boolean;
  decision: Decision;
  reason: string;
  hostCluster?: string;
  serviceAccount?: string;
  /** Whether the host ServiceAccount may create SubjectAccessReviews in the host. */
  serviceAccountAllowed?: boolean;
  /** The host's decision on the user's attributes (when asked). */
  hostDecision?: Decision;
  hostReason?: string;
}

/** Does a delegation config cover these attributes? ('*' matches any group or resource; "nodes" covers its subresources.) */
export function applies(c: DelegationConfig, a: Pick<Attributes, 'isResourceRequest' | 'apiGroup' | 'resource' | 'subresource' | 'path'>): boolean {
  if (a.isResourceRequest) {
    const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    return c.resources.some((r) => (r.group === '*' || r.group === a.apiGroup) && (r.resource === '*' || r.resource === a.resource || r.resource === full));
  }
  return c.nonResourceURLs.some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
}

const MAX_DEPTH = 3;

const NO_OPINION: AuthorizerResult = Object.freeze({ decision: 'noopinion', reason: '' });

/** Per tenant record (kept on it: one lookup finds both): recomputed when the record or its template changes. */
const ENTRY = memoSlot<Entry, DelegationConfig>('delegation');
/** Equal configs shared: most tenants' is the default, read by every request as one object (bounded). */
const configs = new InternTable<DelegationConfig>(1024);
const shared = (c: DelegationConfig): DelegationConfig => configs.intern(JSON.stringify(c), c);

export class DelegationAuthorizer implements Authorizer {
  /** Attribute objects this authorizer sent to a host, with their nesting depth (guards host chains). */
  private readonly depth = new WeakMap<Attributes, number>();

  constructor(private readonly state: PlatformState, private readonly authorizeFn: () => AuthorizeFn) {}

  /** The tenant's effective delegation config and host identity (undefined: not a tenant cluster). */
  entry(tenant: string, h?: ClusterHandle): Entry | undefined {
    const rec = this.state.tenant(tenant, h);
    if (!rec) return undefined;
    const templates = this.state.templatesVersion;
    const hit = ENTRY.get(rec, templates);
    if (hit) return hit;
    const tpl = rec.spec.templateRef ? this.state.templates.get(rec.spec.templateRef.name) : undefined;
    const spec = effectiveSpec(rec.spec, tpl);
    const plan = hostRbacPlan(tenant, spec);
    const config = shared(effectiveDelegation(spec));
    return ENTRY.set(rec, templates, {
      config, hostCluster: plan.hostCluster, hostNamespace: plan.hostNamespace, serviceAccountUser: plan.serviceAccountUser,
    }, config);
  }

  /** Synchronous (no opinion) unless the request is delegated to a host cluster. */
  authorize(a: Attributes): AuthorizerResult | Promise<AuthorizerResult> {
    const rec = this.state.tenant(a.cluster, a.handle);
    if (rec === undefined) return NO_OPINION;
    // the config inline in the record when current (most requests are not delegated: nothing else is read)
    const config = ENTRY.hot(rec, this.state.templatesVersion);
    if (config !== undefined && !applies(config, a)) return NO_OPINION;
    const e = this.entry(a.cluster, a.handle)!;
    if (!applies(e.config, a)) return NO_OPINION;
    return this.decide(a, e).then((o) => ({ decision: o.decision, reason: o.reason }));
  }

  /** The full delegation outcome for attributes into a tenant (explain uses it; authorize() is the short form). */
  async explain(a: Attributes): Promise<DelegationOutcome> {
    const e = this.entry(a.cluster);
    if (!e) return { delegated: false, decision: 'noopinion', reason: `"${a.cluster}" is not a tenant cluster` };
    if (!applies(e.config, a)) {
      const what = a.isResourceRequest ? `resource "${a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource}"` : `path "${a.path}"`;
      return { delegated: false, decision: 'noopinion', reason: `${what} is not delegated (delegated: ${describeConfig(e.config)})`, hostCluster: e.hostCluster };
    }
    return this.decide(a, e);
  }

  private async decide(a: Attributes, e: Entry): Promise<DelegationOutcome> {
    const base = { delegated: true, hostCluster: e.hostCluster, serviceAccount: e.serviceAccountUser };
    const level = (this.depth.get(a) ?? 0) + 1;
    if (level > MAX_DEPTH) return { ...base, decision: 'deny', reason: `delegation to host cluster "${e.hostCluster}" nests too deeply` };
    const authorize = this.authorizeFn();
    try {
      const sa = this.ask({
        user: { username: e.serviceAccountUser, groups: ['system:serviceaccounts', `system:serviceaccounts:${e.hostNamespace}`, SYSTEM_AUTHENTICATED] },
        cluster: e.hostCluster, verb: 'create', isResourceRequest: true, path: '', apiGroup: 'authorization.k8s.io', apiVersion: 'v1',
        resource: 'subjectaccessreviews', subresource: '', namespace: '', name: '',
      }, level);
      const saResult = await authorize(sa);
      if (saResult.decision !== 'allow') {
        return {
          ...base, serviceAccountAllowed: false, decision: 'deny',
          reason: `delegated to host cluster "${e.hostCluster}": the tenant's host identity ${e.serviceAccountUser} may not create subjectaccessreviews there`,
        };
      }
      // the tenant's handle stays behind: the host is another cluster
      const { handle: _tenantHandle, ...attrs } = a;
      const host = await authorize(this.ask({ ...attrs, cluster: e.hostCluster }, level));
      const allowed = host.decision === 'allow';
      const hostReason = host.reason || (allowed ? '' : 'no RBAC rule allows it');
      return {
        ...base, serviceAccountAllowed: true, hostDecision: host.decision, hostReason, decision: allowed ? 'allow' : 'deny',
        reason: `delegated to host cluster "${e.hostCluster}": ${allowed ? 'allowed' : 'denied'} by the host${hostReason ? `: ${hostReason}` : ''}`,
      };
    } catch (err) {
      return { ...base, decision: 'deny', reason: `delegated to host cluster "${e.hostCluster}": the host review failed: ${(err as Error).message}` };
    }
  }

  private ask(a: Attributes, level: number): Attributes {
    this.depth.set(a, level);
    return a;
  }
}

export function describeConfig(c: DelegationConfig): string {
  const parts = [...c.resources.map((r) => (r.group ? `${r.resource}.${r.group}` : r.resource)), ...c.nonResourceURLs];
  return parts.length ? parts.join(', ') : 'nothing';
}
