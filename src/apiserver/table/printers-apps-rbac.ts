// Printers of apps/v1 workloads, RBAC bindings, the "Created At" default (Role, ClusterRole, CRD) and the
// NAME AGE fallback.
import type { KObject } from '../storage/interface.ts';
import { ageColumn, column, createdAtColumn, nameColumn, wide, type Printer } from './table-types.ts';
import { ageSince } from './duration.ts';
import { containerCells, formatLabelSelector, formatLabels, labelSelectorString, n, o, s, subjectsStrings } from './format.ts';

const age = (obj: KObject, now: Date): string => ageSince(obj.metadata.creationTimestamp, now);
const name = (obj: KObject): string => obj.metadata.name ?? '';
const containers = (obj: KObject): [string, string] => containerCells(o(obj, 'spec', 'template', 'spec').containers);
/** spec.replicas, defaulted to 1 as the API server does. */
const replicas = (obj: KObject): number => n(o(obj, 'spec').replicas, 1);
const templateColumns = () => [wide('Containers', 'Names of each container in the template.'),
  wide('Images', 'Images referenced by each container in the template.')];

export const deploymentPrinter: Printer = {
  columns: [nameColumn(), column('Ready', { description: 'Number of the pod with ready state' }),
    column('Up-to-date', { description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.' }),
    column('Available', { description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.' }),
    ageColumn(), ...templateColumns(), wide('Selector', 'Label selector for pods.')],
  row(obj, now) {
    const st = o(obj, 'status');
    const [names, images] = containers(obj);
    return { cells: [name(obj), `${n(st.readyReplicas)}/${replicas(obj)}`, n(st.updatedReplicas), n(st.availableReplicas),
      age(obj, now), names, images, labelSelectorString(o(obj, 'spec').selector)] };
  },
};

export const statefulSetPrinter: Printer = {
  columns: [nameColumn(), column('Ready', { description: 'Number of the pod with ready state' }), ageColumn(), ...templateColumns()],
  row(obj, now) {
    const [names, images] = containers(obj);
    return { cells: [name(obj), `${n(o(obj, 'status').readyReplicas)}/${replicas(obj)}`, age(obj, now), names, images] };
  },
};

export const daemonSetPrinter: Printer = {
  columns: [nameColumn(), column('Desired', { type: 'integer' }), column('Current', { type: 'integer' }),
    column('Ready', { type: 'integer' }), column('Up-to-date', { type: 'integer' }), column('Available', { type: 'integer' }),
    column('Node Selector', { description: 'NodeSelector is a selector which must be true for the pod to fit on a node.' }),
    ageColumn(), ...templateColumns(), wide('Selector', 'A label query over pods that are managed by the daemon set.')],
  row(obj, now) {
    const st = o(obj, 'status');
    const [names, images] = containers(obj);
    return { cells: [name(obj), n(st.desiredNumberScheduled), n(st.currentNumberScheduled), n(st.numberReady),
      n(st.updatedNumberScheduled), n(st.numberAvailable), formatLabels(o(obj, 'spec', 'template', 'spec').nodeSelector),
      age(obj, now), names, images, formatLabelSelector(o(obj, 'spec').selector)] };
  },
};

export const replicaSetPrinter: Printer = {
  columns: [nameColumn(), column('Desired', { type: 'integer' }), column('Current', { type: 'integer' }),
    column('Ready', { type: 'integer' }), ageColumn(), ...templateColumns(),
    wide('Selector', 'Selector is a label query over pods that should match the replica count.')],
  row(obj, now) {
    const st = o(obj, 'status');
    const [names, images] = containers(obj);
    return { cells: [name(obj), replicas(obj), n(st.replicas), n(st.readyReplicas), age(obj, now), names, images,
      formatLabelSelector(o(obj, 'spec').selector)] };
  },
};

function bindingPrinter(what: string): Printer {
  return {
    columns: [nameColumn(), column('Role', { description: 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.' }),
      ageColumn(), wide('Users', `Users in the ${what}`), wide('Groups', `Groups in the ${what}`),
      wide('ServiceAccounts', `ServiceAccounts in the ${what}`)],
    row(obj, now) {
      const ref = o(obj, 'roleRef');
      const subj = subjectsStrings(obj.subjects);
      return { cells: [name(obj), `${s(ref.kind)}/${s(ref.name)}`, age(obj, now), subj.users.join(', '),
        subj.groups.join(', '), subj.serviceAccounts.join(', ')] };
    },
  };
}
export const roleBindingPrinter = bindingPrinter('roleBinding');
export const clusterRoleBindingPrinter = bindingPrinter('clusterRoleBinding');

/** The API server's default table (NAME, CREATED AT as RFC3339 UTC). */
export const createdAtPrinter: Printer = {
  columns: [nameColumn(), createdAtColumn()],
  row(obj) {
    const ts = Date.parse(obj.metadata.creationTimestamp ?? '');
    return { cells: [name(obj), Number.isNaN(ts) ? '0001-01-01T00:00:00Z' : new Date(ts).toISOString().replace(/\.\d{3}Z$/, 'Z')] };
  },
};

export const nameAgePrinter: Printer = {
  columns: [nameColumn(), ageColumn()],
  row: (obj, now) => ({ cells: [name(obj), age(obj, now)] }),
};
