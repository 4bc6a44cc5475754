// Schemas of the core/v1 kinds other than Pod's spec (Namespace, ServiceAccount, Secret, ConfigMap, Event,
// Pod, Service, PVC, PV, Node, Endpoints) and events.k8s.io/v1 Event. Status subtrees are preserve-unknown.
import {
  arr, bool, int, mapOf, mergeList, obj, preserve, quantity, str, strArr, strMap, time, intOrString,
  type Schema,
} from './schema-types.ts';
import { condition, kindSchema, labelSelector, localObjectReference, objectReference } from './builtin-meta.ts';
import { podSpec } from './builtin-pod.ts';

const namespace = kindSchema({
  spec: obj({ finalizers: arr(str(), { 'x-kubernetes-list-type': 'atomic' }) }),
  status: obj({ phase: str(), conditions: mergeList(condition, 'type') }),
});
const serviceAccount = kindSchema({
  automountServiceAccountToken: bool(),
  imagePullSecrets: arr(localObjectReference),
  secrets: mergeList(objectReference, 'name'),
});
const secret = kindSchema({ data: strMap(), stringData: strMap(), type: str(), immutable: bool() });
const configMap = kindSchema({ data: strMap(), binaryData: strMap(), immutable: bool() });

const eventSource: Schema = obj({ component: str(), host: str() });
const coreEvent = kindSchema({
  action: str(), count: int(), eventTime: str({ format: 'date-time' }), firstTimestamp: time(),
  involvedObject: objectReference, lastTimestamp: time(), message: str(), reason: str(), related: objectReference,
  reportingComponent: str(), reportingInstance: str(),
  series: obj({ count: int(), lastObservedTime: str({ format: 'date-time' }) }), source: eventSource, type: str(),
}, ['metadata', 'involvedObject']);
const eventsV1Event = kindSchema({
  action: str(), deprecatedCount: int(), deprecatedFirstTimestamp: time(), deprecatedLastTimestamp: time(),
  deprecatedSource: eventSource, eventTime: str({ format: 'date-time' }), note: str(), reason: str(),
  regarding: objectReference, related: objectReference, reportingController: str(), reportingInstance: str(),
  series: obj({ count: int(), lastObservedTime: str({ format: 'date-time' }) }), type: str(),
}, ['eventTime']);

const pod = kindSchema({ spec: podSpec, status: preserve() });

const servicePort: Schema = obj({
  appProtocol: str(), name: str(), nodePort: int(), port: int(), protocol: str(), targetPort: intOrString(),
}, { required: ['port'] });
const service = kindSchema({
  spec: obj({
    allocateLoadBalancerNodePorts: bool(), clusterIP: str(), clusterIPs: arr(str(), { 'x-kubernetes-list-type': 'atomic' }),
    externalIPs: strArr(), externalName: str(), externalTrafficPolicy: str(), healthCheckNodePort: int(),
    internalTrafficPolicy: str(), ipFamilies: strArr(), ipFamilyPolicy: str(), loadBalancerClass: str(),
    loadBalancerIP: str(), loadBalancerSourceRanges: strArr(),
    ports: arr(servicePort, {
      'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'port',
      'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'protocol'],
    }),
    publishNotReadyAddresses: bool(), selector: strMap(), sessionAffinity: str(), sessionAffinityConfig: preserve(),
    trafficDistribution: str(), type: str(),
  }),
  status: preserve(),
});

const volumeResources: Schema = obj({ limits: mapOf(quantity()), requests: mapOf(quantity()) });
export const pvcSpec: Schema = obj({
  accessModes: strArr(), dataSource: preserve(), dataSourceRef: preserve(), resources: volumeResources,
  selector: labelSelector, storageClassName: str(), volumeAttributesClassName: str(), volumeMode: str(),
  volumeName: str(),
});
const pvc = kindSchema({ spec: pvcSpec, status: preserve() });
// PV volume sources are many; the spec keeps unknown fields but models the common ones.
const pv = kindSchema({
  spec: preserve({
    accessModes: strArr(), capacity: mapOf(quantity()), claimRef: objectReference, mountOptions: strArr(),
    nodeAffinity: preserve(), persistentVolumeReclaimPolicy: str(), storageClassName: str(), volumeMode: str(),
    volumeAttributesClassName: str(), hostPath: preserve(), nfs: preserve(), local: preserve(), csi: preserve(),
  }),
  status: preserve(),
});

const node = kindSchema({
  spec: obj({
    configSource: preserve(), externalID: str(), podCIDR: str(), podCIDRs: strArr(), providerID: str(),
    taints: arr(obj({ key: str(), value: str(), effect: str(), timeAdded: time() })), unschedulable: bool(),
  }),
  status: preserve(),
});

const endpointAddress: Schema = obj({ ip: str(), hostname: str(), nodeName: str(), targetRef: objectReference });
const endpoints = kindSchema({
  subsets: arr(obj({
    addresses: arr(endpointAddress), notReadyAddresses: arr(endpointAddress),
    ports: arr(obj({ name: str(), port: int(), protocol: str(), appProtocol: str() })),
  })),
});

export const coreSchemas: Record<string, Schema> = {
  Namespace: namespace, ServiceAccount: serviceAccount, Secret: secret, ConfigMap: configMap, Event: coreEvent,
  Pod: pod, Service: service, PersistentVolumeClaim: pvc, PersistentVolume: pv, Node: node, Endpoints: endpoints,
};
export const eventsSchemas: Record<string, Schema> = { Event: eventsV1Event };
