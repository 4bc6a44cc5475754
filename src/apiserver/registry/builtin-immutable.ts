// Fields of built-in kinds that Kubernetes 1.32 refuses to change on update (422 with its wording), and the spec
// reset of CertificateSigningRequests: who may create an object must not be able to re-aim it later.
import type { StatusCause } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';

type J = Record<string, unknown>;
const at = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as J)[k] : undefined), o);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const immutable = (field: string, value: unknown, message = 'field is immutable'): StatusCause =>
  ({ field, message: `Invalid value: ${JSON.stringify(value ?? null)}: ${message}`, reason: 'FieldValueInvalid' });
const forbidden = (field: string, message: string): StatusCause => ({ field, message: `Forbidden: ${message}`, reason: 'FieldValueForbidden' });

/** `paths` may not change; each cause names the new value. */
function fixed(...paths: string[]): (obj: KObject, old: KObject) => StatusCause[] {
  return (obj, old) => paths.filter((p) => !same(at(obj, p), at(old, p))).map((p) => immutable(p, at(obj, p)));
}

/** The spec without the fields that may change. */
function specWithout(spec: unknown, mutable: string[]): string {
  const copy = JSON.parse(JSON.stringify(spec ?? {})) as J;
  for (const m of mutable) delete copy[m];
  return JSON.stringify(copy);
}

const POD_MUTABLE_MESSAGE = 'pod updates may not change fields other than `spec.containers[*].image`,'
  + '`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing '
  + 'tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function podSpec(obj: KObject, old: KObject): StatusCause[] {
  const strip = (spec: unknown): string => {
    const s = JSON.parse(JSON.stringify(spec ?? {})) as J;
    for (const key of ['containers', 'initContainers']) {
      if (Array.isArray(s[key])) s[key] = (s[key] as J[]).map((c) => ({ ...c, image: undefined }));
    }
    return specWithout(s, ['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds', 'schedulingGates']);
  };
  return strip(obj.spec) === strip(old.spec) ? [] : [forbidden('spec', POD_MUTABLE_MESSAGE)];
}

const STS_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit',
  'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];
const PV_MUTABLE = ['accessModes', 'capacity', 'claimRef', 'mountOptions', 'nodeAffinity', 'persistentVolumeReclaimPolicy',
  'storageClassName', 'volumeMode', 'volumeAttributesClassName'];

const BY_KIND: Record<string, (obj: KObject, old: KObject) => StatusCause[]> = {
  'apps/Deployment': fixed('spec.selector'),
  'apps/ReplicaSet': fixed('spec.selector'),
  'apps/DaemonSet': fixed('spec.selector'),
  'apps/StatefulSet': (obj, old) => (specWithout(obj.spec, STS_MUTABLE) === specWithout(old.spec, STS_MUTABLE) ? [] : [
    forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
      + "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"),
  ]),
  'batch/Job': fixed('spec.selector', 'spec.template', 'spec.completionMode'),
  '/Pod': podSpec,
  '/Service': (obj, old) => {
    const was = at(old, 'spec.clusterIP');
    const now = at(obj, 'spec.clusterIP');
    return was && now !== undefined && now !== '' && now !== was ? [immutable('spec.clusterIP', now)] : [];
  },
  '/PersistentVolumeClaim': (obj, old) => {
    const strip = (s: unknown): string => {
      const c = JSON.parse(JSON.stringify(s ?? {})) as J;
      if (c.resources && typeof c.resources === 'object') delete (c.resources as J).requests;
      delete c.volumeAttributesClassName;
      return JSON.stringify(c);
    };
    return strip(obj.spec) === strip(old.spec) ? []
      : [forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims')];
  },
  '/PersistentVolume': (obj, old) => (specWithout(obj.spec, PV_MUTABLE) === specWithout(old.spec, PV_MUTABLE) ? []
    : [forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is forbidden to be changed')]),
  'storage.k8s.io/StorageClass': (obj, old) => ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode']
    .filter((f) => !same(obj[f], old[f])).map((f) => forbidden(f, `updates to ${f} are forbidden.`)),
  'storage.k8s.io/VolumeAttachment': fixed('spec'),
  'storage.k8s.io/CSIDriver': fixed('spec.attachRequired', 'spec.fsGroupPolicy', 'spec.volumeLifecycleModes'),
  'scheduling.k8s.io/PriorityClass': (obj, old) => [
    ...(same(obj.value, old.value) ? [] : [forbidden('value', 'may not be changed in an update.')]),
    ...fixed('preemptionPolicy')(obj, old),
  ],
  'node.k8s.io/RuntimeClass': fixed('handler'),
  'networking.k8s.io/IngressClass': fixed('spec.controller'),
  'discovery.k8s.io/EndpointSlice': fixed('addressType'),
};

/** Causes for changes Kubernetes refuses on update of a built-in kind. */
export function immutableFieldCauses(group: string, kind: string, obj: KObject, old: KObject): StatusCause[] {
  return BY_KIND[`${group}/${kind}`]?.(obj, old) ?? [];
}

/** Fields the server silently keeps on update (the client's values are ignored), as Kubernetes' PrepareForUpdate. */
export function keepOnUpdate(group: string, kind: string, obj: KObject, old: KObject): void {
  if (group === 'certificates.k8s.io' && kind === 'CertificateSigningRequest') obj.spec = old.spec;
}
