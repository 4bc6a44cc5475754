// Kubeconfig objects (kcp-operator semantics, namespaced in root): issue a client certificate (CN = username,
// O = groups + kubeconfig:<ns>:<name>:<uid>, honoured only in its target cluster), write a ready kubeconfig into the
// Secret beside it (only a Secret it owns), renew at 2/3 of the validity, keep ClusterRoleBindings to its group in the
// target cluster (only bindings it owns), and on delete remove what it owns and revoke every certificate.
import { createHash } from 'node:crypto';
import type { Store } from '../../apiserver/registry/store.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import type { Informer } from '../../apiserver/controllers/informer.ts';
import { WorkQueue } from '../../apiserver/controllers/queue.ts';
import type { Leadership } from '../../apiserver/controllers/leadership.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { StatusError } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import type { Pki } from '../../pki/ca.ts';
import { buildKubeconfig } from '../../pki/kubeconfig.ts';
import {
  parseDuration, API_VERSION, KUBECONFIG_FINALIZER, kubeconfigGroup, kubeconfigType, type KubeconfigSpec, type KubeconfigStatus,
} from '../resources/index.ts';
import type { RevocationList } from '../revocation/index.ts';

const OWNER_LABEL = 'credentials.portcullis.io/kubeconfig';
/** On every binding and Secret the controller writes: the uid of the Kubeconfig that owns it. */
const OWNER_UID_LABEL = 'credentials.portcullis.io/kubeconfig-uid';
/** Bumped when certificates must be re-issued (and the old ones revoked) whatever the spec: v2 = per-object group. */
const ISSUE_FORMAT = 'v2';
const RBAC = 'rbac.authorization.k8s.io';
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export interface KubeconfigControllerDeps {
  store: Store;
  catalog: Catalog;
  pki: Pki;
  revocations: RevocationList;
  clusterExists: (name: string) => boolean;
  now: () => number;
  log: (m: string) => void;
  leadership?: Leadership;
}

export class KubeconfigController {
  readonly queue: WorkQueue;
  private baseUrl?: string;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly keys = new Set<string>();

  constructor(private readonly d: KubeconfigControllerDeps) {
    this.queue = new WorkQueue((k) => this.reconcile(k), { name: 'kubeconfig', log: d.log, concurrency: 2, leadership: d.leadership });
  }

  register(informer: Informer): void {
    informer.on(kubeconfigType.group, kubeconfigType.resource, (ev) => {
      if (ev.cluster !== ROOT_CLUSTER) return;
      const key = `${ev.namespace}/${ev.name}`;
      if (ev.type === 'DELETED') { this.keys.delete(key); clearTimeout(this.timers.get(key)); return; }
      this.keys.add(key);
      if (this.baseUrl) this.queue.add(key);
    });
  }

  /** Starts reconciling once the server's URL (for the kubeconfigs it writes) is known. */
  start(baseUrl: string): void {
    this.baseUrl = baseUrl;
    for (const k of this.keys) this.queue.add(k);
  }

  /** Re-examines every Kubeconfig (renewals are also scheduled by timers; tests call this after moving the clock). */
  resync(): void { for (const k of this.keys) this.queue.add(k); }

  idle(): Promise<void> { return this.queue.idle(); }
  stop(): void { this.queue.stop(); for (const t of this.timers.values()) clearTimeout(t); }

  private type(cluster: string, group: string, resource: string) {
    const t = this.d.catalog.lookup(cluster, group, 'v1', resource);
    if (!t) throw new Error(`type ${resource}.${group} is not served in cluster ${cluster}`);
    return t;
  }

  /** Why the named Secret may not be written for `obj` (it exists and is not owned by it), or null. */
  private async foreignSecret(obj: KObject, name: string): Promise<string | null> {
    try {
      const s = await this.d.store.get(ROOT_CLUSTER, this.type(ROOT_CLUSTER, '', 'secrets'), obj.metadata.namespace!, name);
      return ownedBy(s, obj) ? null : secretNotOwned(obj, name);
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return null;
      throw e;
    }
  }

  private async reconcile(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    let obj: KObject;
    try { obj = await this.d.store.get(ROOT_CLUSTER, kubeconfigType, ns, name); } catch (e) {
      if (e instanceof StatusError && e.code === 404) return;
      throw e;
    }
    const spec = obj.spec as KubeconfigSpec;
    const status = (obj.status ?? {}) as KubeconfigStatus;
    if (obj.metadata.deletionTimestamp) return this.finalize(obj, spec, status);
    const now = this.d.now();
    if (!this.d.clusterExists(spec.target.tenantCluster)) {
      await this.writeStatus(ns, name, { ...status, phase: 'Pending' }, 'False', 'TargetNotFound', `tenant cluster "${spec.target.tenantCluster}" does not exist`);
      this.schedule(key, now + 10_000);
      return;
    }
    const foreign = await this.foreignSecret(obj, spec.secretRef.name);
    if (foreign) {
      await this.writeStatus(ns, name, { ...status, phase: 'Failed' }, 'False', 'SecretNotOwned', foreign);
      this.schedule(key, now + 30_000); // tried again once that Secret may be gone
      return;
    }
    const validityMs = parseDuration(spec.validity);
    const identity = JSON.stringify([ISSUE_FORMAT, spec.username, spec.groups ?? [], spec.target.tenantCluster, spec.secretRef.name, spec.validity]);
    const issuedFor = obj.metadata.annotations?.['credentials.portcullis.io/issued-for'];
    const notBefore = status.notBefore ? Date.parse(status.notBefore) : 0;
    const renewAt = notBefore + (validityMs * 2) / 3;
    const secretOk = await this.secretMatches(ns, spec.secretRef.name, status.serial);
    let next = status;
    if (!status.serial || issuedFor !== identity || now >= renewAt || !secretOk) {
      const identityChanged = !!status.serial && issuedFor !== identity;
      next = await this.issue(obj, spec, status, validityMs, now);
      if (identityChanged) await this.revokeAll(status, `kubeconfig:${key}`, 'identity changed');
      if (identityChanged) next.serials = next.serials!.filter((s) => s.serial === next.serial);
      await this.d.store.update({ cluster: ROOT_CLUSTER }, kubeconfigType, ns, name, (cur) => {
        if (!cur) throw new StatusError(404, 'NotFound', 'gone');
        cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), 'credentials.portcullis.io/issued-for': identity };
        return cur;
      });
    }
    const conflict = await this.syncBindings(obj, spec);
    next = { ...next, boundCluster: spec.authorization?.clusterRoleBindings.cluster };
    if (conflict) {
      await this.writeStatus(ns, name, { ...next, phase: 'Failed' }, 'False', 'BindingNotOwned', conflict);
      this.schedule(key, Math.min(now + 30_000, Date.parse(next.notBefore!) + (validityMs * 2) / 3));
      return;
    }
    await this.writeStatus(ns, name, { ...next, phase: 'Ready' }, 'True', 'CertificateIssued', `certificate ${next.serial} valid until ${next.notAfter}`);
    this.schedule(key, Date.parse(next.notBefore!) + (validityMs * 2) / 3);
  }

  private schedule(key: string, atMs: number): void {
    clearTimeout(this.timers.get(key));
    const delay = Math.min(Math.max(atMs - this.d.now(), 1000), 2 ** 31 - 1);
    const t = setTimeout(() => this.queue.add(key), delay);
    t.unref();
    this.timers.set(key, t);
  }

  private async secretMatches(ns: string, name: string, serial: string | undefined): Promise<boolean> {
    if (!serial) return false;
    try {
      const s = await this.d.store.get(ROOT_CLUSTER, this.type(ROOT_CLUSTER, '', 'secrets'), ns, name);
      return s.metadata.annotations?.['credentials.portcullis.io/serial'] === serial;
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return false;
      throw e;
    }
  }

  private async issue(obj: KObject, spec: KubeconfigSpec, status: KubeconfigStatus, validityMs: number, now: number): Promise<KubeconfigStatus> {
    const name = obj.metadata.name!;
    const ns = obj.metadata.namespace!;
    const cert = await this.d.pki.issueClientCert({
      commonName: spec.username,
      organizations: [...new Set([...(spec.groups ?? []), kubeconfigGroup(obj)])],
      validitySeconds: Math.max(1, Math.round(validityMs / 1000)),
      clusters: [spec.target.tenantCluster],
    });
    const target = spec.target.tenantCluster;
    const text = buildKubeconfig({
      baseUrl: this.baseUrl!, caPem: this.d.pki.caCertPem, clusters: [target], current: target,
      user: { name: spec.username, user: { 'client-certificate-data': Buffer.from(cert.certPem).toString('base64'), 'client-key-data': Buffer.from(cert.keyPem).toString('base64') } },
    });
    const secretType = this.type(ROOT_CLUSTER, '', 'secrets');
    await this.d.store.update({ cluster: ROOT_CLUSTER }, secretType, ns, spec.secretRef.name, (cur) => {
      if (cur && !ownedBy(cur, obj)) throw new StatusError(409, 'Conflict', secretNotOwned(obj, spec.secretRef.name));
      const s: KObject = cur ?? { apiVersion: 'v1', kind: 'Secret', metadata: { name: spec.secretRef.name, namespace: ns } };
      s.metadata.labels = { ...(s.metadata.labels ?? {}), [OWNER_LABEL]: name, [OWNER_UID_LABEL]: obj.metadata.uid! };
      s.metadata.annotations = { ...(s.metadata.annotations ?? {}), 'credentials.portcullis.io/serial': cert.serialHex };
      s.metadata.ownerReferences = [{ apiVersion: API_VERSION, kind: 'Kubeconfig', name, uid: obj.metadata.uid, controller: true }];
      s.type = 'Opaque';
      s.data = { kubeconfig: Buffer.from(text).toString('base64') };
      return s;
    }, { allowCreate: true });
    const live = (status.serials ?? []).filter((s) => Date.parse(s.notAfter) > now);
    this.d.log(`kubeconfig ${ns}/${name}: issued certificate serial ${cert.serialHex} for ${spec.username}`);
    return {
      ...status, serial: cert.serialHex, notBefore: iso(now), notAfter: iso(cert.notAfter.getTime()),
      serials: [...live, { serial: cert.serialHex, notAfter: iso(cert.notAfter.getTime()) }],
    };
  }

  /** Makes the bindings the spec asks for; returns why one could not be made (a same-named binding it does not own). */
  private async syncBindings(obj: KObject, spec: KubeconfigSpec): Promise<string | null> {
    const want = spec.authorization?.clusterRoleBindings;
    const prevCluster = ((obj.status ?? {}) as KubeconfigStatus).boundCluster;
    if (prevCluster && prevCluster !== want?.cluster) await this.removeBindings(prevCluster, obj, new Set());
    if (!want || !this.d.clusterExists(want.cluster)) return null;
    const crbType = this.type(want.cluster, RBAC, 'clusterrolebindings');
    const names = new Set<string>();
    const uid = obj.metadata.uid!;
    let conflict: string | null = null;
    for (const role of want.clusterRoles) {
      const bname = bindingName(obj, role);
      names.add(bname);
      await this.d.store.update({ cluster: want.cluster }, crbType, '', bname, (cur) => {
        if (cur && cur.metadata.labels?.[OWNER_UID_LABEL] !== uid) {
          throw new StatusError(409, 'Conflict', `ClusterRoleBinding "${bname}" in cluster "${want.cluster}" exists and is not owned by this `
            + 'Kubeconfig; it is left alone (delete it, or bind another role)');
        }
        const b: KObject = cur ?? { apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: bname } };
        b.metadata.labels = { ...(b.metadata.labels ?? {}), [OWNER_LABEL]: ownerLabel(obj), [OWNER_UID_LABEL]: uid };
        b.roleRef = { apiGroup: RBAC, kind: 'ClusterRole', name: role };
        b.subjects = [{ apiGroup: RBAC, kind: 'Group', name: kubeconfigGroup(obj) }];
        return b;
      }, { allowCreate: true }).catch((e) => {
        if (!(e instanceof StatusError && e.code === 409 && e.reason === 'Conflict')) throw e;
        conflict ??= e.message;
      });
    }
    await this.removeBindings(want.cluster, obj, names);
    return conflict;
  }

  /** Deletes the bindings this object owns in `cluster` (by uid; bindings of the pre-uid format by their legacy label). */
  private async removeBindings(cluster: string, obj: KObject, keep: Set<string>): Promise<void> {
    if (!this.d.clusterExists(cluster)) return;
    const crbType = this.type(cluster, RBAC, 'clusterrolebindings');
    const legacy = `${obj.metadata.namespace}.${obj.metadata.name}`;
    const mine = (l: Record<string, string>) => l[OWNER_UID_LABEL] === obj.metadata.uid || (!l[OWNER_UID_LABEL] && l[OWNER_LABEL] === legacy);
    const list = await this.d.store.list(cluster, crbType, '', { labels: mine });
    for (const b of list.items) {
      if (keep.has(b.metadata.name!)) continue;
      await this.d.store.delete({ cluster }, crbType, '', b.metadata.name!, { preconditions: { uid: b.metadata.uid } }).catch(ignoreGone);
    }
  }

  private async revokeAll(status: KubeconfigStatus, credentialId: string, reason: string): Promise<void> {
    for (const s of status.serials ?? []) {
      await this.d.revocations.revoke({ type: 'serial', value: s.serial, expiresAt: s.notAfter, credentialId, reason });
    }
  }

  private async finalize(obj: KObject, spec: KubeconfigSpec, status: KubeconfigStatus): Promise<void> {
    const ns = obj.metadata.namespace!;
    const name = obj.metadata.name!;
    for (const c of new Set([spec.authorization?.clusterRoleBindings.cluster, status.boundCluster])) if (c) await this.removeBindings(c, obj, new Set());
    await this.revokeAll(status, `kubeconfig:${ns}/${name}`, 'Kubeconfig deleted');
    await this.deleteOwnedSecret(obj, spec.secretRef.name);
    await this.d.store.update({ cluster: ROOT_CLUSTER }, kubeconfigType, ns, name, (cur) => {
      if (!cur) throw new StatusError(404, 'NotFound', 'gone');
      cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== KUBECONFIG_FINALIZER);
      return cur;
    }).catch((e) => { if (!(e instanceof StatusError && e.code === 404)) throw e; });
  }

  /** Deletes the Secret only when this object owns it (a foreign Secret of that name is never touched). */
  private async deleteOwnedSecret(obj: KObject, name: string): Promise<void> {
    const t = this.type(ROOT_CLUSTER, '', 'secrets');
    let s: KObject;
    try { s = await this.d.store.get(ROOT_CLUSTER, t, obj.metadata.namespace!, name); } catch (e) { return ignoreGone(e); }
    if (!ownedBy(s, obj)) return;
    await this.d.store.delete({ cluster: ROOT_CLUSTER }, t, obj.metadata.namespace!, name, {
      preconditions: { uid: s.metadata.uid, resourceVersion: s.metadata.resourceVersion },
    }).catch(ignoreGone);
  }

  private async writeStatus(ns: string, name: string, status: KubeconfigStatus, ready: string, reason: string, message: string): Promise<void> {
    await this.d.store.update({ cluster: ROOT_CLUSTER, subresource: 'status' }, kubeconfigType, ns, name, (cur) => {
      if (!cur) throw new StatusError(404, 'NotFound', 'gone');
      const old = ((cur.status ?? {}) as KubeconfigStatus).conditions?.find((c) => c.type === 'Ready');
      const lastTransitionTime = old && old.status === ready ? old.lastTransitionTime : iso(this.d.now());
      cur.status = { ...status, conditions: [{ type: 'Ready', status: ready, reason, message, lastTransitionTime }] };
      return cur;
    }).catch((e) => { if (!(e instanceof StatusError && e.code === 404)) throw e; });
  }
}

const ownerLabel = (obj: KObject): string => `${obj.metadata.namespace}.${obj.metadata.name}`;

function ignoreGone(e: unknown): void {
  if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
}

/** True when `obj` (a Kubeconfig) is the controller owner of the Secret `s`. */
function ownedBy(s: KObject, obj: KObject): boolean {
  return (s.metadata.ownerReferences ?? []).some((r) => r.kind === 'Kubeconfig' && r.uid === obj.metadata.uid && r.controller === true);
}

function secretNotOwned(obj: KObject, name: string): string {
  return `Secret "${obj.metadata.namespace}/${name}" exists and is not owned by this Kubeconfig (no controller ownerReference to `
    + `uid ${obj.metadata.uid}); it is never overwritten: choose another spec.secretRef.name or delete that Secret`;
}

/** kubeconfig:<ns>:<name>:<role>, unique per namespace and name (ownership by uid is in a label); hashed when too long. */
function bindingName(obj: KObject, role: string): string {
  const plain = `kubeconfig:${obj.metadata.namespace}:${obj.metadata.name}:${role}`;
  if (plain.length <= 253) return plain;
  const h = createHash('sha256').update(`${obj.metadata.namespace}/${obj.metadata.name}/${obj.metadata.uid}/${role}`).digest('hex').slice(0, 32);
  return `kubeconfig:${h}`;
}
