// Admission of IdentityProviders: no two IdPs share an issuer and client ID (a token must route to exactly one
// mapping) or a username prefix (their users must never collide).
import type { Admission, Store } from '../apiserver/registry/store.ts';
import { invalid } from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import type { StatusCause } from '../apiserver/errors.ts';
import type { IdentityProviderSpec } from './schema.ts';
import { identityProviderType } from './types.ts';

export function identityProviderAdmission(store: Store): Admission {
  return {
    name: 'identity-providers',
    async admit(op, t, obj) {
      if (t !== identityProviderType || op === 'delete' || !obj) return;
      const spec = obj.spec as IdentityProviderSpec | undefined;
      if (!spec?.oidc) return;
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
