// Types of meta.k8s.io/v1 Table responses and of the printers that fill them.
import type { KObject } from '../storage/interface.ts';

export interface TableColumnDefinition { name: string; type: string; format: string; description: string; priority: number }
export interface TableRowCondition { type: string; status: string; reason?: string; message?: string }
export interface TableRow { cells: unknown[]; conditions?: TableRowCondition[]; object?: unknown }
/** A type alias (not an interface) so callers may treat it as Record<string, unknown>. */
export type TableObject = {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
};
export type IncludeObject = 'Object' | 'Metadata' | 'None';

/** A CRD additionalPrinterColumns entry. */
export interface PrinterColumn { name: string; type: string; jsonPath: string; format?: string; description?: string; priority?: number }

/** The type being printed (registry ResourceType satisfies it). */
export interface KindDescriptor {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  /** A CRD version's additionalPrinterColumns. */
  printerColumns?: PrinterColumn[];
  /** True for CRD-defined types (Name + printer columns, or Name + Age). */
  custom?: boolean;
}

/** Server-side printing of one kind: fixed columns and a row function (all cells, wide ones included). */
export interface Printer {
  columns: TableColumnDefinition[];
  row(obj: KObject, now: Date): { cells: unknown[]; conditions?: TableRowCondition[] };
}

const NAME_DOC = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const CREATED_DOC = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export function column(name: string, opts: { type?: string; format?: string; priority?: number; description?: string } = {}): TableColumnDefinition {
  return { name, type: opts.type ?? 'string', format: opts.format ?? '', description: opts.description ?? '', priority: opts.priority ?? 0 };
}
export const nameColumn = (): TableColumnDefinition => column('Name', { format: 'name', description: NAME_DOC });
export const ageColumn = (): TableColumnDefinition => column('Age', { description: CREATED_DOC });
export const createdAtColumn = (): TableColumnDefinition => column('Created At', { type: 'date', description: CREATED_DOC });
export const wide = (name: string, description = ''): TableColumnDefinition => column(name, { priority: 1, description });
