// Schemas of core/v1 PodSpec, Container and PodTemplateSpec: every top-level field is listed, common
// container fields are modelled, deep parts (probes, affinity, securityContext, volume sources) are preserve-unknown.
import {
  arr, bool, int, int64, mapOf, mergeList, obj, preserve, preserveEach, quantity, str, strArr, strMap, type Schema,
} from './schema-types.ts';
import { localObjectReference, objectMeta } from './builtin-meta.ts';

const resources: Schema = obj({
  limits: mapOf(quantity()), requests: mapOf(quantity()), claims: arr(preserve({ name: str() })),
});

const envVar: Schema = obj({ name: str(), value: str(), valueFrom: preserve() }, { required: ['name'] });
const envFrom: Schema = obj({ prefix: str(), configMapRef: preserve(), secretRef: preserve() });
const containerPort: Schema = obj({
  containerPort: int(), hostIP: str(), hostPort: int(), name: str(), protocol: str(),
}, { required: ['containerPort'] });
const volumeMount: Schema = obj({
  mountPath: str(), mountPropagation: str(), name: str(), readOnly: bool(), recursiveReadOnly: str(),
  subPath: str(), subPathExpr: str(),
}, { required: ['name', 'mountPath'] });

export const container: Schema = obj({
  name: str(), image: str(), imagePullPolicy: str(), command: strArr(), args: strArr(), workingDir: str(),
  env: mergeList(envVar, 'name'), envFrom: arr(envFrom),
  ports: arr(containerPort, {
    'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'containerPort',
    'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
  }),
  resources, resizePolicy: arr(preserve()), restartPolicy: str(),
  volumeMounts: arr(volumeMount, { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'mountPath' }),
  volumeDevices: arr(obj({ name: str(), devicePath: str() }), {
    'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'devicePath',
  }),
  livenessProbe: preserve(), readinessProbe: preserve(), startupProbe: preserve(), lifecycle: preserve(),
  terminationMessagePath: str(), terminationMessagePolicy: str(), securityContext: preserve(),
  stdin: bool(), stdinOnce: bool(), tty: bool(),
}, { required: ['name'] });

/** Ephemeral containers share Container's fields plus targetContainerName. */
const ephemeralContainer: Schema = { ...container, properties: { ...container.properties, targetContainerName: str() } };

const VOLUME_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI',
  'emptyDir', 'ephemeral', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'hostPath',
  'image', 'iscsi', 'nfs', 'persistentVolumeClaim', 'photonPersistentDisk', 'portworxVolume', 'projected',
  'quobyte', 'rbd', 'scaleIO', 'secret', 'storageos', 'vsphereVolume',
];
export const volume: Schema = obj(preserveEach(VOLUME_SOURCES, { name: str() }), { required: ['name'] });

const toleration: Schema = obj({ key: str(), operator: str(), value: str(), effect: str(), tolerationSeconds: int64() });

export const podSpec: Schema = obj({
  activeDeadlineSeconds: int64(), affinity: preserve(), automountServiceAccountToken: bool(),
  containers: mergeList(container, 'name'), initContainers: mergeList(container, 'name'),
  ephemeralContainers: mergeList(ephemeralContainer, 'name'),
  dnsConfig: preserve(), dnsPolicy: str(), enableServiceLinks: bool(),
  hostAliases: mergeList(obj({ ip: str(), hostnames: strArr() }), 'ip'),
  hostIPC: bool(), hostNetwork: bool(), hostPID: bool(), hostUsers: bool(), hostname: str(),
  imagePullSecrets: mergeList(localObjectReference, 'name'),
  nodeName: str(), nodeSelector: strMap(), os: obj({ name: str() }), overhead: mapOf(quantity()),
  preemptionPolicy: str(), priority: int(), priorityClassName: str(),
  readinessGates: arr(obj({ conditionType: str() })),
  resourceClaims: mergeList(preserve({ name: str() }), 'name'), resources: preserve(),
  restartPolicy: str(), runtimeClassName: str(), schedulerName: str(),
  schedulingGates: mergeList(obj({ name: str() }), 'name'), securityContext: preserve(),
  serviceAccount: str(), serviceAccountName: str(), setHostnameAsFQDN: bool(), shareProcessNamespace: bool(),
  subdomain: str(), terminationGracePeriodSeconds: int64(), tolerations: arr(toleration),
  topologySpreadConstraints: arr(preserve()),
  volumes: arr(volume, {
    'x-kubernetes-patch-strategy': 'merge,retainKeys', 'x-kubernetes-patch-merge-key': 'name',
    'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
  }),
}, { required: ['containers'] });

export const podTemplateSpec: Schema = obj({ metadata: objectMeta, spec: podSpec });
