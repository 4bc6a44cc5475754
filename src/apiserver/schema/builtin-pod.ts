// Schemas of core/v1 PodSpec, Container and PodTemplateSpec: every top-level field is listed, common
// container fields are modelled, deep parts (probes, affinity, securityContext, volume sources) are preserve-unknown.
import {
  arr, bool, int, int64, intOrString, mapOf, mergeList, obj, preserve, preserveEach, quantity, str, strArr, strMap,
  type Schema,
} from './schema-types.ts';
import { labelSelector, localObjectReference, objectMeta } from './builtin-meta.ts';

// Deep parts are modelled with their fields but keep unknown fields (preserve), so that kubectl's strategic
// merge patch can walk them (it needs declared properties) while no valid manifest is ever rejected.
const keyRef = (nameKey = 'name'): Schema => preserve({ [nameKey]: str(), key: str(), optional: bool() });
const keyToPath: Schema = obj({ key: str(), path: str(), mode: int() });
const fieldRef: Schema = preserve({ apiVersion: str(), fieldPath: str() });
const resourceFieldRef: Schema = preserve({ containerName: str(), resource: str(), divisor: quantity() });
const httpGet: Schema = preserve({
  path: str(), port: intOrString(), host: str(), scheme: str(),
  httpHeaders: arr(obj({ name: str(), value: str() })),
});
const handler = (): Record<string, Schema> => ({
  exec: preserve({ command: strArr() }), httpGet, tcpSocket: preserve({ port: intOrString(), host: str() }),
});
const probe: Schema = preserve({
  ...handler(), grpc: preserve({ port: int(), service: str() }), initialDelaySeconds: int(), timeoutSeconds: int(),
  periodSeconds: int(), successThreshold: int(), failureThreshold: int(), terminationGracePeriodSeconds: int64(),
});
const lifecycleHandler: Schema = preserve({ ...handler(), sleep: preserve({ seconds: int64() }) });
const seccomp: Schema = preserve({ type: str(), localhostProfile: str() });
const seLinux: Schema = preserve({ level: str(), role: str(), type: str(), user: str() });
const containerSecurityContext: Schema = preserve({
  allowPrivilegeEscalation: bool(), privileged: bool(), readOnlyRootFilesystem: bool(), runAsNonRoot: bool(),
  runAsUser: int64(), runAsGroup: int64(), procMount: str(), capabilities: preserve({ add: strArr(), drop: strArr() }),
  seccompProfile: seccomp, appArmorProfile: seccomp, seLinuxOptions: seLinux, windowsOptions: preserve(),
});
const podSecurityContext: Schema = preserve({
  fsGroup: int64(), fsGroupChangePolicy: str(), runAsNonRoot: bool(), runAsUser: int64(), runAsGroup: int64(),
  supplementalGroups: arr(int64()), supplementalGroupsPolicy: str(), seccompProfile: seccomp, appArmorProfile: seccomp,
  seLinuxOptions: seLinux, seLinuxChangePolicy: str(), sysctls: arr(obj({ name: str(), value: str() })),
  windowsOptions: preserve(),
});
const requirement: Schema = obj({ key: str(), operator: str(), values: strArr() });
const nodeSelectorTerm: Schema = preserve({ matchExpressions: arr(requirement), matchFields: arr(requirement) });
const podAffinityTerm: Schema = preserve({
  labelSelector, namespaceSelector: labelSelector, namespaces: strArr(), topologyKey: str(),
  matchLabelKeys: strArr(), mismatchLabelKeys: strArr(),
});
const podAffinity: Schema = preserve({
  requiredDuringSchedulingIgnoredDuringExecution: arr(podAffinityTerm),
  preferredDuringSchedulingIgnoredDuringExecution: arr(preserve({ weight: int(), podAffinityTerm })),
});
const affinity: Schema = preserve({
  nodeAffinity: preserve({
    requiredDuringSchedulingIgnoredDuringExecution: preserve({ nodeSelectorTerms: arr(nodeSelectorTerm) }),
    preferredDuringSchedulingIgnoredDuringExecution: arr(preserve({ weight: int(), preference: nodeSelectorTerm })),
  }),
  podAffinity, podAntiAffinity: podAffinity,
});

const resources: Schema = obj({
  limits: mapOf(quantity()), requests: mapOf(quantity()), claims: arr(preserve({ name: str() })),
});

const envVar: Schema = obj({
  name: str(), value: str(),
  valueFrom: preserve({ configMapKeyRef: keyRef(), secretKeyRef: keyRef(), fieldRef, resourceFieldRef }),
}, { required: ['name'] });
const envFrom: Schema = obj({ prefix: str(), configMapRef: keyRef(), secretRef: keyRef() });
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
  livenessProbe: probe, readinessProbe: probe, startupProbe: probe,
  lifecycle: preserve({ postStart: lifecycleHandler, preStop: lifecycleHandler, stopSignal: str() }),
  terminationMessagePath: str(), terminationMessagePolicy: str(), securityContext: containerSecurityContext,
  stdin: bool(), stdinOnce: bool(), tty: bool(),
}, { required: ['name'] });

/** Ephemeral containers share Container's fields plus targetContainerName. */
const ephemeralContainer: Schema = { ...container, properties: { ...container.properties, targetContainerName: str() } };

// Volume sources not modelled below keep every field.
const VOLUME_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI',
  'emptyDir', 'ephemeral', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'hostPath',
  'image', 'iscsi', 'nfs', 'persistentVolumeClaim', 'photonPersistentDisk', 'portworxVolume', 'projected',
  'quobyte', 'rbd', 'scaleIO', 'secret', 'storageos', 'vsphereVolume',
];
const items = arr(keyToPath);
export const volume: Schema = obj(preserveEach(VOLUME_SOURCES, {
  name: str(),
  configMap: preserve({ name: str(), items, defaultMode: int(), optional: bool() }),
  secret: preserve({ secretName: str(), items, defaultMode: int(), optional: bool() }),
  emptyDir: preserve({ medium: str(), sizeLimit: quantity() }),
  hostPath: preserve({ path: str(), type: str() }),
  persistentVolumeClaim: preserve({ claimName: str(), readOnly: bool() }),
  projected: preserve({ defaultMode: int(), sources: arr(preserve({
    configMap: preserve({ name: str(), items, optional: bool() }), secret: preserve({ name: str(), items, optional: bool() }),
    serviceAccountToken: preserve({ audience: str(), expirationSeconds: int64(), path: str() }),
    downwardAPI: preserve({ items: arr(preserve({ path: str(), fieldRef, resourceFieldRef, mode: int() })) }),
  })) }),
}), { required: ['name'] });

const toleration: Schema = obj({ key: str(), operator: str(), value: str(), effect: str(), tolerationSeconds: int64() });

export const podSpec: Schema = obj({
  activeDeadlineSeconds: int64(), affinity, automountServiceAccountToken: bool(),
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
  schedulingGates: mergeList(obj({ name: str() }), 'name'), securityContext: podSecurityContext,
  serviceAccount: str(), serviceAccountName: str(), setHostnameAsFQDN: bool(), shareProcessNamespace: bool(),
  subdomain: str(), terminationGracePeriodSeconds: int64(), tolerations: arr(toleration),
  topologySpreadConstraints: arr(preserve({
    maxSkew: int(), topologyKey: str(), whenUnsatisfiable: str(), labelSelector, minDomains: int(),
    nodeAffinityPolicy: str(), nodeTaintsPolicy: str(), matchLabelKeys: strArr(),
  })),
  volumes: arr(volume, {
    'x-kubernetes-patch-strategy': 'merge,retainKeys', 'x-kubernetes-patch-merge-key': 'name',
    'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
  }),
}, { required: ['containers'] });

export const podTemplateSpec: Schema = obj({ metadata: objectMeta, spec: podSpec });
