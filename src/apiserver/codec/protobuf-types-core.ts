// Protobuf descriptors of core/v1 kinds other than the pod template (k8s.io/api/core/v1/generated.proto):
// Namespace, ServiceAccount, ConfigMap, Secret, Service and Pod. PodSpec lives in protobuf-types-pod.ts.
import type { KindSpec, MessageSpecs } from './protobuf-schema.ts';

export const coreMessages: MessageSpecs = {
  ObjectReference: {
    kind: [1, 'string'], namespace: [2, 'string'], name: [3, 'string'], uid: [4, 'string'],
    apiVersion: [5, 'string'], resourceVersion: [6, 'string'], fieldPath: [7, 'string'],
  },
  LocalObjectReference: { name: [1, 'string'] },
  NamespaceSpec: { finalizers: [1, 'string', 'r'] },
  Namespace: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'NamespaceSpec', 'v'], status: [3, 'bytes', 'x'] },
  ServiceAccount: {
    metadata: [1, 'ObjectMeta', 'v'],
    secrets: [2, 'ObjectReference', 'r'],
    imagePullSecrets: [3, 'LocalObjectReference', 'r'],
    automountServiceAccountToken: [4, 'bool', 'p'],
  },
  ConfigMap: {
    metadata: [1, 'ObjectMeta', 'v'],
    immutable: [4, 'bool', 'p'],
    data: [2, 'string', 'm'],
    binaryData: [3, 'bytes', 'm'],
  },
  Secret: {
    metadata: [1, 'ObjectMeta', 'v'],
    immutable: [5, 'bool', 'p'],
    data: [2, 'bytes', 'm'],
    stringData: [4, 'string', 'm'],
    type: [3, 'string'],
  },
  ClientIPConfig: { timeoutSeconds: [1, 'int32', 'p'] },
  SessionAffinityConfig: { clientIP: [1, 'ClientIPConfig'] },
  ServicePort: {
    name: [1, 'string'], protocol: [2, 'string'], appProtocol: [6, 'string', 'p'], port: [3, 'int32'],
    targetPort: [4, 'IntOrString'], nodePort: [5, 'int32'],
  },
  ServiceSpec: {
    ports: [1, 'ServicePort', 'r'],
    selector: [2, 'string', 'm'],
    clusterIP: [3, 'string'],
    clusterIPs: [18, 'string', 'r'],
    type: [4, 'string'],
    externalIPs: [5, 'string', 'r'],
    sessionAffinity: [7, 'string'],
    loadBalancerIP: [8, 'string'],
    loadBalancerSourceRanges: [9, 'string', 'r'],
    externalName: [10, 'string'],
    externalTrafficPolicy: [11, 'string'],
    healthCheckNodePort: [12, 'int32'],
    publishNotReadyAddresses: [13, 'bool'],
    sessionAffinityConfig: [14, 'SessionAffinityConfig'],
    ipFamilies: [19, 'string', 'r'],
    ipFamilyPolicy: [17, 'string', 'p'],
    allocateLoadBalancerNodePorts: [20, 'bool', 'p'],
    loadBalancerClass: [21, 'string', 'p'],
    internalTrafficPolicy: [22, 'string', 'p'],
    trafficDistribution: [23, 'string', 'p'],
  },
  Service: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'ServiceSpec', 'v'], status: [3, 'bytes', 'x'] },
  Pod: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'PodSpec', 'v'], status: [3, 'bytes', 'x'] },
};

export const coreKinds: KindSpec[] = ['Namespace', 'ServiceAccount', 'ConfigMap', 'Secret', 'Service', 'Pod']
  .map((kind) => ({ apiVersion: 'v1', kind, message: kind }));
