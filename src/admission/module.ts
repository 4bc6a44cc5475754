// The admission ServerModule: serves admissionregistration.k8s.io/v1 in every logical cluster, keeps each
// cluster's policies, bindings and webhook configurations compiled (from the informer), and plugs mutating
// webhooks (before schema validation) and ValidatingAdmissionPolicies then validating webhooks (after it) into
// the store. A cluster's configuration only ever sees that cluster's requests.
import type { ServerModule, ModuleContext } from '../apiserver/extension.ts';
import type { Admission, AdmitOp, OpContext } from '../apiserver/registry/store.ts';
import type { ResourceType } from '../apiserver/registry/types.ts';
import type { KObject } from '../apiserver/storage/interface.ts';
import { StatusError, isNotFound } from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { groupVersion } from '../apiserver/registry/types.ts';
import { selectorMatches } from '../auth/authz/rbac/index.ts';
import { admissionTypes, GROUP } from './types.ts';
import { bindingOf, compilePolicy, evaluatePolicies, type Binding, type CompiledPolicy, type PolicyContext } from './policies.ts';
import { compileWebhooks, runMutating, runValidating, type Webhook } from './webhooks.ts';
import { exemptFromPolicies, exemptFromWebhooks, type Attrs } from './matching.ts';
import { admissionRequest } from './request.ts';
import type { SelfAddress } from './webhook-client.ts';

interface ClusterAdmission {
  policies: Map<string, CompiledPolicy>;
  bindings: Map<string, Binding>;
  validating: Map<string, Webhook[]>;
  mutating: Map<string, Webhook[]>;
}
const empty = (c: ClusterAdmission): boolean => c.bindings.size === 0 && c.validating.size === 0 && c.mutating.size === 0;

export function admissionModule(): ServerModule {
  return { name: 'admission', setup };
}

function setup(m: ModuleContext): void {
  const existing = (resource: string) => m.catalog.lookup(ROOT_CLUSTER, GROUP, 'v1', resource);
  for (const t of admissionTypes(existing).add) m.catalog.add(t);
  const clusters = new Map<string, ClusterAdmission>();
  const of = (cluster: string): ClusterAdmission => {
    let c = clusters.get(cluster);
    if (!c) { c = { policies: new Map(), bindings: new Map(), validating: new Map(), mutating: new Map() }; clusters.set(cluster, c); }
    return c;
  };
  const policyLog = m.logFor('admission-policies');
  const track = <T>(resource: string, pick: (c: ClusterAdmission) => Map<string, T>, compile: (o: KObject) => T) => {
    m.informer.on(GROUP, resource, (ev) => {
      const map = pick(of(ev.cluster));
      if (ev.type === 'DELETED') { map.delete(ev.name); return; }
      try { map.set(ev.name, compile(ev.object)); } catch (e) {
        map.delete(ev.name);
        policyLog(`${resource} ${ev.name} in ${ev.cluster} not used: ${(e as Error).message}`);
      }
    });
  };
  track('validatingadmissionpolicies', (c) => c.policies, compilePolicy);
  track('validatingadmissionpolicybindings', (c) => c.bindings, bindingOf);
  track('validatingwebhookconfigurations', (c) => c.validating, compileWebhooks);
  track('mutatingwebhookconfigurations', (c) => c.mutating, compileWebhooks);

  let self: SelfAddress | undefined;
  m.onStarted.push((baseUrl) => {
    const u = new URL(baseUrl);
    const listen = m.cfg.listen ?? '';
    const at = listen.lastIndexOf(':');
    const host = at > 0 ? listen.slice(0, at).replace(/^\[|\]$/g, '') : '';
    const ports = [Number(u.port || 443), Number(listen.slice(at + 1))].filter((p) => p > 0);
    self = { ports, hosts: [u.hostname.replace(/^\[|\]$/g, ''), host].filter(Boolean) };
  });

  const context = (op: AdmitOp, t: ResourceType, obj: KObject | undefined, old: KObject | undefined, ctx: OpContext): PolicyContext => {
    const meta = (obj ?? old)?.metadata ?? {};
    const attrs: Attrs = { op, t, subresource: ctx.subresource ?? '', namespace: meta.namespace ?? '', name: meta.name ?? '', obj, old };
    let ns: Promise<KObject | undefined> | undefined;
    const namespaceObject = () => {
      if (!t.namespaced || !attrs.namespace) return Promise.resolve(undefined);
      const nsType = m.catalog.lookup(ctx.cluster, '', 'v1', 'namespaces');
      return (ns ??= nsType ? m.store.get(ctx.cluster, nsType, '', attrs.namespace).catch(() => undefined) : Promise.resolve(undefined));
    };
    return {
      attrs, op: ctx,
      request: () => admissionRequest(attrs, ctx),
      namespaceObject,
      nsLabels: async () => (await namespaceObject())?.metadata.labels,
      params: (p, b) => params(m, ctx.cluster, attrs, p, b),
    };
  };

  // At start-up a cluster's configuration is replayed before its first use; a cluster with none costs no await.
  const afterReplay = (cluster: string, then: () => Promise<void> | undefined): Promise<void> | undefined => {
    const replay = m.informer.replayCluster(cluster);
    return replay ? replay.then(then) : then();
  };
  const mutating: Admission = {
    name: 'MutatingAdmissionWebhook', phase: 'mutating',
    admit(op, t, obj, old, ctx) {
      return afterReplay(ctx.cluster, () => {
        const c = clusters.get(ctx.cluster);
        if (!c || c.mutating.size === 0 || !obj || exemptFromWebhooks(t)) return undefined;
        const hooks = [...c.mutating.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([, h]) => h);
        return runMutating(hooks, obj, context(op, t, obj, old, ctx), self);
      });
    },
  };
  const validating: Admission = {
    name: 'ValidatingAdmission', phase: 'validating',
    admit(op, t, obj, old, ctx) {
      return afterReplay(ctx.cluster, () => {
        const c = clusters.get(ctx.cluster);
        return !c || empty(c) ? undefined : validate(c, op, t, obj, old, ctx);
      });
    },
  };
  type Config = NonNullable<ReturnType<typeof clusters.get>>;
  const validate = async (c: Config, ...[op, t, obj, old, ctx]: Parameters<Admission['admit']>): Promise<void> => {
    const pc = context(op, t, obj, old, ctx);
    if (c.bindings.size && !exemptFromPolicies(t)) {
      const bindings = [...c.bindings.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
      await evaluatePolicies(c.policies, bindings, pc);
    }
    if (c.validating.size && !exemptFromWebhooks(t)) {
      const hooks = [...c.validating.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([, h]) => h);
      await runValidating(hooks, pc, self);
    }
  };
  m.admission.push(mutating, validating);
}

/** The params of a binding: by name (in paramRef.namespace, or the request's for namespaced param kinds) or by selector. */
async function params(m: ModuleContext, cluster: string, a: Attrs, p: CompiledPolicy, b: Binding): Promise<KObject[]> {
  const kind = p.paramKind ?? {};
  const t = m.catalog.typesFor(cluster).find((x) => groupVersion(x) === kind.apiVersion && x.kind === kind.kind);
  if (!t) {
    throw new StatusError(500, 'InternalError', `ValidatingAdmissionPolicy '${p.name}' with binding '${b.name}' denied request: failed to configure policy: paramKind ${kind.apiVersion ?? ''}, Kind=${kind.kind ?? ''} is not served`);
  }
  const ref = b.paramRef ?? {};
  const ns = t.namespaced ? (ref.namespace ?? a.namespace) : '';
  if (ref.name) {
    try { return [await m.store.get(cluster, t, ns, ref.name)]; } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
  }
  const list = await m.store.list(cluster, t, ns, {});
  return list.items.filter((o) => selectorMatches(ref.selector ?? {}, o.metadata.labels)).map((o) => structuredClone(o) as KObject);
}

