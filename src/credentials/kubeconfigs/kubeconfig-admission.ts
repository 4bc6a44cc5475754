// Kubeconfig admission: the certificate validity stays within the target project's credentialPolicy; whoever writes a
// Kubeconfig must be allowed to impersonate its username and every group (no minting of stronger identities), and to
// make its ClusterRoleBindings directly (RBAC escalation prevention, for the requester, in the named cluster).
import type { Admission } from '../../apiserver/registry/store.ts';
import type { EscalationCheck } from '../../apiserver/extension.ts';
import { forbidden, invalid, StatusError } from '../../apiserver/errors.ts';
import type { Attributes, UserInfo } from '../../apiserver/auth/types.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { type PlatformIndex, strictest } from '../platform-view/index.ts';
import { parseDuration, kubeconfigType, GROUP, type KubeconfigSpec } from '../resources/index.ts';

const RBAC = 'rbac.authorization.k8s.io';

export function kubeconfigAdmission(platform: PlatformIndex, authorize: (a: Attributes) => Promise<{ decision: string }>,
  escalation: () => EscalationCheck): Admission {
  const may = async (user: UserInfo, resource: 'users' | 'groups', name: string) => (await authorize({
    user, cluster: ROOT_CLUSTER, verb: 'impersonate', isResourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1',
    resource, subresource: '', namespace: '', name,
  })).decision === 'allow';
  return {
    name: 'Kubeconfigs',
    handles: (op, t) => op !== 'delete' && t.group === kubeconfigType.group && t.resource === kubeconfigType.resource,
    async admit(op, t, obj, old, ctx) {
      if (t.group !== kubeconfigType.group || t.resource !== kubeconfigType.resource || op === 'delete' || !obj || ctx.subresource) return;
      const spec = obj.spec as KubeconfigSpec;
      const name = obj.metadata.name ?? '';
      if (old && JSON.stringify(old.spec) === JSON.stringify(obj.spec)) return;
      const crbs = spec.authorization?.clusterRoleBindings;
      if (crbs && crbs.cluster !== spec.target.tenantCluster) {
        throw invalid(kubeconfigType.kind, GROUP, name, [{
          field: 'spec.authorization.clusterRoleBindings.cluster',
          message: `must be the target cluster "${spec.target.tenantCluster}": the certificate is honoured only there`,
        }]);
      }
      const project = platform.projectOf(spec.target.tenantCluster);
      const limit = project ? strictest(platform, [project], 'maxCertificateValidity') : undefined;
      if (limit && parseDuration(spec.validity) > limit.ms) {
        throw forbidden(kubeconfigType, name, `certificate validity ${spec.validity} exceeds the maximum of ${limit.text} set by project ${limit.project} (credentialPolicy.maxCertificateValidity)`);
      }
      const user = ctx.user;
      if (!user) return;
      if (!(await may(user, 'users', spec.username))) {
        throw forbidden(kubeconfigType, name, `user "${user.username}" may not issue certificates for user "${spec.username}" (requires impersonate on users/${spec.username})`);
      }
      for (const g of spec.groups ?? []) {
        if (!(await may(user, 'groups', g))) throw forbidden(kubeconfigType, name, `user "${user.username}" may not issue certificates with group "${g}" (requires impersonate on groups/${g})`);
      }
      for (const role of crbs?.clusterRoles ?? []) {
        const binding = {
          apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: `kubeconfig:${obj.metadata.namespace}:${name}:${role}` },
          roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role }, subjects: [{ apiGroup: RBAC, kind: 'Group', name: 'kubeconfig:' }],
        };
        try { await escalation()({ user, cluster: crbs!.cluster, object: binding }); } catch (e) {
          if (!(e instanceof StatusError) || (e.code !== 403 && e.code !== 404)) throw e;
          throw forbidden(kubeconfigType, name, `spec.authorization.clusterRoleBindings: binding ClusterRole "${role}" in cluster `
            + `"${crbs!.cluster}" requires holding all of its permissions there or the bind verb on clusterroles/${role}: ${e.message}`);
        }
      }
    },
  };
}
