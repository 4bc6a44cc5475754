// credentialsModule(): plugs access keys, platform tokens, Kubeconfig objects, revocation, the inventory and the
// /platform/v1 credential routes into the server through its slots (types, admission, authenticators, filter, routes).
import type { ServerModule } from '../server/module.ts';
import { verifyPassword } from '../platform/index.ts';
import type { Filter } from '../apiserver/context.ts';
import { infoFrom } from '../apiserver/context.ts';
import { unauthorized } from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/filters/logical-cluster.ts';
import type { UserInfo } from '../auth/types.ts';
import { AccessKeyIndex } from './access-key-index.ts';
import { accessKeyAdmission } from './access-key-admission.ts';
import { createAccessKeyAuthenticator, createKeySecretAuthenticator } from './access-key-authn.ts';
import { CredentialsCore } from './core.ts';
import { IdentityIndex } from './identity.ts';
import { KubeconfigController } from './kubeconfig-controller.ts';
import { kubeconfigAdmission } from './kubeconfig-admission.ts';
import { LastUsedWriter } from './last-used.ts';
import { PlatformIndex } from './platform-index.ts';
import { PlatformTokens, createPlatformTokenAuthenticator } from './platform-tokens.ts';
import { SecretReveal } from './reveal.ts';
import { RevocationList } from './revocation.ts';
import { credentialRoutes, type PasswordVerifier } from './routes.ts';
import { withCredentialScope } from './scope.ts';
import { createHasher, PEPPER_FILE as PEPPER_NAME } from './secrets.ts';
import { bootstrapSelfServiceRbac, startJanitor } from './bootstrap.ts';
import { GROUP, credentialTypes } from './types.ts';
import { DEFAULT_SESSION_SETTINGS, createSessionStore, endSessionsWithTheirUser, type SessionSettings, type SessionStore } from './sessions/store.ts';
import { createCsrfTokens } from './sessions/csrf.ts';
import { createSessionAuthenticator } from './sessions/authenticator.ts';
import { sessionRoutes, type LoginProviders } from './sessions/routes.ts';
import { consoleCapabilities } from './sessions/capabilities.ts';

export interface CredentialsModuleOptions {
  /** Clock (ms since epoch) for expiry, idle timeouts, token lifetimes and renewals; tests move it. */
  now?: () => number;
  /** Checks a platform user's password (default: the platform's verifyPassword against User objects). */
  verifyPassword?: PasswordVerifier;
  /** How often last-used times are written to access-key status (default 5 s). */
  lastUsedIntervalMs?: number;
  /** Browser-session lifetime and idle timeout (default 8 h and 30 min). */
  sessions?: Partial<SessionSettings>;
}

/** What other parts of the server call (the x509/SA-token revocation hooks, the TokenRequest hook, tests). */
export interface CredentialsApi {
  isSerialRevoked(serialHex: string): boolean;
  isJtiRevoked(jti: string): boolean;
  recordServiceAccountToken(info: { cluster: string; namespace: string; name: string; jti: string; expires: Date; requestedBy?: string }): void;
  core: CredentialsCore;
  kubeconfigs: KubeconfigController;
  /** Writes pending last-used times now. */
  flushLastUsed(): Promise<void>;
  /** Browser sessions (the console's sign-in; identity providers' logins create theirs here too). */
  sessions: SessionStore;
  /** Sign-in buttons offered beside the password form (identity providers push a source here). */
  loginProviders: LoginProviders;
}

export interface CredentialsModule extends ServerModule { api?: CredentialsApi }

/** The credentials module among `modules`, once set up. */
export function credentialsApi(modules: readonly ServerModule[]): CredentialsApi | undefined {
  return (modules.find((m) => m.name === 'credentials') as CredentialsModule | undefined)?.api;
}

export function credentialsModule(opts: CredentialsModuleOptions = {}): CredentialsModule {
  const mod: CredentialsModule = {
    name: 'credentials',
    async setup(m) {
      const now = opts.now ?? Date.now;
      const hash = createHasher(await m.secrets.randomValue(PEPPER_NAME, 32));
      for (const t of credentialTypes) m.catalog.add(t);

      const keys = new AccessKeyIndex();
      const identities = new IdentityIndex();
      const platform = new PlatformIndex();
      const revocations = new RevocationList(m.store);
      keys.register(m.informer); identities.register(m.informer); platform.register(m.informer); revocations.register(m.informer);
      const tokens = new PlatformTokens(await m.secrets.signingKeys('platform-tokens'), `${m.issuer}/platform`);
      const reveal = new SecretReveal();
      const lastUsed = new LastUsedWriter(m.store, m.log, opts.lastUsedIntervalMs ?? 5000);
      const clusterExists = (name: string) => m.clusters.state(name) === 'active';
      const canActFor = async (requester: UserInfo, owner: string) => (await m.runtime.authorize({
        user: requester, cluster: ROOT_CLUSTER, verb: 'impersonate', isResourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1',
        resource: 'users', subresource: '', namespace: '', name: owner === '*' ? '' : owner,
      })).decision === 'allow';

      m.admission.push(accessKeyAdmission({
        hash, platform, userExists: (u) => identities.has(u), ownerUid: (u) => identities.identity(u)?.uid, canActFor,
        reveal: (uid, s) => reveal.remember(uid, s), now,
      }));
      m.admission.push(kubeconfigAdmission(platform, (a) => m.runtime.authorize(a)));
      const keySecrets = createKeySecretAuthenticator({ index: keys, hash, identities, now, onUse: (n, ms, addr) => lastUsed.record(n, ms, addr) });
      m.authenticators.push(
        createAccessKeyAuthenticator({ index: keys, hash, identities, now }, keySecrets),
        createPlatformTokenAuthenticator({ tokens, identities, isRevoked: revocations.isJtiRevoked, now }),
      );
      const scope = withCredentialScope((c) => platform.projectOf(c));
      // Revoked certificates and ServiceAccount tokens are refused by their authenticators (m.revocation below).
      const filter: Filter = (ctx, next) => {
        const info = infoFrom(ctx);
        if (info.isResourceRequest && info.verb === 'create' && info.apiGroup === GROUP && info.resource === 'accesskeys' && !info.subresource) reveal.arm(ctx);
        return scope(ctx, next);
      };
      m.filters.credentialScope = filter;

      const core = new CredentialsCore({ store: m.store, keys, identities, platform, tokens, revocations, reveal, hash, clusterExists, canActFor, now });
      const kubeconfigs = new KubeconfigController({ store: m.store, catalog: m.catalog, pki: m.pki, revocations, clusterExists, now, log: m.log, leadership: m.leadership });
      kubeconfigs.register(m.informer);
      m.idlers.push(() => kubeconfigs.idle());

      const verifier: PasswordVerifier = opts.verifyPassword ?? ((u, p) => verifyPassword(m.store, u, p));
      const loginProviders: LoginProviders = [];
      const csrf = createCsrfTokens(await m.secrets.randomValue('console-csrf-key', 32));
      const sessions = createSessionStore(core, keySecrets, csrf, { ...DEFAULT_SESSION_SETTINGS, ...opts.sessions });
      endSessionsWithTheirUser(m.informer, sessions, () => m.leadership.isLeader(), m.log);
      // last: only requests without an Authorization header or client certificate get as far as the cookie
      m.authenticators.push(createSessionAuthenticator(sessions, m.cfg.externalUrl));
      m.routes.unshift(...sessionRoutes({
        sessions, verifyPassword: verifier, externalUrl: m.cfg.externalUrl, caPem: () => m.pki.caCertPem,
        capabilities: (u) => consoleCapabilities(u, (a) => m.runtime.authorize(a), canActFor),
        assertActFor: (r, o, what) => core.assertActFor(r, o, what), loginProviders,
      }));
      const material = m.secrets.pkiMaterial;
      // unshift: more specific than the platform's catch-all /platform/v1 prefix, so matched first
      m.routes.unshift(...credentialRoutes({
        core,
        caPem: () => m.pki.caCertPem,
        crl: async () => {
          const mat = await material.load();
          if (!mat) throw unauthorized('no CA material');
          return revocations.crl(mat.ca, now());
        },
        verifyPassword: verifier,
        authenticate: (r) => m.runtime.authenticate(r),
        clusterNames: () => m.clusters.names(),
        rulesFor: (cluster, user, ns) => {
          const rbac = m.authorizers.rbac as { rulesFor?: (c: string, u: UserInfo, n: string) => { rules: unknown[] } } | undefined;
          return rbac?.rulesFor?.(cluster, user, ns).rules;
        },
      }));

      let stopJanitor = () => {};
      m.onStarted.push(async (baseUrl) => {
        lastUsed.start();
        kubeconfigs.start(baseUrl);
        await bootstrapSelfServiceRbac(m.store, m.catalog);
        stopJanitor = startJanitor(m.store, revocations, now, m.log, () => m.leadership.isLeader());
      });
      m.onClose.push(async () => { stopJanitor(); kubeconfigs.stop(); await lastUsed.stop(); });

      m.revocation.isSerialRevoked = revocations.isSerialRevoked;
      m.revocation.isJtiRevoked = revocations.isJtiRevoked;
      m.onServiceAccountToken.push((info) => mod.api?.recordServiceAccountToken(info));
      mod.api = {
        isSerialRevoked: revocations.isSerialRevoked,
        isJtiRevoked: revocations.isJtiRevoked,
        recordServiceAccountToken: (info) => { core.recordServiceAccountToken(info).catch((e: Error) => m.log(`recording service account token ${info.jti} failed: ${e.message}`)); },
        core, kubeconfigs, sessions, loginProviders,
        flushLastUsed: () => lastUsed.flush(),
      };
    },
  };
  return mod;
}
