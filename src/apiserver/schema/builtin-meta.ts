// Shared meta.k8s.io and core reference schemas: ObjectMeta, ListMeta, LabelSelector, ObjectReference,
// and `kindSchema`, which wraps a kind's own fields with apiVersion/kind/metadata.
import { arr, bool, int64, mergeList, obj, preserve, str, strArr, strMap, time, type Schema } from './schema-types.ts';

export const ownerReference: Schema = obj({
  apiVersion: str(), kind: str(), name: str(), uid: str(), controller: bool(), blockOwnerDeletion: bool(),
}, { required: ['apiVersion', 'kind', 'name', 'uid'], 'x-kubernetes-map-type': 'atomic' });

export const managedFieldsEntry: Schema = obj({
  manager: str(), operation: str(), apiVersion: str(), time: time(), fieldsType: str(),
  fieldsV1: preserve(), subresource: str(),
});

export const objectMeta: Schema = obj({
  name: str(), generateName: str(), namespace: str(), selfLink: str(), uid: str(), resourceVersion: str(),
  generation: int64(), creationTimestamp: time(), deletionTimestamp: time(), deletionGracePeriodSeconds: int64(),
  labels: strMap(), annotations: strMap(),
  ownerReferences: mergeList(ownerReference, 'uid'),
  finalizers: arr(str(), { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' }),
  managedFields: arr(managedFieldsEntry),
});

export const listMeta: Schema = obj({
  resourceVersion: str(), continue: str(), remainingItemCount: int64(), selfLink: str(),
});

export const labelSelector: Schema = obj({
  matchLabels: strMap(),
  matchExpressions: arr(obj({ key: str(), operator: str(), values: strArr() }, { required: ['key', 'operator'] })),
}, { 'x-kubernetes-map-type': 'atomic' });

export const objectReference: Schema = obj({
  apiVersion: str(), fieldPath: str(), kind: str(), name: str(), namespace: str(), resourceVersion: str(), uid: str(),
}, { 'x-kubernetes-map-type': 'atomic' });

export const localObjectReference: Schema = obj({ name: str() }, { 'x-kubernetes-map-type': 'atomic' });

/** A metav1.Condition-shaped entry (also fine for most typed conditions). */
export const condition: Schema = obj({
  type: str(), status: str(), observedGeneration: int64(), lastTransitionTime: time(), lastProbeTime: time(),
  lastUpdateTime: time(), lastHeartbeatTime: time(), reason: str(), message: str(),
});

/** A top-level kind: apiVersion, kind, metadata plus the kind's own fields. */
export function kindSchema(fields: Record<string, Schema>, required?: string[]): Schema {
  return obj({ apiVersion: str(), kind: str(), metadata: objectMeta, ...fields }, required ? { required } : {});
}
