// The credential-chain resolvers of the credentials module: whether an access key (one secret generation), a User, a
// platform or ServiceAccount token, a client certificate or a Kubeconfig still stands, and what each depends on.
// A scoped access key up a chain lends its scope to the request (scopes hold transitively). Every index read here
// tells the chains of its changes (CredentialChains.changed), so that verdicts reused across requests stay exact.
import type { CredentialChains, ChainLink } from '../../apiserver/auth/credential-chain.ts';
import type { AccessKeyIndex, KeyEntry } from '../access-keys/index.ts';
import type { IdentityIndex } from '../platform-view/index.ts';
import type { RevocationList } from '../revocation/index.ts';
import { addInheritedScope } from '../scope/index.ts';
import { isScoped, KUBECONFIG_GROUP_PREFIX } from '../resources/index.ts';
import { kubeconfigLink, kubeconfigOwnerLink, type KubeconfigEntry, type KubeconfigLinks } from './kubeconfig-links.ts';

export interface CredentialLinkDeps {
  keys: AccessKeyIndex;
  identities: IdentityIndex;
  revocations: RevocationList;
  kubeconfigs: KubeconfigLinks;
}

const STANDS: ChainLink = Object.freeze({});
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** "kind:name#qualifier" → [name, qualifier]. */
function parts(ref: string): [string, string | undefined] {
  const body = ref.slice(ref.indexOf(':') + 1);
  const hash = body.indexOf('#');
  return hash < 0 ? [body, undefined] : [body.slice(0, hash), body.slice(hash + 1)];
}

/**
 * What the access-key resolver below reads of a key: a change to anything else (its last use, written every few
 * seconds while the key is used) leaves every verdict as it was.
 */
const keyLinkState = (e: KeyEntry | undefined): string => (e ? JSON.stringify([
  e.label, e.deleting, e.disabled, e.disabledReason, e.expiresMs, e.fp, e.previous.map((p) => [p.fp, p.graceUntilMs]),
  e.parents, e.scope,
]) : '');

export function registerCredentialLinks(chains: CredentialChains, d: CredentialLinkDeps): void {
  const changed = () => chains.changed();
  d.keys.onChange((prev, next) => { if (keyLinkState(prev) !== keyLinkState(next)) changed(); });
  // the user resolver and a certificate's owner read whether a User exists, its uid and whether it is disabled
  d.identities.onUserChange((prev, next) => {
    if (!prev || !next || prev.uid !== next.uid || prev.disabled !== next.disabled) changed();
  });
  d.revocations.onChange(changed);
  d.kubeconfigs.onChange(changed);

  chains.register('user', (ref) => {
    const [name, uid] = parts(ref);
    const who = d.identities.identity(name);
    if (!who) return { problem: `user "${name}" ${d.identities.has(name) ? 'is disabled' : 'no longer exists'}` };
    if (uid && who.uid !== uid) return { problem: `user "${name}" was deleted (a new user has the name)` };
    return STANDS;
  });

  chains.register('accesskey', (ref, at) => {
    const [name, fp] = parts(ref);
    const e = d.keys.get(name);
    const what = `access key "${e?.label ?? name}"`;
    if (!e || e.deleting) return { problem: `${what} has been deleted` };
    if (e.disabled) return { problem: `${what} is disabled${e.disabledReason ? `: ${e.disabledReason}` : ''}` };
    const now = at.nowMs;
    if (e.expiresMs !== undefined && now >= e.expiresMs) return { problem: `${what} expired at ${iso(e.expiresMs)}` };
    let expiresMs = e.expiresMs;
    if (fp && fp !== e.fp) {
      const prev = e.previous.find((p) => p.fp === fp);
      if (!prev || now >= prev.graceUntilMs) {
        return { problem: `${what} was rotated and the secret it was used with no longer works` };
      }
      if (expiresMs === undefined || prev.graceUntilMs < expiresMs) expiresMs = prev.graceUntilMs;
    }
    if (!at.self && isScoped(e.scope)) {
      const lent = { scope: e.scope, credential: `a credential minted through ${what}` };
      return { parents: e.parents, expiresMs, effect: (req) => addInheritedScope(req, lent) };
    }
    return { parents: e.parents, expiresMs };
  });

  const token = (kind: string) => (ref: string): ChainLink => {
    const [jti] = parts(ref);
    if (d.revocations.isJtiRevoked(jti)) {
      const why = d.revocations.jtiRevocationReason(jti);
      return { problem: `${kind} ${jti} has been revoked${why ? `: ${why}` : ''}` };
    }
    return STANDS;
  };
  chains.register('platformtoken', token('platform token'));
  chains.register('sa-token', token('service account token'));

  // A Kubeconfig made before a User of its name existed has no owner uid: it answers to that User once there is one
  // (disabled → refused), as a stamped one does.
  const ownerOf = (k: KubeconfigEntry): string | undefined =>
    kubeconfigOwnerLink(k) ?? (d.identities.has(k.username) ? `user:${k.username}` : undefined);

  chains.register('x509', (ref, at) => {
    const [serial] = parts(ref);
    if (d.revocations.isSerialRevoked(serial)) return { problem: `certificate ${serial} has been revoked` };
    const k = d.kubeconfigs.bySerialHex(serial);
    if (!k) {
      // A Kubeconfig's certificate carries its group; without its object it stands for nothing (fail closed).
      if (at.result?.user.groups.some((g) => g.startsWith(KUBECONFIG_GROUP_PREFIX))) {
        return { problem: `the Kubeconfig of certificate ${serial} no longer exists` };
      }
      return STANDS;
    }
    const owner = ownerOf(k);
    return { parents: owner ? [kubeconfigLink(k), owner] : [kubeconfigLink(k)], expiresMs: k.serials.get(serial) };
  });

  chains.register('kubeconfig', (ref) => {
    const [key, uid] = parts(ref);
    const dot = key.indexOf('.');
    const k = d.kubeconfigs.get(key.slice(0, dot), key.slice(dot + 1));
    const what = `Kubeconfig ${key.slice(0, dot)}/${key.slice(dot + 1)}`;
    if (!k || (uid && k.uid !== uid)) return { problem: `${what} has been deleted` };
    if (k.deleting) return { problem: `${what} is being deleted` };
    const owner = ownerOf(k);
    return owner ? { parents: [owner] } : STANDS;
  });
}
