// What the server knows about one resource type: names, scope, verbs, and the strategy that gives it behaviour.
// Built-in types are declared in builtins.ts; CRDs add types per logical cluster (crd-types.ts).
import type { StatusCause } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import type { RequestContext } from '../context.ts';

export interface PrinterColumn { name: string; type: string; jsonPath: string; description?: string; priority?: number; format?: string }

/** Per-resource behaviour, as kube's rest strategies (PrepareForCreate, Validate, ...). */
export interface Strategy {
  /** Set defaults and server-owned fields on a new object. */
  prepareForCreate?(obj: KObject): void;
  /** Carry over or reset fields the client may not change. */
  prepareForUpdate?(obj: KObject, old: KObject): void;
  validate?(obj: KObject): StatusCause[];
  validateUpdate?(obj: KObject, old: KObject): StatusCause[];
  /** Name validation (DNS subdomain by default). Returns error messages. */
  validateName?(name: string): string[];
  /** What clients see of a stored object (e.g. without a password hash); must not change its argument. */
  present?(obj: Readonly<KObject>): KObject;
}

/** A resource that is not stored: create-only APIs such as SubjectAccessReview or TokenReview. */
export type VirtualCreate = (ctx: RequestContext, body: KObject, namespace: string) => Promise<KObject>;

/** A subresource served by a dedicated handler (e.g. serviceaccounts/token). */
export interface SubresourceHandler {
  name: string;
  kind: string;
  group: string;
  version: string;
  verbs: string[];
  /** Handles the request; the parent object is looked up by the caller. */
  handle?: (ctx: RequestContext, parent: KObject, body: KObject | undefined) => Promise<{ code: number; object: unknown }>;
}

export interface ResourceType {
  group: string;
  version: string;
  resource: string;
  kind: string;
  listKind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: SubresourceHandler[];
  strategy: Strategy;
  /** Set for create-only virtual resources. */
  virtualCreate?: VirtualCreate;
  /** Only served in these logical clusters (undefined = every cluster). */
  onlyInClusters?: string[];
  /** For custom resources: printer columns and schema from the CRD. */
  printerColumns?: PrinterColumn[];
  schema?: Record<string, unknown>;
  /** True for types defined by a CRD. */
  custom?: boolean;
  /**
   * For a version served as a view of another stored version (autoscaling/v1 HPAs are stored as v2): the
   * conversions between the stored form and this version. Reads convert with toServed; writes store toStored.
   */
  versionView?: VersionView;
}

export interface VersionView {
  toServed(stored: KObject): KObject;
  toStored(served: KObject): KObject;
}

export const STORED_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function groupVersion(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}
