// What the console may offer a user: each flag is the authorizer's answer for the API call behind a page. The console
// only hides what is false; every call is authorized again by the API itself.
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import type { Attributes, AuthorizerResult, UserInfo } from '../../apiserver/auth/types.ts';

const MGMT = 'management.portcullis.io';

export async function consoleCapabilities(
  user: UserInfo, authorize: (a: Attributes) => Promise<AuthorizerResult>, canActFor: (u: UserInfo, owner: string) => Promise<boolean>,
): Promise<Record<string, boolean>> {
  const can = async (verb: string, resource: string, group = MGMT) => (await authorize({
    user, cluster: ROOT_CLUSTER, verb, isResourceRequest: true, path: '', apiGroup: group, apiVersion: 'v1',
    resource, subresource: '', namespace: '', name: '',
  })).decision === 'allow';
  const [listUsers, manageUsers, listTeams, manageTeams, readProjects, manageProjects, readTenantClusters, createTenantClusters,
    updateTenantClusters, templates, explain, actForAnyone] = await Promise.all([
    can('list', 'users'), can('update', 'users'), can('list', 'teams'), can('update', 'teams'), can('get', 'projects'), can('update', 'projects'),
    can('get', 'tenantclusters'), can('create', 'tenantclusters'), can('update', 'tenantclusters'), can('list', 'tenantclustertemplates'),
    can('create', 'subjectaccessreviews', 'authorization.k8s.io'), canActFor(user, '*'),
  ]);
  return {
    listUsers, manageUsers, listTeams, manageTeams, readProjects, manageProjects, readTenantClusters, createTenantClusters,
    updateTenantClusters, templates, explain, allCredentials: actForAnyone,
  };
}
