// Patch metadata of built-in kinds (from the patchMergeKey/patchStrategy and listType/listMapKey tags of k8s.io/api):
// how strategic merge patch merges lists, and how server-side apply tracks lists (map/set/atomic) and atomic structs.

/** One list field. Lists absent from the table are replaced by SMP and atomic for SSA. */
export interface ListMeta {
  /** SMP patchMergeKey; undefined for primitive lists. */
  mergeKey?: string;
  /** SMP patchStrategy includes "merge". */
  merge: boolean;
  /** SSA list type. */
  listType: 'map' | 'set' | 'atomic';
  /** SSA keys of an associative list (listType map). */
  listMapKeys?: string[];
}
export interface FieldMeta { list?: ListMeta; /** An atomic struct or map (SSA: owned as one field). */ atomic?: boolean }

/**
 * Field metadata of one kind, keyed by dotted path from the object root; list elements add "[]"
 * (e.g. "spec.template.spec.containers[].env").
 */
export interface KindSchema {
  readonly fields: ReadonlyMap<string, FieldMeta>;
  /** Built-in (Go-typed) kind: SMP supported; always-present structs are never tracked as fields themselves. */
  readonly builtin: boolean;
}

type Entry = [string, FieldMeta];
const byKey = (key: string, ssaKeys: string[] = [key]): FieldMeta =>
  ({ list: { mergeKey: key, merge: true, listType: 'map', listMapKeys: ssaKeys } });
const primitiveSet: FieldMeta = { list: { merge: true, listType: 'set' } };
const atomic: FieldMeta = { atomic: true };

function objectMeta(prefix: string): Entry[] {
  return [
    [`${prefix}metadata.finalizers`, primitiveSet],
    [`${prefix}metadata.ownerReferences`, byKey('uid')],
  ];
}

function containers(path: string): Entry[] {
  return [
    [path, byKey('name')],
    [`${path}[].ports`, byKey('containerPort', ['containerPort', 'protocol'])],
    [`${path}[].env`, byKey('name')],
    [`${path}[].volumeMounts`, byKey('mountPath')],
    [`${path}[].volumeDevices`, byKey('devicePath')],
  ];
}

function podSpec(p: string): Entry[] {
  return [
    ...containers(`${p}.containers`),
    ...containers(`${p}.initContainers`),
    ...containers(`${p}.ephemeralContainers`),
    [`${p}.volumes`, byKey('name')],
    [`${p}.imagePullSecrets`, byKey('name')],
    [`${p}.hostAliases`, byKey('ip')],
    [`${p}.topologySpreadConstraints`, byKey('topologyKey', ['topologyKey', 'whenUnsatisfiable'])],
    [`${p}.resourceClaims`, byKey('name')],
    [`${p}.schedulingGates`, byKey('name')],
  ];
}

/** A pod template at `path` (e.g. "spec.template"). */
const podTemplate = (path: string): Entry[] => [...objectMeta(`${path}.`), ...podSpec(`${path}.spec`)];
const conditions = (path = 'status.conditions'): Entry => [path, byKey('type')];

const podStatus: Entry[] = [conditions(), ['status.podIPs', byKey('ip')], ['status.hostIPs', byKey('ip')],
  ['status.resourceClaimStatuses', byKey('name')]];
const workload = (extra: Entry[] = []): Entry[] =>
  [...podTemplate('spec.template'), ['spec.selector', atomic], conditions(), ...extra];

const TABLE: Record<string, Entry[]> = {
  // core/v1
  '/Pod': [...podSpec('spec'), ...podStatus],
  '/PodTemplate': podTemplate('template'),
  '/ReplicationController': [...podTemplate('spec.template'), conditions()],
  '/Service': [['spec.ports', byKey('port', ['port', 'protocol'])], ['spec.selector', atomic], conditions()],
  '/ConfigMap': [],
  '/Secret': [],
  '/ServiceAccount': [['secrets', byKey('name')]],
  '/Namespace': [conditions()],
  '/Node': [['spec.podCIDRs', primitiveSet], conditions(), ['status.addresses', byKey('type')]],
  '/PersistentVolumeClaim': [conditions()],
  '/PersistentVolume': [],
  '/Event': [],
  '/Endpoints': [],
  '/LimitRange': [],
  '/ResourceQuota': [],
  // apps/v1
  'apps/Deployment': workload(),
  'apps/StatefulSet': workload(),
  'apps/DaemonSet': workload(),
  'apps/ReplicaSet': workload(),
  // batch/v1
  'batch/Job': [...podTemplate('spec.template'), conditions()],
  'batch/CronJob': [...podTemplate('spec.jobTemplate.spec.template')],
  // rbac.authorization.k8s.io/v1: rules, subjects and clusterRoleSelectors are atomic lists.
  'rbac.authorization.k8s.io/Role': [],
  'rbac.authorization.k8s.io/ClusterRole': [],
  'rbac.authorization.k8s.io/RoleBinding': [],
  'rbac.authorization.k8s.io/ClusterRoleBinding': [],
  'coordination.k8s.io/Lease': [],
  'policy/PodDisruptionBudget': [conditions()],
  'networking.k8s.io/NetworkPolicy': [],
  'networking.k8s.io/Ingress': [],
  'scheduling.k8s.io/PriorityClass': [],
  'storage.k8s.io/StorageClass': [],
};

const cache = new Map<string, KindSchema>();
function build(entries: Entry[], builtin: boolean): KindSchema {
  return { fields: new Map([...objectMeta(''), ...entries]), builtin };
}
/** Only ObjectMeta is known (custom resources and kinds outside the table). */
const GENERIC: KindSchema = build([], false);

interface ListSchema {
  type?: string; items?: ListSchema; properties?: Record<string, ListSchema>; additionalProperties?: ListSchema | boolean;
  'x-kubernetes-list-type'?: string; 'x-kubernetes-list-map-keys'?: string[]; 'x-kubernetes-map-type'?: string;
}
/**
 * The patch schema of a custom resource from its CRD version's schema: x-kubernetes-list-type map/set/atomic
 * (with list-map-keys) and x-kubernetes-map-type atomic, as server-side apply reads them.
 */
export function customPatchSchema(root: ListSchema | undefined): KindSchema {
  const entries: Entry[] = [];
  const walk = (s: ListSchema | undefined, path: string): void => {
    if (!s || typeof s !== 'object') return;
    const lt = s['x-kubernetes-list-type'];
    if (lt === 'map' && s['x-kubernetes-list-map-keys']?.length) entries.push([path, { list: { merge: true, listType: 'map', listMapKeys: s['x-kubernetes-list-map-keys'] } }]);
    else if (lt === 'set') entries.push([path, primitiveSet]);
    if (s['x-kubernetes-map-type'] === 'atomic' && path) entries.push([path, atomic]);
    for (const [k, c] of Object.entries(s.properties ?? {})) walk(c, childPath(path, k));
    if (s.items) walk(s.items, elementPath(path));
  };
  walk(root, '');
  return build(entries.filter(([p]) => !p.startsWith('metadata')), false);
}

const customCache = new WeakMap<object, KindSchema>();
/** The patch schema of a served type: its CRD schema's for custom resources (cached per schema), else undefined. */
export function patchSchemaForType(t: { custom?: boolean; schema?: object }): KindSchema | undefined {
  if (!t.custom || !t.schema) return undefined;
  let s = customCache.get(t.schema);
  if (!s) { s = customPatchSchema(t.schema as ListSchema); customCache.set(t.schema, s); }
  return s;
}

/** The patch schema of a kind; kinds outside the built-in table get ObjectMeta only. */
export function patchSchema(group: string, kind: string): KindSchema {
  const key = `${group}/${kind}`;
  let s = cache.get(key);
  if (!s) {
    const entries = TABLE[key];
    if (!entries) return GENERIC;
    s = build(entries, true);
    cache.set(key, s);
  }
  return s;
}

/** Whether strategic merge patch is accepted for the kind (built-in kinds only; Kubernetes answers 415 otherwise). */
export function supportsStrategicMerge(group: string, kind: string): boolean {
  return Object.hasOwn(TABLE, `${group}/${kind}`);
}

export const childPath = (parent: string, key: string): string => (parent ? `${parent}.${key}` : key);
export const elementPath = (list: string): string => `${list}[]`;
export const fieldMeta = (s: KindSchema, path: string): FieldMeta | undefined => s.fields.get(path);

/**
 * Go structs that always serialise (non-pointer structs and a few non-omitempty lists), so an Update never
 * "adds" them as fields of their own. Only consulted for built-in kinds.
 */
export function alwaysPresent(path: string): boolean {
  if (path === 'spec' || path === 'status' || path === 'metadata') return true;
  return /(^|\.)(template|template\.spec|template\.metadata|jobTemplate|jobTemplate\.spec|strategy|updateStrategy|containers)$/
    .test(path);
}
