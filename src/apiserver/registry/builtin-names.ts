// Discovery names the OpenAPI does not carry: short names and categories of built-in resources, as a Kubernetes 1.32
// server lists them (`kubectl api-resources`). Keyed by "<group>/<resource>".

export interface ResourceNames { shortNames?: string[]; categories?: string[] }

const ALL = ['all'];
const EXT = ['api-extensions'];

export const BUILTIN_NAMES: Readonly<Record<string, ResourceNames>> = {
  '/componentstatuses': { shortNames: ['cs'] },
  '/configmaps': { shortNames: ['cm'] },
  '/endpoints': { shortNames: ['ep'] },
  '/events': { shortNames: ['ev'] },
  '/limitranges': { shortNames: ['limits'] },
  '/namespaces': { shortNames: ['ns'] },
  '/nodes': { shortNames: ['no'] },
  '/persistentvolumeclaims': { shortNames: ['pvc'] },
  '/persistentvolumes': { shortNames: ['pv'] },
  '/pods': { shortNames: ['po'], categories: ALL },
  '/replicationcontrollers': { shortNames: ['rc'], categories: ALL },
  '/resourcequotas': { shortNames: ['quota'] },
  '/serviceaccounts': { shortNames: ['sa'] },
  '/services': { shortNames: ['svc'], categories: ALL },
  'apiregistration.k8s.io/apiservices': { categories: EXT },
  'apps/daemonsets': { shortNames: ['ds'], categories: ALL },
  'apps/deployments': { shortNames: ['deploy'], categories: ALL },
  'apps/replicasets': { shortNames: ['rs'], categories: ALL },
  'apps/statefulsets': { shortNames: ['sts'], categories: ALL },
  'events.k8s.io/events': { shortNames: ['ev'] },
  'autoscaling/horizontalpodautoscalers': { shortNames: ['hpa'], categories: ALL },
  'batch/cronjobs': { shortNames: ['cj'], categories: ALL },
  'batch/jobs': { categories: ALL },
  'certificates.k8s.io/certificatesigningrequests': { shortNames: ['csr'] },
  'networking.k8s.io/ingresses': { shortNames: ['ing'] },
  'networking.k8s.io/networkpolicies': { shortNames: ['netpol'] },
  'policy/poddisruptionbudgets': { shortNames: ['pdb'] },
  'storage.k8s.io/storageclasses': { shortNames: ['sc'] },
  'admissionregistration.k8s.io/mutatingwebhookconfigurations': { categories: EXT },
  'admissionregistration.k8s.io/validatingadmissionpolicies': { categories: EXT },
  'admissionregistration.k8s.io/validatingadmissionpolicybindings': { categories: EXT },
  'admissionregistration.k8s.io/validatingwebhookconfigurations': { categories: EXT },
  'apiextensions.k8s.io/customresourcedefinitions': { shortNames: ['crd', 'crds'], categories: EXT },
  'scheduling.k8s.io/priorityclasses': { shortNames: ['pc'] },
};
