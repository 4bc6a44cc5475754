// Wires access keys into the server: the peppered hasher, the informer-fed index, admission (owner, policy,
// the secret), the authenticator with batched last-used bookkeeping, and the one-time reveal.
import type { ModuleContext } from '../../apiserver/extension.ts';
import type { UserInfo } from '../../apiserver/auth/types.ts';
import type { IdentityIndex, PlatformIndex } from '../platform-view/index.ts';
import { accessKeyAdmission } from './access-key-admission.ts';
import { createAccessKeyAuthenticator, createKeySecretAuthenticator, type KeySecretAuthenticator } from './access-key-authn.ts';
import { AccessKeyIndex } from './access-key-index.ts';
import { LastUsedWriter } from './last-used.ts';
import { SecretReveal } from './reveal.ts';
import { createHasher, PEPPER_FILE, type SecretHasher } from './secrets.ts';

export interface AccessKeyDeps {
  identities: IdentityIndex;
  platform: PlatformIndex;
  canActFor: (requester: UserInfo, owner: string) => Promise<boolean>;
  now: () => number;
  lastUsedIntervalMs: number;
}

export interface AccessKeyWiring {
  index: AccessKeyIndex; hash: SecretHasher; reveal: SecretReveal; lastUsed: LastUsedWriter;
  /** Authenticates a key secret from a bearer header or the session cookie (sessions use it). */
  secrets: KeySecretAuthenticator;
}

export async function setupAccessKeys(m: ModuleContext, d: AccessKeyDeps): Promise<AccessKeyWiring> {
  const hash = createHasher(await m.secrets.randomValue(PEPPER_FILE, 32));
  const index = new AccessKeyIndex();
  index.register(m.informer);
  const reveal = new SecretReveal();
  const lastUsed = new LastUsedWriter(m.store, m.logFor('access-key-last-used'), d.lastUsedIntervalMs);
  m.admission.push(accessKeyAdmission({
    hash, platform: d.platform, userExists: (u) => d.identities.has(u), ownerUid: (u) => d.identities.identity(u)?.uid,
    canActFor: d.canActFor, reveal: (uid, s) => reveal.remember(uid, s), now: d.now,
  }));
  const secrets = createKeySecretAuthenticator({
    index, hash, identities: d.identities, now: d.now, onUse: (n, ms, addr) => lastUsed.record(n, ms, addr),
  });
  m.authenticators.push(createAccessKeyAuthenticator({ index, hash, identities: d.identities, now: d.now }, secrets));
  return { index, hash, reveal, lastUsed, secrets };
}
