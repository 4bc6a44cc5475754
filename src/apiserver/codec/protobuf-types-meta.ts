// Protobuf descriptors of apimachinery types: runtime.Unknown, meta/v1 (ObjectMeta, Time, LabelSelector, ...),
// intstr.IntOrString and resource.Quantity. Time, IntOrString, Quantity, FieldsV1 and ExtraValue get special JSON forms.
import type { MessageSpecs } from './protobuf-schema.ts';

export const metaMessages: MessageSpecs = {
  // k8s.io/apimachinery/pkg/runtime
  RuntimeTypeMeta: { apiVersion: [1, 'string'], kind: [2, 'string'] },
  Unknown: {
    typeMeta: [1, 'RuntimeTypeMeta'], raw: [2, 'bytes'], contentEncoding: [3, 'string'], contentType: [4, 'string'],
  },
  // k8s.io/apimachinery/pkg/util/intstr and pkg/api/resource
  IntOrString: { type: [1, 'int64'], intVal: [2, 'int32'], strVal: [3, 'string'] },
  Quantity: { string: [1, 'string'] },
  // k8s.io/apimachinery/pkg/apis/meta/v1
  Time: { seconds: [1, 'int64'], nanos: [2, 'int32'] },
  FieldsV1: { Raw: [1, 'bytes'] },
  ExtraValue: { items: [1, 'string', 'r'] },
  ObjectMeta: {
    name: [1, 'string'],
    generateName: [2, 'string'],
    namespace: [3, 'string'],
    selfLink: [4, 'string'],
    uid: [5, 'string'],
    resourceVersion: [6, 'string'],
    generation: [7, 'int64'],
    creationTimestamp: [8, 'Time'],
    deletionTimestamp: [9, 'Time'],
    deletionGracePeriodSeconds: [10, 'int64', 'p'],
    labels: [11, 'string', 'm'],
    annotations: [12, 'string', 'm'],
    ownerReferences: [13, 'OwnerReference', 'r'],
    finalizers: [14, 'string', 'r'],
    managedFields: [17, 'ManagedFieldsEntry', 'r'],
  },
  OwnerReference: {
    apiVersion: [5, 'string'], kind: [1, 'string'], name: [3, 'string'], uid: [4, 'string'],
    controller: [6, 'bool', 'p'], blockOwnerDeletion: [7, 'bool', 'p'],
  },
  ManagedFieldsEntry: {
    manager: [1, 'string'], operation: [2, 'string'], apiVersion: [3, 'string'], time: [4, 'Time'],
    fieldsType: [6, 'string'], fieldsV1: [7, 'FieldsV1'], subresource: [8, 'string'],
  },
  LabelSelector: {
    matchLabels: [1, 'string', 'm'],
    matchExpressions: [2, 'LabelSelectorRequirement', 'r'],
  },
  LabelSelectorRequirement: { key: [1, 'string'], operator: [2, 'string'], values: [3, 'string', 'r'] },
  FieldSelectorRequirement: { key: [1, 'string'], operator: [2, 'string'], values: [3, 'string', 'r'] },
};
