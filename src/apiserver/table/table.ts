// toTable: turns objects of one kind into a meta.k8s.io/v1 Table with the columns kubectl users know,
// choosing the printer by (group, kind); rows carry the object, its PartialObjectMetadata, or nothing.
import type { KObject } from '../storage/interface.ts';
import type { IncludeObject, KindDescriptor, Printer, TableObject, TableRow } from './table-types.ts';
import { podPrinter } from './printers-pod.ts';
import {
  configMapPrinter, endpointsPrinter, eventPrinter, eventsV1Printer, namespacePrinter, nodePrinter, pvPrinter,
  pvcPrinter, secretPrinter, serviceAccountPrinter, servicePrinter,
} from './printers-core.ts';
import {
  clusterRoleBindingPrinter, createdAtPrinter, daemonSetPrinter, deploymentPrinter, nameAgePrinter,
  replicaSetPrinter, roleBindingPrinter, statefulSetPrinter,
} from './printers-apps-rbac.ts';
import { customResourcePrinter } from './custom-columns.ts';
import {
  controllerRevisionPrinter, cronJobPrinter, csrPrinter, endpointSlicePrinter, hpaPrinter, ingressClassPrinter,
  ingressPrinter, jobPrinter, leasePrinter, networkPolicyPrinter, pdbPrinter, priorityClassPrinter,
  replicationControllerPrinter, resourceQuotaPrinter, runtimeClassPrinter, storageClassPrinter, webhookConfigurationPrinter,
} from './printers-batch-net.ts';

const RBAC = 'rbac.authorization.k8s.io';
const BUILTIN: Record<string, Printer> = {
  '/Pod': podPrinter, '/Namespace': namespacePrinter, '/Service': servicePrinter, '/ConfigMap': configMapPrinter,
  '/Secret': secretPrinter, '/ServiceAccount': serviceAccountPrinter, '/Event': eventPrinter, '/Node': nodePrinter,
  '/PersistentVolumeClaim': pvcPrinter, '/PersistentVolume': pvPrinter, '/Endpoints': endpointsPrinter,
  'events.k8s.io/Event': eventsV1Printer,
  'apps/Deployment': deploymentPrinter, 'apps/StatefulSet': statefulSetPrinter, 'apps/DaemonSet': daemonSetPrinter,
  'apps/ReplicaSet': replicaSetPrinter,
  [`${RBAC}/Role`]: createdAtPrinter, [`${RBAC}/ClusterRole`]: createdAtPrinter,
  [`${RBAC}/RoleBinding`]: roleBindingPrinter, [`${RBAC}/ClusterRoleBinding`]: clusterRoleBindingPrinter,
  'apiextensions.k8s.io/CustomResourceDefinition': createdAtPrinter,
  '/ReplicationController': replicationControllerPrinter, '/ResourceQuota': resourceQuotaPrinter,
  '/LimitRange': createdAtPrinter, 'apps/ControllerRevision': controllerRevisionPrinter,
  'batch/Job': jobPrinter, 'batch/CronJob': cronJobPrinter,
  'networking.k8s.io/Ingress': ingressPrinter, 'networking.k8s.io/IngressClass': ingressClassPrinter,
  'networking.k8s.io/NetworkPolicy': networkPolicyPrinter, 'policy/PodDisruptionBudget': pdbPrinter,
  'autoscaling/HorizontalPodAutoscaler': hpaPrinter, 'scheduling.k8s.io/PriorityClass': priorityClassPrinter,
  'storage.k8s.io/StorageClass': storageClassPrinter, 'coordination.k8s.io/Lease': leasePrinter,
  'discovery.k8s.io/EndpointSlice': endpointSlicePrinter, 'node.k8s.io/RuntimeClass': runtimeClassPrinter,
  'certificates.k8s.io/CertificateSigningRequest': csrPrinter,
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': webhookConfigurationPrinter,
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': webhookConfigurationPrinter,
};

/** The printer for a kind: CRD columns for custom resources, the built-in printer, else NAME AGE. */
export function printerFor(d: KindDescriptor): Printer {
  if (d.custom || (d.printerColumns && d.printerColumns.length > 0)) return customResourcePrinter(d.printerColumns);
  return BUILTIN[`${d.group}/${d.kind}`] ?? nameAgePrinter;
}

export interface ToTableOptions {
  includeObject: IncludeObject;
  now: Date;
  /** List metadata to put on the table (resourceVersion, continue). */
  listMeta?: TableObject['metadata'];
}

export function toTable(d: KindDescriptor, objects: readonly KObject[], opts: ToTableOptions): TableObject {
  const printer = printerFor(d);
  const apiVersion = d.group ? `${d.group}/${d.version}` : d.version;
  const rows = objects.map((obj): TableRow => {
    const { cells, conditions } = printer.row(obj, opts.now);
    const row: TableRow = { cells };
    if (conditions) row.conditions = conditions;
    if (opts.includeObject === 'Object') row.object = obj.kind ? obj : { apiVersion, kind: d.kind, ...obj };
    else if (opts.includeObject === 'Metadata') {
      row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
    }
    return row;
  });
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { ...(opts.listMeta ?? {}) },
    columnDefinitions: printer.columns, rows,
  };
}
