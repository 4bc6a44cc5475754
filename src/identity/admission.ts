// Admission of IdentityProviders: no two IdPs share an issuer and client ID (a token must route to exactly one
// mapping) or a username prefix (their users must never collide). An IdP asserts identities: its logins become Users
// with the groups it sends, so whoever writes its mapping must be allowed what impersonating any user (and, with a
// groups claim, any group) would allow (as Kubeconfig and User admission require for the identities they confer).
import type { Admission, Store } from '../apiserver/registry/store.ts';
import type { Attributes } from '../apiserver/auth/types.ts';
import { forbidden, invalid } from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import type { StatusCause } from '../apiserver/errors.ts';
import type { IdentityProviderSpec } from './schema.ts';
import { identityProviderType } from './types.ts';

export function identityProviderAdmission(store: Store,
  authorize: (a: Attributes) => Promise<{ decision: string }>): Admission {
  return {
    name: 'identity-providers',
    handles: (op, t) => t === identityProviderType && op !== 'delete',
    async admit(op, t, obj, old, ctx) {
      if (t !== identityProviderType || op === 'delete' || !obj) return;
      const spec = obj.spec as IdentityProviderSpec | undefined;
      if (!spec?.oidc) return;
      const before = old?.spec as IdentityProviderSpec | undefined;
      const remapped = !before || JSON.stringify(before.oidc) !== JSON.stringify(spec.oidc)
        || before.project !== spec.project;
      if (ctx.user && remapped) {
        for (const resource of spec.oidc.groupsClaim ? ['groups', 'users'] : ['users']) {
          const allowed = (await authorize({
            user: ctx.user, cluster: ROOT_CLUSTER, verb: 'impersonate', isResourceRequest: true, path: '', apiGroup: '',
            apiVersion: 'v1', resource, subresource: '', namespace: '', name: '',
          })).decision === 'allow';
          if (!allowed) {
            throw forbidden(identityProviderType, obj.metadata.name ?? '', 'spec.oidc: an identity provider asserts '
              + `any ${resource === 'users' ? 'username' : 'group'} its tokens carry; configuring one requires what `
              + `impersonating them would (impersonate on ${resource}, every name)`);
          }
        }
      }
      const causes: StatusCause[] = [];
      for (const other of (await store.list(ROOT_CLUSTER, identityProviderType, '')).items) {
        if (other.metadata.name === obj.metadata.name) continue;
        const o = (other.spec as IdentityProviderSpec).oidc;
        if (o.issuer === spec.oidc.issuer && o.clientID === spec.oidc.clientID) {
          causes.push({ field: 'spec.oidc.clientID',
            message: `identity provider "${other.metadata.name}" already uses issuer ${spec.oidc.issuer} with this client ID` });
        }
        if (spec.oidc.usernamePrefix && o.usernamePrefix === spec.oidc.usernamePrefix) {
          causes.push({ field: 'spec.oidc.usernamePrefix',
            message: `identity provider "${other.metadata.name}" already uses the prefix "${o.usernamePrefix}"` });
        }
        if (!spec.oidc.usernamePrefix && !o.usernamePrefix) {
          causes.push({ field: 'spec.oidc.usernamePrefix',
            message: `identity provider "${other.metadata.name}" already maps usernames without a prefix; give this one a prefix` });
        }
      }
      if (causes.length) throw invalid(identityProviderType.kind, identityProviderType.group, obj.metadata.name ?? '', causes);
    },
  };
}
