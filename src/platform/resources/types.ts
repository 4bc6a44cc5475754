// The platform's resource types in management.portcullis.io/v1 (served only in root), their names,
// labels, annotations and finalizers, and small typed accessors over stored objects.
import type { ResourceType } from '../../apiserver/registry/types.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { defineType } from '../../apiserver/registry/builtins.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { projectStrategy, teamStrategy, templateStrategy, tenantClusterStrategy, userStrategy } from './strategies.ts';
import type { ProjectSpec, TeamSpec, TemplateSpec, TenantClusterSpec, UserSpec } from './schemas.ts';

export const GROUP = 'management.portcullis.io';
export const VERSION = 'v1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const HOST_CLUSTER = 'host';

/** Finalizers held by the platform controllers. */
export const TENANT_FINALIZER = 'management.portcullis.io/tenant-cluster';
export const PROJECT_FINALIZER = 'management.portcullis.io/project';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** On objects applied from `objects` inside a tenant. */
export const MANAGED_BY_LABEL = 'management.portcullis.io/managed-by';
export const MANAGED_BY_VALUE = 'platform';
/** On ClusterRoleBindings materialised by role mapping inside a tenant. */
export const MANAGED_LABEL = 'management.portcullis.io/managed';
/** On the LogicalCluster of a tenant: the TenantCluster that owns it. */
export const TENANT_LABEL = 'management.portcullis.io/tenant-cluster';
/** Read by the audit module on LogicalClusters. */
export const AUDIT_ANNOTATION = 'audit.portcullis.io/enabled';
/** Opt-in on a Project for deleting it together with its tenant clusters. */
export const CASCADE_ANNOTATION = 'management.portcullis.io/cascade-delete';

const onlyRoot = [ROOT_CLUSTER];
const col = (name: string, jsonPath: string, priority = 0) => ({ name, type: 'string', jsonPath, priority });
const age = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export const userType: ResourceType = {
  ...defineType(GROUP, VERSION, 'users', 'User', { cluster: true, onlyInClusters: onlyRoot, strategy: userStrategy }),
  printerColumns: [col('Display Name', '.spec.displayName'), col('Email', '.spec.email'), { name: 'Global Admin', type: 'boolean', jsonPath: '.spec.globalAdmin' }, age],
};
export const teamType: ResourceType = {
  ...defineType(GROUP, VERSION, 'teams', 'Team', { cluster: true, onlyInClusters: onlyRoot, strategy: teamStrategy }),
  printerColumns: [col('Display Name', '.spec.displayName'), col('Members', '.spec.members'), age],
};
export const projectType: ResourceType = {
  ...defineType(GROUP, VERSION, 'projects', 'Project', { cluster: true, onlyInClusters: onlyRoot, strategy: projectStrategy }),
  printerColumns: [col('Display Name', '.spec.displayName'), age],
};
export const tenantClusterType: ResourceType = {
  ...defineType(GROUP, VERSION, 'tenantclusters', 'TenantCluster', { cluster: true, onlyInClusters: onlyRoot, strategy: tenantClusterStrategy, status: true, shortNames: ['tc'] }),
  printerColumns: [col('Project', '.spec.project'), col('Phase', '.status.phase'), col('URL', '.status.apiURL', 1), col('Template', '.spec.templateRef.name', 1), age],
};
export const templateType: ResourceType = {
  ...defineType(GROUP, VERSION, 'tenantclustertemplates', 'TenantClusterTemplate', { cluster: true, onlyInClusters: onlyRoot, strategy: templateStrategy }),
  printerColumns: [col('Display Name', '.spec.displayName'), age],
};

export const platformTypes: ResourceType[] = [userType, teamType, projectType, tenantClusterType, templateType];

export interface Condition { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string; lastTransitionTime?: string }
export type TenantPhase = 'Pending' | 'Ready' | 'Terminating' | 'Failed';
export interface ObjectRef { apiVersion: string; kind: string; namespace?: string; name: string }
export interface TenantClusterStatus {
  phase: TenantPhase;
  apiURL?: string;
  logicalCluster?: string;
  observedGeneration?: number;
  conditions?: Condition[];
  /** The spec after the template's fields were applied. */
  effective?: TenantClusterSpec;
  appliedObjects?: ObjectRef[];
}

export const userSpec = (o: KObject): UserSpec => (o.spec ?? {}) as UserSpec;
export const teamSpec = (o: KObject): TeamSpec => (o.spec ?? {}) as TeamSpec;
export const projectSpec = (o: KObject): ProjectSpec => (o.spec ?? {}) as ProjectSpec;
export const tenantSpec = (o: KObject): TenantClusterSpec => (o.spec ?? {}) as TenantClusterSpec;
export const templateSpec = (o: KObject): TemplateSpec => (o.spec ?? {}) as TemplateSpec;
export const tenantStatus = (o: KObject): TenantClusterStatus | undefined => o.status as TenantClusterStatus | undefined;
