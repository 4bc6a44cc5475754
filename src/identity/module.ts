// identityModule(): external OpenID Connect identity providers — the IdentityProvider and IdentitySession kinds, the
// ID-token authenticator, the freshness check every credential of an IdP user passes, the browser and CLI logins,
// the background group refresher — plugged into the server through its slots.
import type { ServerModule } from '../apiserver/extension.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { StatusError } from '../apiserver/errors.ts';
import { IdentityIndex } from '../credentials/index.ts';
import { credentialsApi } from '../credentials/index.ts';
import { platformApi } from '../platform/index.ts';
import { Accounts } from './accounts.ts';
import { identityProviderAdmission } from './admission.ts';
import { createIdTokenAuthenticator } from './authenticator.ts';
import { createSealedSessionStore } from './browser-session.ts';
import { cliRoutes, IDP_API } from './cli-routes.ts';
import type { IdentityDeps } from './flows.ts';
import { LinkIndex, registerSessionLinks } from './links.ts';
import { loginRoutes } from './login-routes.ts';
import { ProviderRegistry } from './providers.ts';
import { Refresher } from './refresher.ts';
import { revokeAllCredentials } from './revocation.ts';
import { createSealer, STORE_KEY_NAME } from './sealer.ts';
import { identityTypes } from './types.ts';

export interface IdentityModuleOptions {
  /** Clock (ms since epoch) for staleness, refresh intervals and token checks; tests move it. */
  now?: () => number;
  /** Background refresh pass period (default 15 s; 0: none, tests call api.refresher.pass()). */
  refreshTickMs?: number;
  /** Retry period of a failed discovery (default 30 s). */
  discoveryRetryMs?: number;
  /** Minimum time between JWKS fetches caused by unknown key ids (default 30 s). */
  jwksCooldownMs?: number;
}

export interface IdentityApi {
  registry: ProviderRegistry;
  links: LinkIndex;
  accounts: Accounts;
  refresher: Refresher;
}
export interface IdentityModule extends ServerModule { api?: IdentityApi }

const RBAC = 'rbac.authorization.k8s.io';
export const IDENTITY_SELF_SERVICE = 'portcullis:identity-self-service';

export function identityModule(opts: IdentityModuleOptions = {}): IdentityModule {
  const mod: IdentityModule = {
    name: 'identity',
    async setup(m) {
      const now = opts.now ?? Date.now;
      for (const t of identityTypes) m.catalog.add(t);
      const sealer = createSealer(await m.secrets.randomValue(STORE_KEY_NAME, 32));
      const registry = new ProviderRegistry({
        store: m.store, catalog: m.catalog, leadership: m.leadership, log: m.logFor('identity-provider-controller'), retryMs: opts.discoveryRetryMs, jwksCooldownMs: opts.jwksCooldownMs,
      });
      const links = new LinkIndex(registry, now);
      const identities = new IdentityIndex();
      registry.register(m.informer); links.register(m.informer); identities.register(m.informer);
      const audit = (e: Parameters<typeof m.auditEvent>[0]) => m.auditEvent(e);
      const accounts = new Accounts({
        store: m.store, registry, links, sealer, now, log: m.logFor('identity-accounts'), audit,
        revokeCredentials: async (user, reason) => {
          const api = credentialsApi(m.modules);
          return api ? revokeAllCredentials(api, m.store, user, reason, now()) : 0;
        },
      });
      const refresher = new Refresher({ store: m.store, links, registry, accounts, leadership: m.leadership, now, log: m.logFor('identity-refresher'), audit });
      m.admission.push(identityProviderAdmission(m.store, (a) => m.runtime.authorize(a)));
      m.authenticators.push(createIdTokenAuthenticator({ registry, accounts, identities, now }));
      m.authenticationChecks.push(links.check);
      registerSessionLinks(m.credentialChains, links);

      let baseUrl = m.cfg.externalUrl ?? '';
      const projects = new Set<string>();
      m.informer.on('management.portcullis.io', 'projects', (ev) => {
        if (ev.cluster !== ROOT_CLUSTER) return;
        if (ev.type === 'DELETED') projects.delete(ev.name); else projects.add(ev.name);
      });
      const deps: IdentityDeps = {
        store: m.store, registry, links, accounts, sealer, sessions: createSealedSessionStore(sealer, now), identities, now, log: m.logFor('identity-login'), audit,
        baseUrl: () => baseUrl, caPem: () => m.pki.caCertPem,
        credentials: () => credentialsApi(m.modules), platform: () => platformApi(m.modules),
        projectExists: (name) => projects.has(name),
        authorize: (a) => m.runtime.authorize(a),
        refreshIfDue: (u) => refresher.refreshIfDue(u),
        chains: m.credentialChains,
      };
      m.routes.push(...loginRoutes(deps), ...cliRoutes(deps));
      m.idlers.push(() => registry.idle());
      m.onStarted.push(async (url) => {
        baseUrl = m.cfg.externalUrl ?? url;
        await bootstrapRbac(m.store, m.catalog);
        refresher.start(opts.refreshTickMs ?? 15_000);
      });
      m.onClose.push(() => { refresher.stop(); registry.stop(); });
      mod.api = { registry, links, accounts, refresher };
    },
  };
  return mod;
}

/** Every authenticated user may ask for exec-plugin tokens (the route checks the rest) and run `idp test` (ditto). */
async function bootstrapRbac(store: ModuleStore, catalog: ModuleCatalog): Promise<void> {
  const role = catalog.lookup(ROOT_CLUSTER, RBAC, 'v1', 'clusterroles');
  const binding = catalog.lookup(ROOT_CLUSTER, RBAC, 'v1', 'clusterrolebindings');
  if (!role || !binding) return;
  const labels = { 'identity.portcullis.io/bootstrap': 'true' };
  const objects: Array<[typeof role, Record<string, unknown>]> = [
    [role, { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: IDENTITY_SELF_SERVICE, labels },
      rules: [{ nonResourceURLs: [`${IDP_API}/token`, `${IDP_API}/test/*`], verbs: ['get', 'post'] }] }],
    [binding, { apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: IDENTITY_SELF_SERVICE, labels },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: IDENTITY_SELF_SERVICE }, subjects: [{ apiGroup: RBAC,
        kind: 'Group', name: 'system:authenticated' }] }],
  ];
  for (const [t, o] of objects) {
    try { await store.create({ cluster: ROOT_CLUSTER }, t, '', o as never); } catch (e) {
      if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
    }
  }
}

type ModuleStore = Parameters<ServerModule['setup']>[0]['store'];
type ModuleCatalog = Parameters<ServerModule['setup']>[0]['catalog'];
