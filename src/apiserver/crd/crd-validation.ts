// CRD spec checks beyond names and scope: each version's schema (structural, supported keywords, compiling
// rules), unique version names, scale subresource paths, conversion strategy None.
import type { StatusCause } from '../errors.ts';
import { fe, toCauses, type FieldError } from './field-errors.ts';
import type { CrdVersion } from './types.ts';
import { validateCrdSchema } from './structural.ts';
import { isObject } from './json-schema.ts';

/** Kubernetes-worded causes for the versions, schemas, subresources and conversion of a CRD spec. */
export function validateCrdVersions(specIn: unknown): StatusCause[] {
  if (!isObject(specIn)) return [];
  const spec = specIn as { versions?: CrdVersion[]; conversion?: { strategy?: string }; preserveUnknownFields?: boolean };
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (spec.versions ?? []).forEach((v, i) => {
    const at = `spec.versions[${i}]`;
    if (seen.has(v.name)) errs.push(fe.duplicate(`${at}.name`, v.name));
    seen.add(v.name);
    const schema = v.schema?.openAPIV3Schema;
    if (!schema) errs.push(fe.required(`${at}.schema.openAPIV3Schema`, 'schemas are required'));
    else if (!isObject(schema)) errs.push(fe.invalid(`${at}.schema.openAPIV3Schema`, schema, 'must be an object'));
    else errs.push(...validateCrdSchema(schema, `${at}.schema.openAPIV3Schema`));
    const scale = v.subresources?.scale;
    if (scale) {
      const path = (p: string | undefined, name: string, under: string[]): void => {
        if (!p) { if (name !== 'labelSelectorPath') errs.push(fe.required(`${at}.subresources.scale.${name}`, '')); return; }
        if (!p.startsWith('.')) errs.push(fe.invalid(`${at}.subresources.scale.${name}`, p, 'must be a simple json path starting with .'));
        else if (!under.some((u) => p.startsWith(u))) {
          errs.push(fe.invalid(`${at}.subresources.scale.${name}`, p, `should be a json path under ${under.length > 1 ? 'either .spec or .status' : under[0].slice(0, -1)}`));
        }
      };
      path(scale.specReplicasPath, 'specReplicasPath', ['.spec.']);
      path(scale.statusReplicasPath, 'statusReplicasPath', ['.status.']);
      path(scale.labelSelectorPath, 'labelSelectorPath', ['.spec.', '.status.']);
    }
  });
  if (spec.preserveUnknownFields === true) errs.push(fe.invalid('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'));
  const strategy = spec.conversion?.strategy;
  if (strategy === 'Webhook') errs.push(fe.notSupported('spec.conversion.strategy', strategy, ['None']));
  else if (strategy !== undefined && strategy !== 'None') errs.push(fe.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  return toCauses(errs);
}
