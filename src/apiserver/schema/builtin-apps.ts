// Schemas of apps/v1 Deployment, StatefulSet, DaemonSet, ReplicaSet: specs complete at the top level,
// pod templates via builtin-pod.ts, status preserve-unknown.
import { arr, bool, int, intOrString, obj, preserve, str, type Schema } from './schema-types.ts';
import { kindSchema, labelSelector, objectMeta } from './builtin-meta.ts';
import { podTemplateSpec } from './builtin-pod.ts';
import { pvcSpec } from './builtin-core.ts';

const deployment = kindSchema({
  spec: obj({
    minReadySeconds: int(), paused: bool(), progressDeadlineSeconds: int(), replicas: int(),
    revisionHistoryLimit: int(), selector: labelSelector,
    strategy: obj({ type: str(), rollingUpdate: obj({ maxSurge: intOrString(), maxUnavailable: intOrString() }) }),
    template: podTemplateSpec,
  }, { required: ['selector', 'template'] }),
  status: preserve(),
});

const statefulSet = kindSchema({
  spec: obj({
    minReadySeconds: int(), ordinals: obj({ start: int() }),
    persistentVolumeClaimRetentionPolicy: obj({ whenDeleted: str(), whenScaled: str() }),
    podManagementPolicy: str(), replicas: int(), revisionHistoryLimit: int(), selector: labelSelector,
    serviceName: str(), template: podTemplateSpec,
    updateStrategy: obj({ type: str(), rollingUpdate: obj({ maxUnavailable: intOrString(), partition: int() }) }),
    volumeClaimTemplates: arr(obj({
      apiVersion: str(), kind: str(), metadata: objectMeta, spec: pvcSpec, status: preserve(),
    }), { 'x-kubernetes-list-type': 'atomic' }),
  }, { required: ['selector', 'template'] }),
  status: preserve(),
});

const daemonSet = kindSchema({
  spec: obj({
    minReadySeconds: int(), revisionHistoryLimit: int(), selector: labelSelector, template: podTemplateSpec,
    updateStrategy: obj({ type: str(), rollingUpdate: obj({ maxSurge: intOrString(), maxUnavailable: intOrString() }) }),
  }, { required: ['selector', 'template'] }),
  status: preserve(),
});

const replicaSet = kindSchema({
  spec: obj({ minReadySeconds: int(), replicas: int(), selector: labelSelector, template: podTemplateSpec },
    { required: ['selector'] }),
  status: preserve(),
});

export const appsSchemas: Record<string, Schema> = {
  Deployment: deployment, StatefulSet: statefulSet, DaemonSet: daemonSet, ReplicaSet: replicaSet,
};
