// Discovery: /api, /apis (aggregated v2 or legacy), /api/v1 and /apis/<group>[/<version>], per logical cluster.
import type { RequestContext } from '../context.ts';
import { clusterFrom } from '../context.ts';
import { routeNotFound } from '../errors.ts';
import type { ResourceType } from '../registry/types.ts';
import type { HandlerDeps } from './deps.ts';
import { writeJson } from './respond.ts';

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

function wantsAggregated(ctx: RequestContext): boolean {
  const accept = String(ctx.req.headers.accept ?? '');
  return accept.split(',').some((p) => p.includes('as=APIGroupDiscoveryList') && p.includes('v=v2') && p.includes('g=apidiscovery.k8s.io'));
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
  const aggregated = wantsAggregated(ctx);
  if (parts[0] === 'api' && parts.length === 1) {
    if (aggregated) return sendAggregated(ctx, core ? [core] : []);
    writeJson(ctx, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: String(ctx.req.headers.host ?? '') }] });
    return true;
  }
  if (parts[0] === 'api') {
    const types = core?.versions.get(parts[1]);
    if (!types) throw routeNotFound(ctx.path);
    writeJson(ctx, 200, resourceList(parts[1], types));
    return true;
  }
  if (parts.length === 1) {
    if (aggregated) return sendAggregated(ctx, named);
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

function sendAggregated(ctx: RequestContext, groups: GroupVersions[]): true {
  const body = JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: groups.map(aggregatedGroup) });
  ctx.responseCode = 200;
  ctx.res.writeHead(200, { 'Content-Type': AGGREGATED, 'Content-Length': Buffer.byteLength(body), Vary: 'Accept' });
  ctx.res.end(body);
  return true;
}
