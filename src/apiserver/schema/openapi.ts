// /openapi/v3 documents: the index of group-versions (with content hashes) and one OpenAPI 3.0 document per
// group-version whose PATCH operations carry x-kubernetes-group-version-kind and fieldValidation, as kubectl needs.
import { createHash } from 'node:crypto';
import type { GroupVersionKind, Schema } from './schema-types.ts';
import { referencedDefinitions, DEFINITIONS } from './definitions.ts';
import { builtinSchema } from './builtin-index.ts';
import { builtinDefinitionName } from './builtin-openapi.ts';
import { listMeta } from './builtin-meta.ts';

export interface GroupVersion { group: string; version: string }
export interface OpenAPIKind {
  kind: string;
  resource: string;
  namespaced: boolean;
  schema: Schema;
  verbs: string[];
  /** components.schemas name; default io.k8s.api.<group>.<version>.<Kind> for built-ins, <reversed group>.<version>.<Kind> otherwise. */
  definitionName?: string;
  /** Whether PATCH accepts application/strategic-merge-patch+json; default: true exactly for built-in kinds. */
  strategicMerge?: boolean;
}
export type OpenAPIDocument = Record<string, unknown>;
/** An index entry: the hash comes from `hash`, or `document`, or the document built from `kinds`. */
export type IndexEntry = GroupVersion & { hash?: string; document?: OpenAPIDocument; kinds?: OpenAPIKind[] };

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const PATCH_DEF = `${META}.Patch`;
const STATUS_DEF = `${META}.Status`;
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** `api/v1` or `apis/<group>/<version>`. */
export const gvPath = (gv: GroupVersion): string => (gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`);

/** Uppercase hex SHA-512 of the document's JSON, as Kubernetes uses in serverRelativeURL and ETag. */
export function documentHash(doc: OpenAPIDocument): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
}

/** `GET /openapi/v3`: `{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=H"}, ...}}`. */
export function openapiV3Index(entries: IndexEntry[]): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const e of entries) {
    const hash = e.hash ?? documentHash(e.document ?? openapiV3Document(e, e.kinds ?? []));
    paths[gvPath(e)] = { serverRelativeURL: `/openapi/v3/${gvPath(e)}?hash=${hash}` };
  }
  return { paths };
}

export function definitionName(gvk: GroupVersionKind): string {
  const builtin = builtinDefinitionName(gvk);
  if (builtin) return builtin;
  return `${gvk.group.split('.').reverse().join('.')}.${gvk.version}.${gvk.kind}`;
}

const layouts = new WeakMap<Schema, Schema>();
/**
 * A schema as Kubernetes publishes OpenAPI v3: a `$ref` with sibling keywords (description, patch strategy) becomes
 * `allOf: [{$ref}]` beside them, since OpenAPI 3.0 ignores a $ref's siblings (kubectl reads patch metadata there).
 */
export function v3Layout(s: Schema): Schema {
  const cached = layouts.get(s);
  if (cached) return cached;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object') {
      out.properties = Object.fromEntries(Object.entries(v as Record<string, Schema>).map(([n, p]) => [n, v3Layout(p)]));
    } else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object') out[k] = v3Layout(v as Schema);
    else out[k] = v;
  }
  if (typeof out.$ref === 'string' && Object.keys(out).length > 1) {
    out.allOf = [{ $ref: out.$ref }];
    delete out.$ref;
  }
  layouts.set(s, out as Schema);
  return out as Schema;
}

const param = (name: string, inWhere: 'query' | 'path', type: string, description: string): Record<string, unknown> =>
  ({ name, in: inWhere, description, ...(inWhere === 'path' ? { required: true } : {}), schema: { type, uniqueItems: true } });
const P = {
  name: param('name', 'path', 'string', 'name of the resource'),
  namespace: param('namespace', 'path', 'string', 'object name and auth scope, such as for teams and projects'),
  pretty: param('pretty', 'query', 'string', "If 'true', then the output is pretty printed."),
  dryRun: param('dryRun', 'query', 'string', 'When present, indicates that modifications should not be persisted.'),
  fieldManager: param('fieldManager', 'query', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: param('fieldValidation', 'query', 'string', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict.'),
  force: param('force', 'query', 'boolean', 'Force is going to "force" Apply requests.'),
  labelSelector: param('labelSelector', 'query', 'string', 'A selector to restrict the list of returned objects by their labels.'),
  fieldSelector: param('fieldSelector', 'query', 'string', 'A selector to restrict the list of returned objects by their fields.'),
  limit: param('limit', 'query', 'integer', 'limit is a maximum number of responses to return for a list call.'),
  continue: param('continue', 'query', 'string', 'The continue option should be set when retrieving more results from the server.'),
  resourceVersion: param('resourceVersion', 'query', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  watch: param('watch', 'query', 'boolean', 'Watch for changes to the described resources.'),
  timeoutSeconds: param('timeoutSeconds', 'query', 'integer', 'Timeout for the list/watch call.'),
  propagationPolicy: param('propagationPolicy', 'query', 'string', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  gracePeriodSeconds: param('gracePeriodSeconds', 'query', 'integer', 'The duration in seconds before the object should be deleted.'),
};

const MEDIA = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const content = (schema: Schema): Record<string, { schema: Schema }> =>
  Object.fromEntries(MEDIA.map((m) => [m, { schema }]));
const responses = (codes: string[], schema: Schema): Record<string, unknown> => {
  const out: Record<string, unknown> = { '401': { description: 'Unauthorized' } };
  for (const c of codes) out[c] = { description: c === '201' ? 'Created' : c === '202' ? 'Accepted' : 'OK', content: content(schema) };
  return out;
};

/** `GET /openapi/v3/<api/v1|apis/g/v>`: paths for every resource (collection + item) and components.schemas. */
export function openapiV3Document(gv: GroupVersion, kinds: OpenAPIKind[], opts: { version?: string } = {}): OpenAPIDocument {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const defs = new Set<string>();
  for (const k of [...kinds].sort((a, b) => a.resource.localeCompare(b.resource))) {
    const gvk = { group: gv.group, version: gv.version, kind: k.kind };
    const def = k.definitionName ?? definitionName(gvk);
    const listDef = `${def.slice(0, def.length - k.kind.length)}${k.kind}List`;
    schemas[def] = { ...v3Layout(k.schema), 'x-kubernetes-group-version-kind': [gvk] };
    schemas[listDef] = {
      type: 'object', required: ['items'],
      properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: listMeta, items: { type: 'array', items: ref(def) } },
      'x-kubernetes-group-version-kind': [{ ...gvk, kind: `${k.kind}List` }],
    };
    referencedDefinitions(k.schema, defs);
    addResourcePaths(paths, gv, k, def, listDef);
  }
  for (const name of [...defs].sort()) schemas[name] = v3Layout(DEFINITIONS[name]);
  schemas[PATCH_DEF] = { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' };
  schemas[STATUS_DEF] = {
    type: 'object', description: 'Status is a return value for calls that do not return other objects.',
    'x-kubernetes-preserve-unknown-fields': true,
    'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Status' }],
  };
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: opts.version ?? 'v1.32.4' },
    paths,
    components: { schemas },
  };
}

function addResourcePaths(paths: Record<string, unknown>, gv: GroupVersion, k: OpenAPIKind, def: string, listDef: string): void {
  const gvk = { group: gv.group, version: gv.version, kind: k.kind };
  const base = `/${gvPath(gv)}`;
  const scope = k.namespaced ? `${base}/namespaces/{namespace}/${k.resource}` : `${base}/${k.resource}`;
  const scopeParams = k.namespaced ? [P.namespace, P.pretty] : [P.pretty];
  const can = (v: string): boolean => k.verbs.includes(v);
  const id = (verb: string, suffix = ''): string =>
    `${verb}${k.namespaced && suffix !== 'ForAllNamespaces' ? 'Namespaced' : ''}${k.kind}${suffix}`;
  const op = (action: string, operationId: string, rest: Record<string, unknown>): Record<string, unknown> => ({
    tags: [gvPath(gv).replace(/\//g, '_')], operationId, ...rest,
    'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk,
  });
  const body = (types: string[]): Record<string, unknown> =>
    ({ required: true, content: Object.fromEntries(types.map((t) => [t, { schema: t === '*/*' ? ref(def) : ref(PATCH_DEF) }])) });

  const collection: Record<string, unknown> = { parameters: scopeParams };
  if (can('list')) collection.get = op('list', id('list'), {
    parameters: [P.labelSelector, P.fieldSelector, P.limit, P.continue, P.resourceVersion, P.timeoutSeconds, P.watch],
    responses: responses(['200'], ref(listDef)),
  });
  if (can('create')) collection.post = op('post', id('create'), {
    parameters: [P.dryRun, P.fieldManager, P.fieldValidation], requestBody: body(['*/*']),
    responses: responses(['200', '201', '202'], ref(def)),
  });
  if (can('deletecollection')) collection.delete = op('deletecollection', id('deleteCollection'), {
    parameters: [P.dryRun, P.labelSelector, P.fieldSelector, P.propagationPolicy, P.gracePeriodSeconds],
    responses: responses(['200'], ref(STATUS_DEF)),
  });
  if (Object.keys(collection).length > 1) paths[scope] = collection;

  const item: Record<string, unknown> = { parameters: [P.name, ...scopeParams] };
  if (can('get')) item.get = op('get', id('read'), { responses: responses(['200'], ref(def)) });
  if (can('update')) item.put = op('put', id('replace'), {
    parameters: [P.dryRun, P.fieldManager, P.fieldValidation], requestBody: body(['*/*']),
    responses: responses(['200', '201'], ref(def)),
  });
  if (can('patch')) {
    const strategic = k.strategicMerge ?? builtinSchema(gv.group, gv.version, k.kind) !== undefined;
    const types = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json',
      ...(strategic ? ['application/strategic-merge-patch+json'] : [])];
    item.patch = op('patch', id('patch'), {
      parameters: [P.dryRun, P.fieldManager, P.fieldValidation, P.force], requestBody: body(types),
      responses: responses(['200', '201'], ref(def)),
    });
  }
  if (can('delete')) item.delete = op('delete', id('delete'), {
    parameters: [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
    responses: responses(['200', '202'], ref(def)),
  });
  if (Object.keys(item).length > 1) paths[`${scope}/{name}`] = item;

  if (k.namespaced && can('list')) {
    paths[`${base}/${k.resource}`] = {
      parameters: [P.pretty],
      get: op('list', id('list', 'ForAllNamespaces'), {
        parameters: [P.labelSelector, P.fieldSelector, P.limit, P.continue, P.resourceVersion, P.timeoutSeconds, P.watch],
        responses: responses(['200'], ref(listDef)),
      }),
    };
  }
}
