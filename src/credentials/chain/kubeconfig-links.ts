// What ties a Kubeconfig certificate to its source: an index of Kubeconfig objects by certificate serial (fed by the
// informer on every replica), and the admission step that stamps the owning User's uid on each Kubeconfig whose
// spec.username is a platform User (the certificate dies with that User, as a key does), which nobody can change.
import type { Informer } from '../../apiserver/controllers/informer.ts';
import type { Admission } from '../../apiserver/registry/store.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { normalizeSerialHex } from '../../pki/serial.ts';
import {
  kubeconfigType, OWNER_UID_ANNOTATION, type KubeconfigSpec, type KubeconfigStatus,
} from '../resources/index.ts';

export interface KubeconfigEntry {
  namespace: string;
  name: string;
  uid: string;
  username: string;
  ownerUid?: string;
  deleting: boolean;
  /** serial → notAfter (ms) of every unexpired certificate issued for it. */
  serials: Map<string, number>;
}

export class KubeconfigLinks {
  private readonly byKey = new Map<string, KubeconfigEntry>();
  private readonly bySerial = new Map<string, KubeconfigEntry>();
  private readonly listeners: Array<() => void> = [];

  register(informer: Informer): void {
    informer.on(kubeconfigType.group, kubeconfigType.resource, (ev) => {
      if (ev.cluster !== ROOT_CLUSTER) return;
      const key = `${ev.object.metadata.namespace}/${ev.name}`;
      this.remove(key);
      if (ev.type !== 'DELETED') this.add(key, ev.object);
      for (const l of this.listeners) l();
    });
  }

  /** Adds a listener told synchronously of every change to a Kubeconfig (here or from another replica). */
  onChange(listener: () => void): void { this.listeners.push(listener); }

  private add(key: string, o: KObject): void {
    const spec = (o.spec ?? {}) as KubeconfigSpec;
    const st = (o.status ?? {}) as KubeconfigStatus;
    const serials = new Map<string, number>();
    for (const s of st.serials ?? []) serials.set(normalizeSerialHex(s.serial), Date.parse(s.notAfter));
    if (st.serial && st.notAfter) serials.set(normalizeSerialHex(st.serial), Date.parse(st.notAfter));
    const e: KubeconfigEntry = {
      namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '', uid: o.metadata.uid ?? '',
      username: spec.username ?? '', ownerUid: o.metadata.annotations?.[OWNER_UID_ANNOTATION] || undefined,
      deleting: !!o.metadata.deletionTimestamp, serials,
    };
    this.byKey.set(key, e);
    for (const s of serials.keys()) this.bySerial.set(s, e);
  }

  private remove(key: string): void {
    const e = this.byKey.get(key);
    if (!e) return;
    this.byKey.delete(key);
    for (const s of e.serials.keys()) if (this.bySerial.get(s) === e) this.bySerial.delete(s);
  }

  bySerialHex(serial: string): KubeconfigEntry | undefined { return this.bySerial.get(serial); }
  get(namespace: string, name: string): KubeconfigEntry | undefined { return this.byKey.get(`${namespace}/${name}`); }
}

/** The chain link of a Kubeconfig object (its uid: a Kubeconfig deleted and created again is another source). */
export const kubeconfigLink = (e: Pick<KubeconfigEntry, 'namespace' | 'name' | 'uid'>): string =>
  `kubeconfig:${e.namespace}.${e.name}#${e.uid}`;

/** The owner link of a Kubeconfig entry, when its username was a platform User at creation. */
export const kubeconfigOwnerLink = (e: KubeconfigEntry): string | undefined =>
  (e.ownerUid ? `user:${e.username}#${e.ownerUid}` : undefined);

/**
 * Stamps (on create, or when spec.username changes) the uid of the User named by spec.username, or removes the
 * annotation when it names no User; on any other update keeps the stored value whatever the client sent.
 */
export function kubeconfigOwnerAdmission(ownerUid: (username: string) => string | undefined): Admission {
  return {
    name: 'KubeconfigOwner',
    phase: 'mutating',
    admit(op, t, obj, old) {
      if (t.group !== kubeconfigType.group || t.resource !== kubeconfigType.resource || op === 'delete' || !obj) return;
      const username = (obj.spec as KubeconfigSpec | undefined)?.username ?? '';
      const sameUser = old && (old.spec as KubeconfigSpec | undefined)?.username === username;
      const uid = sameUser ? old.metadata.annotations?.[OWNER_UID_ANNOTATION] : ownerUid(username);
      const current = obj.metadata.annotations?.[OWNER_UID_ANNOTATION];
      if (current === uid) return;
      const annotations = { ...(obj.metadata.annotations ?? {}) };
      if (uid) annotations[OWNER_UID_ANNOTATION] = uid; else delete annotations[OWNER_UID_ANNOTATION];
      obj.metadata.annotations = annotations;
    },
  };
}
