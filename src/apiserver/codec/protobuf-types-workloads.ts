// Protobuf descriptors of apps/v1 Deployment and batch/v1 Job and CronJob (k8s.io/api/{apps,batch}/v1/generated.proto).
// Pod failure/success policies are not modelled (refused); status is ignored.
import type { KindSpec, MessageSpecs } from './protobuf-schema.ts';

export const workloadMessages: MessageSpecs = {
  RollingUpdateDeployment: { maxUnavailable: [1, 'IntOrString', 'p'], maxSurge: [2, 'IntOrString', 'p'] },
  DeploymentStrategy: { type: [1, 'string'], rollingUpdate: [2, 'RollingUpdateDeployment'] },
  DeploymentSpec: {
    replicas: [1, 'int32', 'p'],
    selector: [2, 'LabelSelector'],
    template: [3, 'PodTemplateSpec', 'v'],
    strategy: [4, 'DeploymentStrategy', 'v'],
    minReadySeconds: [5, 'int32'],
    revisionHistoryLimit: [6, 'int32', 'p'],
    paused: [7, 'bool'],
    progressDeadlineSeconds: [9, 'int32', 'p'],
  },
  Deployment: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'DeploymentSpec', 'v'], status: [3, 'bytes', 'x'] },
  JobSpec: {
    parallelism: [1, 'int32', 'p'],
    completions: [2, 'int32', 'p'],
    activeDeadlineSeconds: [3, 'int64', 'p'],
    backoffLimit: [7, 'int32', 'p'],
    backoffLimitPerIndex: [12, 'int32', 'p'],
    maxFailedIndexes: [13, 'int32', 'p'],
    selector: [4, 'LabelSelector'],
    manualSelector: [5, 'bool', 'p'],
    template: [6, 'PodTemplateSpec', 'v'],
    ttlSecondsAfterFinished: [8, 'int32', 'p'],
    completionMode: [9, 'string', 'p'],
    suspend: [10, 'bool', 'p'],
    podReplacementPolicy: [14, 'string', 'p'],
    managedBy: [15, 'string', 'p'],
  },
  Job: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'JobSpec', 'v'], status: [3, 'bytes', 'x'] },
  JobTemplateSpec: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'JobSpec', 'v'] },
  CronJobSpec: {
    schedule: [1, 'string'],
    timeZone: [8, 'string', 'p'],
    startingDeadlineSeconds: [2, 'int64', 'p'],
    concurrencyPolicy: [3, 'string'],
    suspend: [4, 'bool', 'p'],
    jobTemplate: [5, 'JobTemplateSpec', 'v'],
    successfulJobsHistoryLimit: [6, 'int32', 'p'],
    failedJobsHistoryLimit: [7, 'int32', 'p'],
  },
  CronJob: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'CronJobSpec', 'v'], status: [3, 'bytes', 'x'] },
};

export const workloadKinds: KindSpec[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment', message: 'Deployment' },
  { apiVersion: 'batch/v1', kind: 'Job', message: 'Job' },
  { apiVersion: 'batch/v1', kind: 'CronJob', message: 'CronJob' },
];
