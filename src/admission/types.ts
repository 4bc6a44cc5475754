// The admissionregistration.k8s.io/v1 resources (cluster-scoped, per logical cluster) and the checks Kubernetes
// makes when they are written: expressions that compile, valid actions and policies, HTTPS webhook URLs.
import type { KObject } from '../apiserver/storage/interface.ts';
import type { StatusCause } from '../apiserver/errors.ts';
import type { ResourceType, Strategy } from '../apiserver/registry/types.ts';
import { defineType } from '../apiserver/registry/builtins.ts';
import { compileCel } from '../apiserver/cel/program.ts';
import { POLICY_VARS } from './policies.ts';
import { WEBHOOK_VARS } from './webhooks.ts';
import { urlProblems } from './webhook-client.ts';

export const GROUP = 'admissionregistration.k8s.io';

const cause = (field: string, message: string, reason = 'FieldValueInvalid'): StatusCause => ({ field, message, reason });
const q = (v: unknown): string => JSON.stringify(v ?? '');

function expression(field: string, expr: unknown, vars: string[], out: StatusCause[]): void {
  if (typeof expr !== 'string' || !expr.trim()) { out.push(cause(field, 'Required value: expression is not specified', 'FieldValueRequired')); return; }
  try { compileCel(expr, vars); } catch (e) { out.push(cause(field, `Invalid value: ${q(expr)}: compilation failed: ${(e as Error).message}`)); }
}

const oneOf = (field: string, v: unknown, allowed: string[], out: StatusCause[]): void => {
  if (v !== undefined && !allowed.includes(v as string)) {
    out.push(cause(field, `Unsupported value: ${q(v)}: supported values: ${allowed.map((a) => q(a)).join(', ')}`, 'FieldValueNotSupported'));
  }
};

function validatePolicy(obj: KObject): StatusCause[] {
  const spec = (obj.spec ?? {}) as Record<string, any>;
  const out: StatusCause[] = [];
  oneOf('spec.failurePolicy', spec.failurePolicy, ['Fail', 'Ignore'], out);
  if (!spec.matchConstraints?.resourceRules?.length) out.push(cause('spec.matchConstraints.resourceRules', 'Required value', 'FieldValueRequired'));
  const validations = (spec.validations ?? []) as Array<Record<string, unknown>>;
  if (!validations.length && !(spec.auditAnnotations ?? []).length) out.push(cause('spec.validations', 'Required value: validations or auditAnnotations must contain at least one item', 'FieldValueRequired'));
  validations.forEach((v, i) => {
    expression(`spec.validations[${i}].expression`, v.expression, POLICY_VARS, out);
    if (v.messageExpression !== undefined) expression(`spec.validations[${i}].messageExpression`, v.messageExpression, POLICY_VARS, out);
    oneOf(`spec.validations[${i}].reason`, v.reason, ['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge'], out);
  });
  (spec.matchConditions ?? []).forEach((m: Record<string, unknown>, i: number) => expression(`spec.matchConditions[${i}].expression`, m.expression, POLICY_VARS, out));
  (spec.variables ?? []).forEach((m: Record<string, unknown>, i: number) => expression(`spec.variables[${i}].expression`, m.expression, POLICY_VARS, out));
  (spec.auditAnnotations ?? []).forEach((m: Record<string, unknown>, i: number) => expression(`spec.auditAnnotations[${i}].valueExpression`, m.valueExpression, POLICY_VARS, out));
  return out;
}

function validateBinding(obj: KObject): StatusCause[] {
  const spec = (obj.spec ?? {}) as Record<string, any>;
  const out: StatusCause[] = [];
  if (!spec.policyName) out.push(cause('spec.policyName', 'Required value', 'FieldValueRequired'));
  const actions = (spec.validationActions ?? []) as string[];
  if (!actions.length) out.push(cause('spec.validationActions', 'Required value: at least one validation action is required', 'FieldValueRequired'));
  actions.forEach((a, i) => oneOf(`spec.validationActions[${i}]`, a, ['Audit', 'Deny', 'Warn'], out));
  if (new Set(actions).size !== actions.length) out.push(cause('spec.validationActions', 'Invalid value: must not contain duplicates'));
  if (actions.includes('Deny') && actions.includes('Warn')) out.push(cause('spec.validationActions', 'Invalid value: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  oneOf('spec.paramRef.parameterNotFoundAction', spec.paramRef?.parameterNotFoundAction, ['Allow', 'Deny'], out);
  return out;
}

function validateWebhooks(mutating: boolean) {
  return (obj: KObject): StatusCause[] => {
    const out: StatusCause[] = [];
    const names = new Set<string>();
    ((obj as { webhooks?: Array<Record<string, any>> }).webhooks ?? []).forEach((w, i) => {
      const at = `webhooks[${i}]`;
      const name = String(w.name ?? '');
      if (!name) out.push(cause(`${at}.name`, 'Required value', 'FieldValueRequired'));
      else if (name.split('.').length < 3) out.push(cause(`${at}.name`, `Invalid value: ${q(name)}: should be a domain with at least three segments separated by dots`));
      if (names.has(name)) out.push(cause(`${at}.name`, `Duplicate value: ${q(name)}`, 'FieldValueDuplicate'));
      names.add(name);
      const cc = w.clientConfig ?? {};
      if (cc.service) out.push(cause(`${at}.clientConfig.service`, 'Forbidden: Portcullis has no in-cluster services to route to; use clientConfig.url (https)', 'FieldValueForbidden'));
      else if (!cc.url) out.push(cause(`${at}.clientConfig`, 'Required value: exactly one of url or service is required', 'FieldValueRequired'));
      else { const why = urlProblems(String(cc.url)); if (why) out.push(cause(`${at}.clientConfig.url`, `Invalid value: ${q(cc.url)}: ${why}`)); }
      if (!(w.admissionReviewVersions ?? []).includes('v1')) {
        out.push(cause(`${at}.admissionReviewVersions`, `Invalid value: ${JSON.stringify(w.admissionReviewVersions ?? [])}: must include at least one of v1`));
      }
      if (w.sideEffects === undefined) out.push(cause(`${at}.sideEffects`, 'Required value: must specify one of None, NoneOnDryRun', 'FieldValueRequired'));
      else oneOf(`${at}.sideEffects`, w.sideEffects, ['None', 'NoneOnDryRun'], out);
      oneOf(`${at}.failurePolicy`, w.failurePolicy, ['Fail', 'Ignore'], out);
      if (mutating) oneOf(`${at}.reinvocationPolicy`, w.reinvocationPolicy, ['Never', 'IfNeeded'], out);
      if (w.timeoutSeconds !== undefined && (!Number.isInteger(w.timeoutSeconds) || w.timeoutSeconds < 1 || w.timeoutSeconds > 30)) {
        out.push(cause(`${at}.timeoutSeconds`, `Invalid value: ${w.timeoutSeconds}: the timeout value must be between 1 and 30 seconds`));
      }
      (w.matchConditions ?? []).forEach((m: Record<string, unknown>, j: number) => expression(`${at}.matchConditions[${j}].expression`, m.expression, WEBHOOK_VARS, out));
    });
    return out;
  };
}

function withChecks(base: Strategy, check: (o: KObject) => StatusCause[]): Strategy {
  return {
    ...base,
    validate: (o) => [...(base.validate?.(o) ?? []), ...check(o)],
    validateUpdate: (o, old) => [...(base.validateUpdate?.(o, old) ?? base.validate?.(o) ?? []), ...check(o)],
  };
}

/** The four types with their checks; `existing` (from a fuller built-in table) keeps its strategy and gains ours. */
export function admissionTypes(existing: (resource: string) => ResourceType | undefined): { add: ResourceType[] } {
  const defs: Array<[string, string, (o: KObject) => StatusCause[], boolean]> = [
    ['validatingadmissionpolicies', 'ValidatingAdmissionPolicy', validatePolicy, true],
    ['validatingadmissionpolicybindings', 'ValidatingAdmissionPolicyBinding', validateBinding, false],
    ['validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', validateWebhooks(false), false],
    ['mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', validateWebhooks(true), false],
  ];
  const add: ResourceType[] = [];
  for (const [resource, kind, check, status] of defs) {
    const t = existing(resource);
    if (t) { t.strategy = withChecks(t.strategy, check); continue; }
    const nt = defineType(GROUP, 'v1', resource, kind, { cluster: true, status, categories: ['api-extensions'] });
    nt.strategy = withChecks(nt.strategy, check);
    add.push(nt);
  }
  return { add };
}
