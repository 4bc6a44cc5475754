// Public surface of the table package: Table conversion, age formatting, and the Table types.
export { toTable, printerFor, type ToTableOptions } from './table.ts';
export { humanDuration, ageSince } from './duration.ts';
export { parseJsonPath, evaluateJsonPath, JsonPathError } from './jsonpath.ts';
export type {
  IncludeObject, KindDescriptor, PrinterColumn, Printer, TableColumnDefinition, TableObject, TableRow, TableRowCondition,
} from './table-types.ts';
