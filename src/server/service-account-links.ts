// The credential-chain links of ServiceAccounts: a token requested with a ServiceAccount token dies with the
// ServiceAccount that token belonged to. An index of every ServiceAccount's uid (fed by the informer on every replica)
// answers "serviceaccount:<cluster>/<namespace>/<name>#<uid>" links and tells the chains of each change.
import type { Informer } from '../apiserver/controllers/informer.ts';
import type { CredentialChains } from '../apiserver/auth/credential-chain.ts';

export class ServiceAccountLinks {
  /** "<cluster>/<namespace>/<name>" → uid of every ServiceAccount not being deleted. */
  private readonly uids = new Map<string, string>();

  constructor(private readonly chains: CredentialChains) {}

  register(informer: Informer): void {
    informer.on('', 'serviceaccounts', (ev) => {
      const key = `${ev.cluster}/${ev.namespace}/${ev.name}`;
      const prev = this.uids.get(key);
      const uid = ev.type === 'DELETED' || ev.object.metadata.deletionTimestamp ? undefined : ev.object.metadata.uid;
      if (uid) this.uids.set(key, uid); else this.uids.delete(key);
      if (prev !== uid) this.chains.changed();
    });
    this.chains.register('serviceaccount', (ref) => {
      const body = ref.slice(ref.indexOf(':') + 1);
      const hash = body.indexOf('#');
      const key = hash < 0 ? body : body.slice(0, hash);
      const uid = this.uids.get(key);
      if (uid === undefined || (hash >= 0 && uid !== body.slice(hash + 1))) {
        return { problem: `serviceaccount ${key.slice(key.indexOf('/') + 1)} no longer exists` };
      }
      return {};
    });
  }
}
