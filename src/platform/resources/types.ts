// The platform's resource types in management.portcullis.io/v1 (served only in root), their names,
// labels, annotations and finalizers, and small typed accessors over stored objects.
import { STORED_VERBS, type ResourceType } from '../../apiserver/registry/types.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { defineType } from '../../apiserver/registry/builtins.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { projectStrategy, teamStrategy, templateStrategy, tenantClusterStrategy, userStrategy } from './strategies.ts';
import {
  projectSpecSchema, teamSpecSchema, templateSpecSchema, tenantClusterSpecSchema, tenantClusterStatusSchema, userSpecSchema,
  type ProjectSpec, type TeamSpec, type TemplateSpec, type TenantClusterSpec, type UserSpec,
} from './schemas.ts';
import { kindSchema } from '../../apiserver/schema/index.ts';

export const GROUP = 'management.portcullis.io';
export const VERSION = 'v1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const HOST_CLUSTER = 'host';

/** Finalizers held by the platform controllers. */
export const TENANT_FINALIZER = 'management.portcullis.io/tenant-cluster';
/** Held until the tenant's host-tier RBAC objects are removed (set at creation; the host-RBAC controller releases it). */
export const HOST_RBAC_FINALIZER = 'management.portcullis.io/host-rbac';
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
  schema: kindSchema({ description: 'A platform user: a person who logs in with a password, an identity provider or '
    + 'credentials. Management access and role mapping refer to users by name.', spec: userSpecSchema }),
};
export const teamType: ResourceType = {
  ...defineType(GROUP, VERSION, 'teams', 'Team', { cluster: true, onlyInClusters: onlyRoot, strategy: teamStrategy }),
  printerColumns: [col('Display Name', '.spec.displayName'), col('Members', '.spec.members'), age],
  schema: kindSchema({ description: 'A group of users (and identity-provider groups) that projects, access rules and '
    + 'role mapping refer to as one.', spec: teamSpecSchema }),
};
export const projectType: ResourceType = {
  ...defineType(GROUP, VERSION, 'projects', 'Project', { cluster: true, onlyInClusters: onlyRoot, strategy: projectStrategy }),
  printerColumns: [col('Display Name', '.spec.displayName'), age],
  schema: kindSchema({ description: 'A project groups tenant clusters with their members (roles admin, member, '
    + 'viewer), the templates they may use, and a credential policy.', spec: projectSpecSchema }),
};
export const tenantClusterType: ResourceType = {
  ...defineType(GROUP, VERSION, 'tenantclusters', 'TenantCluster', {
    cluster: true, onlyInClusters: onlyRoot, strategy: tenantClusterStrategy, status: true, shortNames: ['tc'],
    // `use` is what management access checks (kubectl create clusterrole --verb=use ...).
    verbs: [...STORED_VERBS, 'use'],
  }),
  printerColumns: [col('Project', '.spec.project'), col('Phase', '.status.phase'), col('Reason', '.status.conditions[?(@.type=="Ready")].reason'), col('URL', '.status.apiURL', 1), col('Template', '.spec.templateRef.name', 1), age],
  schema: kindSchema({ description: 'A tenant cluster: a logical Kubernetes cluster of the same name, reachable at '
    + '/clusters/<name>, with management access, role mapping, objects, host-tier RBAC and delegation.',
  spec: tenantClusterSpecSchema, status: tenantClusterStatusSchema }),
};
export const templateType: ResourceType = {
  ...defineType(GROUP, VERSION, 'tenantclustertemplates', 'TenantClusterTemplate', { cluster: true, onlyInClusters: onlyRoot, strategy: templateStrategy }),
  printerColumns: [col('Display Name', '.spec.displayName'), age],
  schema: kindSchema({ description: 'Shared settings for tenant clusters: fields set in spec.template override the '
    + "instance's own (a TenantCluster names it in spec.templateRef).", spec: templateSpecSchema }),
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
