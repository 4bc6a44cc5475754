// Defaults Kubernetes 1.32 applies to built-in kinds (the SetDefaults_* functions of k8s.io/kubernetes/pkg/apis),
// for the fields users read back and printers show: workloads, pod templates, services, jobs, autoscalers, storage.
import type { KObject } from '../storage/interface.ts';

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The object at `key` of `o`, created when absent. */
const child = (o: J, key: string): J => (isObj(o[key]) ? o[key] as J : (o[key] = {}) as J);
const set = (o: J, key: string, value: unknown): void => { if (o[key] === undefined || o[key] === null) o[key] = value; };
const list = (v: unknown): J[] => (Array.isArray(v) ? v.filter(isObj) : []);

function container(c: J): void {
  set(c, 'terminationMessagePath', '/dev/termination-log');
  set(c, 'terminationMessagePolicy', 'File');
  const image = typeof c.image === 'string' ? c.image : '';
  const tagged = /:[^/]+$/.test(image.split('@')[0]) && !image.split('@')[0].endsWith(':latest');
  set(c, 'imagePullPolicy', image.includes('@') || tagged ? 'IfNotPresent' : 'Always');
  for (const p of list(c.ports)) set(p, 'protocol', 'TCP');
  set(c, 'resources', {});
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    if (!isObj(c[probe])) continue;
    const pr = c[probe] as J;
    set(pr, 'timeoutSeconds', 1); set(pr, 'periodSeconds', 10); set(pr, 'successThreshold', 1); set(pr, 'failureThreshold', 3);
    if (isObj(pr.httpGet)) set(pr.httpGet as J, 'scheme', 'HTTP');
  }
}

/** core/v1 PodSpec defaults (SetDefaults_PodSpec and its containers). */
export function defaultPodSpec(spec: J): void {
  set(spec, 'restartPolicy', 'Always');
  set(spec, 'terminationGracePeriodSeconds', 30);
  set(spec, 'dnsPolicy', 'ClusterFirst');
  set(spec, 'securityContext', {});
  set(spec, 'schedulerName', 'default-scheduler');
  if (spec.serviceAccountName !== undefined) set(spec, 'serviceAccount', spec.serviceAccountName);
  for (const c of [...list(spec.containers), ...list(spec.initContainers)]) container(c);
  for (const v of list(spec.volumes)) {
    for (const [src, mode] of [['configMap', 420], ['secret', 420], ['projected', 420], ['downwardAPI', 420]] as const) {
      if (isObj(v[src])) set(v[src] as J, 'defaultMode', mode);
    }
    if (isObj(v.hostPath)) set(v.hostPath as J, 'type', '');
  }
}

const podTemplate = (spec: J): void => defaultPodSpec(child(child(spec, 'template'), 'spec'));
const rollingUpdate = (strategy: J, type: string, values: J): void => {
  set(strategy, 'type', type);
  if (strategy.type === type) { const ru = child(strategy, 'rollingUpdate'); for (const [k, v] of Object.entries(values)) set(ru, k, v); }
};

function jobSpec(spec: J): void {
  const indexed = spec.completionMode === 'Indexed';
  set(spec, 'parallelism', 1);
  if (!indexed) set(spec, 'completions', 1);
  set(spec, 'backoffLimit', 6);
  set(spec, 'completionMode', 'NonIndexed');
  set(spec, 'suspend', false);
  set(spec, 'podReplacementPolicy', 'TerminatingOrFailed');
  podTemplate(spec);
}

const BY_KIND: Record<string, (obj: KObject) => void> = {
  '/Pod': (o) => defaultPodSpec(child(o, 'spec')),
  '/PodTemplate': (o) => defaultPodSpec(child(child(o, 'template'), 'spec')),
  '/ReplicationController': (o) => { const s = child(o, 'spec'); set(s, 'replicas', 1); podTemplate(s); },
  '/Service': (o) => {
    const s = child(o, 'spec');
    set(s, 'type', 'ClusterIP');
    set(s, 'sessionAffinity', 'None');
    if (s.type !== 'ExternalName') { set(s, 'ipFamilyPolicy', 'SingleStack'); set(s, 'ipFamilies', ['IPv4']); set(s, 'internalTrafficPolicy', 'Cluster'); }
    if (s.type === 'NodePort' || s.type === 'LoadBalancer') set(s, 'externalTrafficPolicy', 'Cluster');
    for (const p of list(s.ports)) { set(p, 'protocol', 'TCP'); set(p, 'targetPort', p.port); }
  },
  '/Secret': (o) => set(o, 'type', 'Opaque'),
  '/PersistentVolumeClaim': (o) => set(child(o, 'spec'), 'volumeMode', 'Filesystem'),
  '/PersistentVolume': (o) => { const s = child(o, 'spec'); set(s, 'persistentVolumeReclaimPolicy', 'Retain'); set(s, 'volumeMode', 'Filesystem'); },
  '/Endpoints': (o) => { for (const ss of list(o.subsets)) for (const p of list(ss.ports)) set(p, 'protocol', 'TCP'); },
  'apps/Deployment': (o) => {
    const s = child(o, 'spec');
    set(s, 'replicas', 1); set(s, 'revisionHistoryLimit', 10); set(s, 'progressDeadlineSeconds', 600);
    rollingUpdate(child(s, 'strategy'), 'RollingUpdate', { maxUnavailable: '25%', maxSurge: '25%' });
    podTemplate(s);
  },
  'apps/StatefulSet': (o) => {
    const s = child(o, 'spec');
    set(s, 'replicas', 1); set(s, 'revisionHistoryLimit', 10); set(s, 'podManagementPolicy', 'OrderedReady');
    rollingUpdate(child(s, 'updateStrategy'), 'RollingUpdate', { partition: 0 });
    const retention = child(s, 'persistentVolumeClaimRetentionPolicy');
    set(retention, 'whenDeleted', 'Retain'); set(retention, 'whenScaled', 'Retain');
    for (const t of list(s.volumeClaimTemplates)) set(child(t, 'spec'), 'volumeMode', 'Filesystem');
    podTemplate(s);
  },
  'apps/DaemonSet': (o) => {
    const s = child(o, 'spec');
    set(s, 'revisionHistoryLimit', 10);
    rollingUpdate(child(s, 'updateStrategy'), 'RollingUpdate', { maxUnavailable: 1, maxSurge: 0 });
    podTemplate(s);
  },
  'apps/ReplicaSet': (o) => { const s = child(o, 'spec'); set(s, 'replicas', 1); podTemplate(s); },
  'batch/Job': (o) => jobSpec(child(o, 'spec')),
  'batch/CronJob': (o) => {
    const s = child(o, 'spec');
    set(s, 'concurrencyPolicy', 'Allow'); set(s, 'suspend', false);
    set(s, 'successfulJobsHistoryLimit', 3); set(s, 'failedJobsHistoryLimit', 1);
    jobSpec(child(child(s, 'jobTemplate'), 'spec'));
  },
  'autoscaling/HorizontalPodAutoscaler': (o) => {
    const s = child(o, 'spec');
    set(s, 'minReplicas', 1);
    if (o.apiVersion === 'autoscaling/v2' && s.metrics === undefined) {
      s.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
    }
  },
  'networking.k8s.io/NetworkPolicy': (o) => {
    const s = child(o, 'spec');
    const egress = Array.isArray(s.egress) && s.egress.length > 0;
    set(s, 'policyTypes', egress ? ['Ingress', 'Egress'] : ['Ingress']);
    for (const rule of [...list(s.ingress), ...list(s.egress)]) for (const p of list(rule.ports)) set(p, 'protocol', 'TCP');
  },
  'scheduling.k8s.io/PriorityClass': (o) => set(o, 'preemptionPolicy', 'PreemptLowerPriority'),
  'storage.k8s.io/StorageClass': (o) => { set(o, 'reclaimPolicy', 'Delete'); set(o, 'volumeBindingMode', 'Immediate'); },
  'storage.k8s.io/CSIDriver': (o) => {
    const s = child(o, 'spec');
    set(s, 'attachRequired', true); set(s, 'podInfoOnMount', false); set(s, 'requiresRepublish', false);
    set(s, 'storageCapacity', false); set(s, 'fsGroupPolicy', 'ReadWriteOnceWithFSType'); set(s, 'volumeLifecycleModes', ['Persistent']);
    set(s, 'seLinuxMount', false);
  },
  'discovery.k8s.io/EndpointSlice': (o) => { for (const p of list(o.ports)) set(p, 'protocol', 'TCP'); },
  'flowcontrol.apiserver.k8s.io/FlowSchema': (o) => set(child(o, 'spec'), 'matchingPrecedence', 1000),
};

/** Applies the defaults of a built-in kind to `obj` in place (fields already set are kept). */
export function applyBuiltinDefaults(group: string, kind: string, obj: KObject): void {
  BY_KIND[`${group}/${kind}`]?.(obj);
}
