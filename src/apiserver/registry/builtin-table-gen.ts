// Derives the built-in resource table (group, version, resource, kind, scope, verbs, subresources) from Kubernetes'
// published OpenAPI (swagger 2.0 paths with x-kubernetes-action and x-kubernetes-group-version-kind). Used by
// scripts/generate-builtin-api.ts, and by a test that checks the committed table still matches the vendored document.

export interface GeneratedSubresource { name: string; group: string; version: string; kind: string; verbs: string[] }
export interface GeneratedResource {
  group: string; version: string; resource: string; kind: string; namespaced: boolean; verbs: string[];
  subresources: GeneratedSubresource[];
}
export interface GeneratedTable { source: string; groups: Array<{ group: string; versions: string[] }>; resources: GeneratedResource[] }

/** The groups a 1.32 kube-apiserver serves by default, in its /apis order; versions preferred first. */
export const SERVED_GROUPS: Array<[group: string, versions: string[]]> = [
  ['', ['v1']],
  ['apiregistration.k8s.io', ['v1']], ['apps', ['v1']], ['events.k8s.io', ['v1']], ['authentication.k8s.io', ['v1']],
  ['authorization.k8s.io', ['v1']], ['autoscaling', ['v2', 'v1']], ['batch', ['v1']], ['certificates.k8s.io', ['v1']],
  ['networking.k8s.io', ['v1']], ['policy', ['v1']], ['rbac.authorization.k8s.io', ['v1']], ['storage.k8s.io', ['v1']],
  ['admissionregistration.k8s.io', ['v1']], ['apiextensions.k8s.io', ['v1']], ['scheduling.k8s.io', ['v1']],
  ['coordination.k8s.io', ['v1']], ['node.k8s.io', ['v1']], ['discovery.k8s.io', ['v1']],
  ['flowcontrol.apiserver.k8s.io', ['v1']],
];

interface Operation { 'x-kubernetes-action'?: string; 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string } }
type PathItem = Record<string, Operation | unknown>;
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const ACTION_VERBS: Record<string, string> = {
  get: 'get', list: 'list', watch: 'watch', watchlist: 'watch', post: 'create', put: 'update', patch: 'patch',
  delete: 'delete', deletecollection: 'deletecollection',
};
const CONNECT_VERBS: Record<string, string> = { get: 'get', post: 'create', put: 'update', patch: 'patch', delete: 'delete' };

interface Acc { kind?: string; namespaced: boolean; verbs: Set<string>; subs: Map<string, { gvk?: Operation['x-kubernetes-group-version-kind']; verbs: Set<string> }> }

/** Splits `/api/v1/...` or `/apis/<g>/<v>/...` into group, version and the remaining segments. */
function splitPath(path: string): { group: string; version: string; rest: string[] } | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'api' && parts[1] === 'v1') return { group: '', version: 'v1', rest: parts.slice(2) };
  if (parts[0] === 'apis' && parts.length >= 3) return { group: parts[1], version: parts[2], rest: parts.slice(3) };
  return undefined;
}

export function buildResourceTable(swagger: { paths: Record<string, PathItem> }): GeneratedTable {
  const served = new Map(SERVED_GROUPS.map(([g, vs]) => [g, vs]));
  const acc = new Map<string, Acc>();
  for (const [path, item] of Object.entries(swagger.paths)) {
    const split = splitPath(path);
    if (!split || !served.get(split.group)?.includes(split.version)) continue;
    let rest = split.rest;
    if (rest[0] === 'watch') rest = rest.slice(1);
    let namespaced = false;
    if (rest[0] === 'namespaces' && rest[1] === '{namespace}' && rest.length >= 3) { namespaced = true; rest = rest.slice(2); }
    if (rest.length === 0 || rest.length > 3 || (rest[1] !== undefined && rest[1] !== '{name}')) continue;
    const [resource, , sub] = rest;
    const key = `${split.group}/${split.version}/${resource}`;
    let a = acc.get(key);
    if (!a) { a = { namespaced: false, verbs: new Set(), subs: new Map() }; acc.set(key, a); }
    a.namespaced ||= namespaced;
    for (const method of METHODS) {
      const op = item[method] as Operation | undefined;
      const action = op?.['x-kubernetes-action'];
      if (!op || !action) continue;
      const verb = action === 'connect' ? CONNECT_VERBS[method] : ACTION_VERBS[action];
      if (!verb) continue;
      if (sub) {
        let s = a.subs.get(sub);
        if (!s) { s = { verbs: new Set() }; a.subs.set(sub, s); }
        s.gvk ??= op['x-kubernetes-group-version-kind'];
        s.verbs.add(verb);
      } else {
        a.verbs.add(verb);
        a.kind ??= op['x-kubernetes-group-version-kind']?.kind;
      }
    }
  }
  const resources: GeneratedResource[] = [];
  for (const [key, a] of acc) {
    const [group, version, resource] = key.split('/');
    if (!a.kind) throw new Error(`no kind found for ${key}`);
    resources.push({
      group, version, resource, kind: a.kind, namespaced: a.namespaced, verbs: [...a.verbs].sort(),
      subresources: [...a.subs.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([name, s]) => ({
        name, group: s.gvk?.group ?? group, version: s.gvk?.version ?? version, kind: s.gvk?.kind ?? a.kind!,
        verbs: [...s.verbs].sort(),
      })),
    });
  }
  const groupRank = new Map(SERVED_GROUPS.map(([g], i) => [g, i]));
  const versionRank = (g: string, v: string): number => served.get(g)!.indexOf(v);
  resources.sort((x, y) => groupRank.get(x.group)! - groupRank.get(y.group)!
    || versionRank(x.group, x.version) - versionRank(y.group, y.version) || x.resource.localeCompare(y.resource));
  return {
    source: 'vendor/kubernetes-1.32/swagger.json',
    groups: SERVED_GROUPS.map(([group, versions]) => ({ group, versions })),
    resources,
  };
}

/** JSON with one resource per line, so that changes to the table read well in a diff. */
export function renderResourceTable(t: GeneratedTable): string {
  const lines = t.resources.map((r) => `    ${JSON.stringify(r)}`);
  return `{\n  "source": ${JSON.stringify(t.source)},\n  "groups": ${JSON.stringify(t.groups)},\n  "resources": [\n${lines.join(',\n')}\n  ]\n}\n`;
}
