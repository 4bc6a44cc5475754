// Protobuf descriptors of the kinds `kubectl create ingress|poddisruptionbudget|priorityclass|quota` and
// `kubectl autoscale` send (k8s.io/api {networking,policy,scheduling,autoscaling,core}/v1 generated.proto).
// Go fields without omitempty (and pointers) are 'p': a zero value that was sent is kept. Status is ignored.
import type { KindSpec, MessageSpecs } from './protobuf-schema.ts';

export const policyMessages: MessageSpecs = {
  TypedLocalObjectReference: { apiGroup: [1, 'string', 'p'], kind: [2, 'string', 'p'], name: [3, 'string', 'p'] },
  ServiceBackendPort: { name: [1, 'string'], number: [2, 'int32'] },
  IngressServiceBackend: { name: [1, 'string', 'p'], port: [2, 'ServiceBackendPort', 'v'] },
  IngressBackend: { service: [4, 'IngressServiceBackend'], resource: [3, 'TypedLocalObjectReference'] },
  HTTPIngressPath: { path: [1, 'string'], pathType: [3, 'string', 'p'], backend: [2, 'IngressBackend', 'p'] },
  HTTPIngressRuleValue: { paths: [1, 'HTTPIngressPath', 'r'] },
  IngressRuleValue: { http: [1, 'HTTPIngressRuleValue'] },
  IngressRule: { host: [1, 'string'], ingressRuleValue: [2, 'IngressRuleValue', 'i'] },
  IngressTLS: { hosts: [1, 'string', 'r'], secretName: [2, 'string'] },
  IngressSpec: {
    ingressClassName: [4, 'string', 'p'], defaultBackend: [1, 'IngressBackend'], tls: [2, 'IngressTLS', 'r'],
    rules: [3, 'IngressRule', 'r'],
  },
  Ingress: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'IngressSpec', 'v'], status: [3, 'bytes', 'x'] },
  PodDisruptionBudgetSpec: {
    minAvailable: [1, 'IntOrString', 'p'], selector: [2, 'LabelSelector'], maxUnavailable: [3, 'IntOrString', 'p'],
    unhealthyPodEvictionPolicy: [4, 'string', 'p'],
  },
  PodDisruptionBudget: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'PodDisruptionBudgetSpec', 'v'], status: [3, 'bytes', 'x'] },
  PriorityClass: {
    metadata: [1, 'ObjectMeta', 'v'], value: [2, 'int32', 'p'], globalDefault: [3, 'bool'], description: [4, 'string'],
    preemptionPolicy: [5, 'string', 'p'],
  },
  ScopedResourceSelectorRequirement: { scopeName: [1, 'string', 'p'], operator: [2, 'string', 'p'], values: [3, 'string', 'r'] },
  ScopeSelector: { matchExpressions: [1, 'ScopedResourceSelectorRequirement', 'r'] },
  ResourceQuotaSpec: { hard: [1, 'Quantity', 'm'], scopes: [2, 'string', 'r'], scopeSelector: [3, 'ScopeSelector'] },
  ResourceQuota: { metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'ResourceQuotaSpec', 'v'], status: [3, 'bytes', 'x'] },
  CrossVersionObjectReference: { kind: [1, 'string', 'p'], name: [2, 'string', 'p'], apiVersion: [3, 'string'] },
  HorizontalPodAutoscalerSpec: {
    scaleTargetRef: [1, 'CrossVersionObjectReference', 'p'], minReplicas: [2, 'int32', 'p'],
    maxReplicas: [3, 'int32', 'p'], targetCPUUtilizationPercentage: [4, 'int32', 'p'],
  },
  HorizontalPodAutoscaler: {
    metadata: [1, 'ObjectMeta', 'v'], spec: [2, 'HorizontalPodAutoscalerSpec', 'v'], status: [3, 'bytes', 'x'],
  },
};

export const policyKinds: KindSpec[] = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', message: 'Ingress' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', message: 'PodDisruptionBudget' },
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', message: 'PriorityClass' },
  { apiVersion: 'v1', kind: 'ResourceQuota', message: 'ResourceQuota' },
  { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', message: 'HorizontalPodAutoscaler' },
];
