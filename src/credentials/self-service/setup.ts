// Wires credential self-service into the server: the /platform/v1 credential routes (login, JWKS, CRL, whoami,
// logout, tokens, access keys, the inventory) over the credentials service.
import type { ModuleContext } from '../../apiserver/extension.ts';
import type { UserInfo } from '../../apiserver/auth/types.ts';
import { unauthorized } from '../../apiserver/errors.ts';
import type { RevocationList } from '../revocation/index.ts';
import type { CredentialsCore } from './core.ts';
import { credentialRoutes } from './routes.ts';
import type { PasswordLogin } from './login-throttle.ts';

export interface SelfServiceDeps {
  core: CredentialsCore;
  revocations: RevocationList;
  passwordLogin: PasswordLogin;
  now: () => number;
}

export function setupSelfServiceRoutes(m: ModuleContext, d: SelfServiceDeps): void {
  const material = m.secrets.pkiMaterial;
  // unshift: more specific than the platform's catch-all /platform/v1 prefix, so matched first
  m.routes.unshift(...credentialRoutes({
    core: d.core,
    caPem: () => m.pki.caCertPem,
    crl: async () => {
      const mat = await material.load();
      if (!mat) throw unauthorized('no CA material');
      return d.revocations.crl(mat.ca, d.now());
    },
    passwordLogin: d.passwordLogin,
    authenticate: (r) => m.runtime.authenticate(r),
    lineage: (ctx) => m.credentialChains.lineage(ctx),
    clusterNames: () => m.clusters.names(),
    rulesFor: async (cluster, user, ns) => {
      type Rules = { rules: unknown[] };
      const rbac = m.authorizers.rbac as { rulesFor?: (c: string, u: UserInfo, n: string) => Rules | Promise<Rules> } | undefined;
      return (await rbac?.rulesFor?.(cluster, user, ns))?.rules;
    },
  }));
}
