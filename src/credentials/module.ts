// credentialsModule(): plugs access keys, platform tokens, Kubeconfig objects, revocation, the inventory and the
// /platform/v1 credential routes into the server through its slots (types, admission, authenticators, filter, routes).
import type { IssuedTokenInfo, ServerModule } from '../apiserver/extension.ts';
import { platformApi, verifyPassword } from '../platform/index.ts';
import type { Filter } from '../apiserver/context.ts';
import { infoFrom } from '../apiserver/context.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import type { UserInfo } from '../apiserver/auth/types.ts';
import { setupAccessKeys } from './access-keys/index.ts';
import { CredentialsCore, bootstrapSelfServiceRbac, setupSelfServiceRoutes, startJanitor, type PasswordVerifier } from './self-service/index.ts';
import { IdentityIndex, PlatformIndex } from './platform-view/index.ts';
import { KubeconfigController, kubeconfigAdmission } from './kubeconfigs/index.ts';
import { PlatformTokens, createPlatformTokenAuthenticator } from './tokens/index.ts';
import { RevocationList } from './revocation/index.ts';
import { KubeconfigLinks, kubeconfigOwnerAdmission, registerCredentialLinks } from './chain/index.ts';
import { credentialScopeGate, scopeRestriction } from './scope/index.ts';
import { GROUP, credentialTypes } from './resources/index.ts';
import {
  DEFAULT_LOGIN_THROTTLE, LoginThrottle, createPasswordLogin, type LoginThrottleSettings,
} from './self-service/index.ts';
import { setupSessions, type LoginProviders, type SessionSettings, type SessionStore } from './sessions/index.ts';

export interface CredentialsModuleOptions {
  /** Clock (ms since epoch) for expiry, idle timeouts, token lifetimes and renewals; tests move it. */
  now?: () => number;
  /** Checks a platform user's password (default: the platform's verifyPassword against User objects). */
  verifyPassword?: PasswordVerifier;
  /** How often last-used times are written to access-key status (default 5 s). */
  lastUsedIntervalMs?: number;
  /** Browser-session lifetime and idle timeout (default 8 h and 30 min). */
  sessions?: Partial<SessionSettings>;
  /** Password-login backoff (default: 5 failures per user, 20 per address, then 1 s doubling up to 15 min). */
  loginThrottle?: Partial<LoginThrottleSettings>;
}

/** What other parts of the server call (the x509/SA-token revocation hooks, the TokenRequest hook, tests). */
export interface CredentialsApi {
  isSerialRevoked(serialHex: string): boolean;
  isJtiRevoked(jti: string): boolean;
  recordServiceAccountToken(info: IssuedTokenInfo): void;
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
      for (const t of credentialTypes) m.catalog.add(t);
      const identities = new IdentityIndex();
      const platform = new PlatformIndex();
      const revocations = new RevocationList(m.store);
      identities.register(m.informer); platform.register(m.informer); revocations.register(m.informer);
      const kubeconfigLinks = new KubeconfigLinks();
      kubeconfigLinks.register(m.informer);
      const clusterExists = (name: string) => m.clusters.state(name) === 'active';
      const canActFor = async (requester: UserInfo, owner: string) => (await m.runtime.authorize({
        user: requester, cluster: ROOT_CLUSTER, verb: 'impersonate', isResourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1',
        resource: 'users', subresource: '', namespace: '', name: owner === '*' ? '' : owner,
      })).decision === 'allow';

      const keys = await setupAccessKeys(m, { identities, platform, canActFor, now, lastUsedIntervalMs: opts.lastUsedIntervalMs ?? 5000 });
      // Derived credentials die with their source: the links this module answers for (credential-chain.ts).
      registerCredentialLinks(m.credentialChains, { keys: keys.index, identities, revocations, kubeconfigs: kubeconfigLinks });
      m.admission.push(kubeconfigOwnerAdmission((u) => identities.identity(u)?.uid));
      const { reveal, lastUsed } = keys;
      const tokens = new PlatformTokens(await m.secrets.signingKeys('platform-tokens'), `${m.issuer}/platform`);
      m.authenticators.push(createPlatformTokenAuthenticator({
        tokens, identities, isRevoked: revocations.isJtiRevoked, revocationReason: revocations.jtiRevocationReason, now,
      }));
      m.admission.push(kubeconfigAdmission(platform, (a) => m.runtime.authorize(a), () => m.escalation));
      // Explain names an access key by its credential id (accesskey:<name>).
      const restrictionsOf = (id: string) => {
        const key = id.startsWith('accesskey:') ? keys.index.get(id.slice('accesskey:'.length)) : undefined;
        return key && (scopeRestriction(key.scope, `access key "${key.label}"`) ?? {});
      };
      m.gates['credential-scope'] = credentialScopeGate((c) => platform.projectOf(c), restrictionsOf);
      // Revoked certificates and ServiceAccount tokens are refused by their authenticators (m.revocation below).
      const revealNewKey: Filter = (ctx, next) => {
        const info = infoFrom(ctx);
        if (info.isResourceRequest && info.verb === 'create' && info.apiGroup === GROUP && info.resource === 'accesskeys' && !info.subresource) reveal.arm(ctx);
        return next();
      };
      m.filters.beforeHandler = revealNewKey;

      const core = new CredentialsCore({
        store: m.store, keys: keys.index, identities, platform, tokens, revocations, reveal, hash: keys.hash, clusterExists, canActFor, now,
        mayEnter: (u, c) => platformApi(m.modules)?.mayEnter(u, c) ?? Promise.resolve(true),
      });
      const kubeconfigs = new KubeconfigController({
        store: m.store, catalog: m.catalog, pki: m.pki, revocations, clusterExists, now, log: m.logFor('kubeconfig-controller'), leadership: m.leadership,
      });
      kubeconfigs.register(m.informer);
      m.idlers.push(() => kubeconfigs.idle());
      m.queues.register(kubeconfigs.queue);
      const verifier: PasswordVerifier = opts.verifyPassword ?? ((u, p) => verifyPassword(m.store, u, p));
      const throttle = new LoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, ...opts.loginThrottle });
      const passwordLogin = createPasswordLogin(verifier, { throttle, now, audit: (e) => m.auditEvent(e) });
      setupSelfServiceRoutes(m, { core, revocations, passwordLogin, now });
      const { sessions, loginProviders } = await setupSessions(m, {
        core, secrets: keys.secrets, passwordLogin, canActFor, settings: opts.sessions,
      });

      let stopJanitor = () => {};
      m.onStarted.push(async (baseUrl) => {
        lastUsed.start();
        kubeconfigs.start(baseUrl);
        await bootstrapSelfServiceRbac(m.store, m.catalog);
        stopJanitor = startJanitor(m.store, revocations, now, m.logFor('credentials-janitor'), () => m.leadership.isLeader());
      });
      m.onClose.push(async () => { stopJanitor(); kubeconfigs.stop(); await lastUsed.stop(); });

      m.revocation.isSerialRevoked = revocations.isSerialRevoked;
      m.revocation.isJtiRevoked = revocations.isJtiRevoked;
      m.revocation.revokeSerial = (serial, notAfter, reason) => revocations.revoke({
        type: 'serial', value: serial, expiresAt: notAfter.toISOString(), credentialId: `x509:${serial}`, reason,
      });
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
