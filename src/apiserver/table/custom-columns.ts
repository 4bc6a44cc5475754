// Printer for custom resources: Name plus the CRD's additionalPrinterColumns (JSONPath cells typed like the
// apiextensions table convertor), or Name + Age when the CRD declares none.
import { humanDuration } from './duration.ts';
import { evaluateJsonPath, parseJsonPath } from './jsonpath.ts';
import { column, nameColumn, type Printer, type PrinterColumn } from './table-types.ts';

const AGE_COLUMN: PrinterColumn = {
  name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
};

/** cellForJSONValue: the cell for a column type, or null when the value does not fit it. */
export function cellFor(type: string, value: unknown, now: Date): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'integer': return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number': return typeof value === 'number' ? value : null;
    case 'boolean': return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = Date.parse(value);
      return Number.isNaN(t) ? '<invalid>' : humanDuration(now.getTime() - t);
    }
    case 'string':
      if (typeof value === 'string') return value;
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    default: return null;
  }
}

const cache = new WeakMap<PrinterColumn[], Printer>();

export function customResourcePrinter(columns: PrinterColumn[] | undefined): Printer {
  const cached = columns && cache.get(columns);
  if (cached) return cached;
  const cols = columns && columns.length > 0 ? columns : [AGE_COLUMN];
  const paths = cols.map((c) => { try { return parseJsonPath(c.jsonPath); } catch { return undefined; } });
  const printer: Printer = {
    columns: [nameColumn(), ...cols.map((c) => column(c.name, {
      type: c.type, format: c.format, priority: c.priority, description: c.description,
    }))],
    row: (obj, now) => ({
      cells: [obj.metadata.name ?? '', ...cols.map((c, i) => {
        const path = paths[i];
        return path ? cellFor(c.type, evaluateJsonPath(path, obj)[0], now) : null;
      })],
    }),
  };
  if (columns) cache.set(columns, printer);
  return printer;
}
