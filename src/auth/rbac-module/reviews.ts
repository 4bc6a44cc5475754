// Review APIs as create-only virtual resources: Self/Local/SubjectAccessReview, SelfSubjectRulesReview,
// SelfSubjectReview (whoami) and TokenReview.
import type { RequestContext } from '../../apiserver/context.ts';
import { clusterFrom, userFrom } from '../../apiserver/context.ts';
import { badRequest, StatusError, invalid } from '../../apiserver/errors.ts';
import { defineType } from '../../apiserver/registry/builtins.ts';
import type { ResourceType, VirtualCreate } from '../../apiserver/registry/types.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import type { Runtime } from '../../apiserver/extension.ts';
import type { LazyRbac } from '../authz/rbac/index.ts';
import type { Attributes, UserInfo } from '../../apiserver/auth/types.ts';

interface ResourceAttributes { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string }
interface NonResourceAttributes { path?: string; verb?: string }
interface SarSpec { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes; user?: string; groups?: string[]; uid?: string; extra?: Record<string, string[]> }

function toAttributes(user: UserInfo, cluster: string, spec: SarSpec): Attributes {
  const r = spec.resourceAttributes;
  const n = spec.nonResourceAttributes;
  if (r && n) throw invalid('SubjectAccessReview', 'authorization.k8s.io', '', [{ field: 'spec', message: 'Invalid value: cannot specify both resourceAttributes and nonResourceAttributes' }]);
  if (!r && !n) throw invalid('SubjectAccessReview', 'authorization.k8s.io', '', [{ field: 'spec', message: 'Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
  if (n) return { user, cluster, verb: n.verb ?? '', isResourceRequest: false, path: n.path ?? '', apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  return {
    user, cluster, verb: r!.verb ?? '', isResourceRequest: true, path: '', apiGroup: r!.group ?? '', apiVersion: r!.version ?? '',
    resource: r!.resource ?? '', subresource: r!.subresource ?? '', namespace: r!.namespace ?? '', name: r!.name ?? '',
  };
}

function reply(body: KObject, status: Record<string, unknown>): KObject {
  return { ...body, metadata: { ...body.metadata, creationTimestamp: null }, status } as unknown as KObject;
}

export function reviewTypes(d: { index: LazyRbac; runtime: Runtime }): ResourceType[] {
  const access = (self: boolean, local: boolean): VirtualCreate => async (ctx: RequestContext, body: KObject, namespace: string) => {
    const spec = (body.spec ?? {}) as SarSpec;
    let user: UserInfo;
    if (self) user = userFrom(ctx);
    else {
      if (!spec.user && !(spec.groups ?? []).length) throw invalid(body.kind ?? 'SubjectAccessReview', 'authorization.k8s.io', '', [{ field: 'spec.user', message: 'Invalid value: at least one of user or group must be specified' }]);
      user = { username: spec.user ?? '', groups: spec.groups ?? [], uid: spec.uid, extra: spec.extra };
    }
    if (local && spec.resourceAttributes?.namespace !== namespace) {
      throw badRequest(`spec.resourceAttributes.namespace must match metadata.namespace: "${spec.resourceAttributes?.namespace ?? ''}" != "${namespace}"`);
    }
    const r = await d.runtime.authorize(toAttributes(user, clusterFrom(ctx), spec));
    const status: Record<string, unknown> = { allowed: r.decision === 'allow' };
    if (r.decision === 'deny' && !self) status.denied = true;
    if (r.reason) status.reason = r.reason;
    return reply(body, status);
  };
  const rules: VirtualCreate = async (ctx, body) => {
    const spec = (body.spec ?? {}) as { namespace?: string };
    const result = await d.index.rulesFor(clusterFrom(ctx), userFrom(ctx), spec.namespace ?? '');
    const resourceRules = result.rules.filter((x) => !x.nonResourceURLs?.length).map((x) => ({
      verbs: x.verbs, apiGroups: x.apiGroups ?? [], resources: x.resources ?? [], ...(x.resourceNames?.length ? { resourceNames: x.resourceNames } : {}),
    }));
    const nonResourceRules = result.rules.filter((x) => x.nonResourceURLs?.length).map((x) => ({ verbs: x.verbs, nonResourceURLs: x.nonResourceURLs }));
    return reply(body, {
      resourceRules, nonResourceRules, incomplete: result.incomplete,
      ...(result.evaluationErrors.length ? { evaluationError: result.evaluationErrors.join(', ') } : {}),
    });
  };
  const whoami: VirtualCreate = async (ctx, body) => {
    const u = userFrom(ctx);
    return reply(body, { userInfo: { username: u.username, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}) } });
  };
  const tokenReview: VirtualCreate = async (ctx, body) => {
    const spec = (body.spec ?? {}) as { token?: string; audiences?: string[] };
    if (!spec.token) throw invalid('TokenReview', 'authentication.k8s.io', '', [{ field: 'spec.token', message: 'Required value', reason: 'FieldValueRequired' }]);
    const fake = { headers: { authorization: `Bearer ${spec.token}` }, socket: {} } as unknown as RequestContext['req'];
    try {
      const r = await d.runtime.authenticate({ req: fake, cluster: clusterFrom(ctx) });
      return reply({ ...body, spec: { ...spec, token: undefined } } as KObject, { authenticated: true, user: r.user, audiences: spec.audiences ?? [] });
    } catch (e) {
      if (e instanceof StatusError && e.code === 401) return reply({ ...body, spec: { ...spec, token: undefined } } as KObject, { authenticated: false, error: e.message });
      throw e;
    }
  };
  const virtual = (group: string, resource: string, kind: string, create: VirtualCreate, cluster = true): ResourceType => ({
    ...defineType(group, 'v1', resource, kind, { cluster, verbs: ['create'] }), virtualCreate: create,
  });
  const AZ = 'authorization.k8s.io';
  const AN = 'authentication.k8s.io';
  return [
    virtual(AZ, 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', access(true, false)),
    virtual(AZ, 'subjectaccessreviews', 'SubjectAccessReview', access(false, false)),
    virtual(AZ, 'localsubjectaccessreviews', 'LocalSubjectAccessReview', access(false, true), false),
    virtual(AZ, 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', rules),
    virtual(AN, 'selfsubjectreviews', 'SelfSubjectReview', whoami),
    virtual(AN, 'tokenreviews', 'TokenReview', tokenReview),
  ];
}
