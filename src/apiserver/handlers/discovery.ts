// Discovery: /api, /apis (aggregated apidiscovery.k8s.io v2 or v2beta1, or the legacy lists, as the Accept header
// asks), /api/v1 and /apis/<group>[/<version>], per logical cluster.
import type { RequestContext } from '../context.ts';
import { clusterFrom, requestHost } from '../context.ts';
import { routeNotFound } from '../errors.ts';
import type { ResourceType } from '../registry/types.ts';
import type { HandlerDeps } from './deps.ts';
import { writeJson } from './respond.ts';

type DiscoveryForm = 'v2' | 'v2beta1' | 'legacy';

/**
 * Which form the Accept header asks for: its media ranges by q (stable), the first this server can answer —
 * aggregated discovery as JSON in v2 (kubectl 1.30+) or v2beta1 (1.27–1.29), or plain JSON for the legacy lists.
 */
export function discoveryForm(accept: string | undefined): DiscoveryForm {
  if (!accept) return 'legacy';
  const ranges = accept.split(',').map((part, i) => {
    const [type, ...params] = part.trim().split(';').map((x) => x.trim());
    const p: Record<string, string> = {};
    for (const kv of params) { const eq = kv.indexOf('='); if (eq > 0) p[kv.slice(0, eq).toLowerCase()] = kv.slice(eq + 1); }
    const q = p.q === undefined ? 1 : Number(p.q);
    return { type: type.toLowerCase(), p, q: Number.isFinite(q) ? q : 0, i };
  }).filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    const json = r.type === 'application/json' || r.type === 'application/*' || r.type === '*/*';
    if (!json) continue;
    if (r.p.as === 'APIGroupDiscoveryList' && r.p.g === 'apidiscovery.k8s.io' && (r.p.v === 'v2' || r.p.v === 'v2beta1')) return r.p.v;
    if (r.p.as === undefined) return 'legacy';
  }
  return 'legacy';
}

interface GroupVersions { group: string; versions: Map<string, ResourceType[]> }

function groupsOf(types: ResourceType[]): GroupVersions[] {
  const groups = new Map<string, GroupVersions>();
  for (const t of types) {
    let g = groups.get(t.group);
    if (!g) { g = { group: t.group, versions: new Map() }; groups.set(t.group, g); }
    const list = g.versions.get(t.version) ?? [];
    list.push(t);
    g.versions.set(t.version, list);
  }
  return [...groups.values()];
}

function verbsOf(t: ResourceType): string[] {
  return t.virtualCreate ? ['create'] : t.verbs;
}

function aggregatedGroup(g: GroupVersions): object {
  return {
    metadata: { name: g.group },
    versions: [...g.versions.entries()].map(([version, types]) => ({
      version,
      freshness: 'Current',
      resources: types.map((t) => ({
        resource: t.resource,
        responseKind: { group: t.group, version: t.version, kind: t.kind },
        scope: t.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: t.singular,
        verbs: verbsOf(t),
        ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
        ...(t.categories.length ? { categories: t.categories } : {}),
        ...(t.subresources.length ? {
          subresources: t.subresources.map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs })),
        } : {}),
      })),
    })),
  };
}

function resourceList(gv: string, types: ResourceType[]): object {
  const resources: object[] = [];
  for (const t of types) {
    resources.push({
      name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: verbsOf(t),
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length ? { categories: t.categories } : {}),
    });
    for (const s of t.subresources) {
      resources.push({ name: `${t.resource}/${s.name}`, singularName: '', namespaced: t.namespaced, group: s.group, version: s.version, kind: s.kind, verbs: s.verbs });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources };
}

function groupEntry(g: GroupVersions): object {
  const versions = [...g.versions.keys()].map((v) => ({ groupVersion: `${g.group}/${v}`, version: v }));
  return { name: g.group, versions, preferredVersion: versions[0] };
}

/** Serves discovery paths; returns false if the path is not a discovery path. */
export function handleDiscovery(ctx: RequestContext, deps: HandlerDeps): boolean {
  const parts = ctx.path.split('/').filter(Boolean);
  if (parts[0] !== 'api' && parts[0] !== 'apis') return false;
  if (parts.length > (parts[0] === 'api' ? 2 : 3)) return false;
  const groups = groupsOf(deps.catalog.typesFor(clusterFrom(ctx)));
  const core = groups.find((g) => g.group === '');
  const named = groups.filter((g) => g.group !== '');
  const form = discoveryForm(ctx.req.headers.accept);
  if (parts[0] === 'api' && parts.length === 1) {
    if (form !== 'legacy') return sendAggregated(ctx, form, core ? [core] : []);
    writeJson(ctx, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: requestHost(ctx.req) }] });
    return true;
  }
  if (parts[0] === 'api') {
    const types = core?.versions.get(parts[1]);
    if (!types) throw routeNotFound(ctx.path);
    writeJson(ctx, 200, resourceList(parts[1], types));
    return true;
  }
  if (parts.length === 1) {
    if (form !== 'legacy') return sendAggregated(ctx, form, named);
    writeJson(ctx, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: named.map(groupEntry) });
    return true;
  }
  const g = named.find((x) => x.group === parts[1]);
  if (!g) throw routeNotFound(ctx.path);
  if (parts.length === 2) {
    writeJson(ctx, 200, { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g) });
    return true;
  }
  const types = g.versions.get(parts[2]);
  if (!types) throw routeNotFound(ctx.path);
  writeJson(ctx, 200, resourceList(`${g.group}/${parts[2]}`, types));
  return true;
}

function sendAggregated(ctx: RequestContext, version: 'v2' | 'v2beta1', groups: GroupVersions[]): true {
  const body = JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items: groups.map(aggregatedGroup) });
  ctx.responseCode = 200;
  ctx.res.writeHead(200, {
    'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`,
    'Content-Length': Buffer.byteLength(body), Vary: 'Accept',
  });
  ctx.res.end(body);
  return true;
}
