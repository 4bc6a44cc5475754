// ValidatingAdmissionPolicy (+ bindings), admissionregistration.k8s.io/v1: CEL validations compiled once per
// policy generation, matched by constraints and bindings, with params, matchConditions, variables,
// failurePolicy, and the Deny / Warn / Audit validation actions, in Kubernetes' wording.
import type { KObject } from '../apiserver/storage/interface.ts';
import type { OpContext } from '../apiserver/registry/store.ts';
import { admissionDenied } from '../apiserver/errors.ts';
import { compileCel, CelEvalError, type CelProgram } from '../apiserver/cel/program.ts';
import { CostMeter, MAX_REQUEST_EVAL_MS, PER_CALL_LIMIT } from '../apiserver/cel/cost.ts';
import { fromCel, toCel } from '../apiserver/crd/cel-values.ts';
import { matchResources, type Attrs, type MatchResources } from './matching.ts';
import type { AdmissionRequest } from './request.ts';

export const POLICY_VARS = ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables'];
const REASON_CODES: Record<string, number> = { Unauthorized: 401, Forbidden: 403, Invalid: 422, RequestEntityTooLarge: 413 };

interface Validation { expression: string; prog: CelProgram; message?: string; messageProg?: CelProgram; reason: string }
export interface CompiledPolicy {
  name: string;
  paramKind?: { apiVersion?: string; kind?: string };
  match?: MatchResources;
  failurePolicy: 'Fail' | 'Ignore';
  matchConditions: Array<{ name: string; prog: CelProgram }>;
  variables: Array<{ name: string; prog: CelProgram }>;
  validations: Validation[];
  auditAnnotations: Array<{ key: string; prog: CelProgram }>;
}
export interface Binding {
  name: string; policyName: string; actions: string[]; match?: MatchResources;
  paramRef?: { name?: string; namespace?: string; selector?: { matchLabels?: Record<string, string> }; parameterNotFoundAction?: string };
}

interface PolicySpec {
  paramKind?: { apiVersion?: string; kind?: string };
  matchConstraints?: MatchResources;
  validations?: Array<{ expression?: string; message?: string; messageExpression?: string; reason?: string }>;
  failurePolicy?: string;
  matchConditions?: Array<{ name?: string; expression?: string }>;
  variables?: Array<{ name?: string; expression?: string }>;
  auditAnnotations?: Array<{ key?: string; valueExpression?: string }>;
}

/** Compiles a policy object; throws CelCompileError for an expression that does not compile. */
export function compilePolicy(obj: KObject): CompiledPolicy {
  const spec = (obj.spec ?? {}) as PolicySpec;
  return {
    name: obj.metadata.name!,
    paramKind: spec.paramKind,
    match: spec.matchConstraints,
    failurePolicy: spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    matchConditions: (spec.matchConditions ?? []).map((c) => ({ name: c.name ?? '', prog: compileCel(c.expression ?? '', POLICY_VARS) })),
    variables: (spec.variables ?? []).map((v) => ({ name: v.name ?? '', prog: compileCel(v.expression ?? '', POLICY_VARS) })),
    validations: (spec.validations ?? []).map((v) => ({
      expression: v.expression ?? '', prog: compileCel(v.expression ?? '', POLICY_VARS), message: v.message,
      messageProg: v.messageExpression ? compileCel(v.messageExpression, POLICY_VARS) : undefined, reason: v.reason ?? 'Invalid',
    })),
    auditAnnotations: (spec.auditAnnotations ?? []).map((a) => ({ key: a.key ?? '', prog: compileCel(a.valueExpression ?? '', POLICY_VARS) })),
  };
}

export function bindingOf(obj: KObject): Binding {
  const spec = (obj.spec ?? {}) as { policyName?: string; validationActions?: string[]; matchResources?: MatchResources; paramRef?: Binding['paramRef'] };
  return { name: obj.metadata.name!, policyName: spec.policyName ?? '', actions: spec.validationActions ?? [], match: spec.matchResources, paramRef: spec.paramRef };
}

export interface PolicyContext {
  attrs: Attrs;
  op: OpContext;
  request: () => AdmissionRequest;
  nsLabels: () => Promise<Record<string, string> | undefined>;
  namespaceObject: () => Promise<KObject | undefined>;
  /** Params objects for a binding (empty: none found); throws when the param kind is not served. */
  params: (p: CompiledPolicy, b: Binding) => Promise<KObject[]>;
}

/** Evaluates every binding of the cluster against a write; throws the first Deny, records Warn and Audit. */
export async function evaluatePolicies(policies: Map<string, CompiledPolicy>, bindings: Binding[], c: PolicyContext): Promise<void> {
  const deadline = Date.now() + MAX_REQUEST_EVAL_MS;
  for (const b of bindings) {
    const p = policies.get(b.policyName);
    if (!p) continue;
    if (!(await matchResources(p.match, c.attrs, c.nsLabels)) || !(await matchResources(b.match, c.attrs, c.nsLabels))) continue;
    const deny = (message: string, reason = 'Invalid'): never => {
      throw admissionDenied(REASON_CODES[reason] ?? 422, reason, `ValidatingAdmissionPolicy '${p.name}' with binding '${b.name}' denied request: ${message}`);
    };
    let paramObjs: Array<KObject | null> = [null];
    if (p.paramKind) {
      if (!b.paramRef) {
        if (p.failurePolicy === 'Fail') deny('failed to configure binding: paramRef is required when paramKind is set', 'Invalid');
        continue;
      }
      const found = await c.params(p, b);
      if (found.length === 0) {
        if ((b.paramRef.parameterNotFoundAction ?? 'Deny') === 'Deny') deny('failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction');
        continue;
      }
      paramObjs = found;
    }
    const ns = await c.namespaceObject();
    for (const param of paramObjs) {
      const base: Record<string, unknown> = {
        object: toCel(c.attrs.obj ?? null, undefined), oldObject: toCel(c.attrs.old ?? null, undefined),
        request: toCel(c.request(), undefined), params: toCel(param, undefined), namespaceObject: toCel(ns ?? null, undefined),
      };
      const result = evaluateOne(p, base, deadline);
      if (result === 'skip') continue;
      if (result instanceof Error) {
        if (p.failurePolicy === 'Fail') deny(result.message);
        continue;
      }
      const { failures, annotations } = result;
      for (const [k, v] of Object.entries(annotations)) if (c.op.auditAnnotations) c.op.auditAnnotations[`${p.name}/${k}`] = v;
      for (const f of failures) {
        if (b.actions.includes('Warn')) c.op.warnings?.push(`Validation failed for ValidatingAdmissionPolicy '${p.name}' with binding '${b.name}': ${f.message}`);
        if (b.actions.includes('Audit') && c.op.auditAnnotations) {
          const key = 'validation.policy.admission.k8s.io/validation_failure';
          const list = JSON.parse(c.op.auditAnnotations[key] ?? '[]') as unknown[];
          list.push({ message: f.message, policy: p.name, binding: b.name, expressionIndex: f.index, validationActions: b.actions });
          c.op.auditAnnotations[key] = JSON.stringify(list);
        }
      }
      if (failures.length && b.actions.includes('Deny')) deny(failures[0].message, failures[0].reason);
    }
  }
}

interface Failure { index: number; message: string; reason: string }

interface Outcome { failures: Failure[]; annotations: Record<string, string> }

/** Runs one policy with one param: 'skip' when a matchCondition is false, an Error when evaluation failed. */
function evaluateOne(p: CompiledPolicy, vars: Record<string, unknown>, deadline: number): Outcome | 'skip' | Error {
  const run = (prog: CelProgram, what: string): unknown => {
    const r = prog.eval(vars, new CostMeter(PER_CALL_LIMIT, deadline));
    if (r instanceof CelEvalError) throw new Error(`${what} '${prog.source}' resulted in error: ${r.message}`);
    return r;
  };
  try {
    const variables = new Map<string, unknown>();
    vars.variables = variables;
    for (const v of p.variables) variables.set(v.name, run(v.prog, 'variable'));
    for (const m of p.matchConditions) if (run(m.prog, 'expression') !== true) return 'skip';
    const out: Failure[] = [];
    p.validations.forEach((v, index) => {
      const ok = run(v.prog, 'expression');
      if (ok === true) return;
      let message = v.message?.trim() ? v.message : `failed expression: ${v.expression.trim()}`;
      if (v.messageProg) {
        const m = v.messageProg.eval(vars, new CostMeter(PER_CALL_LIMIT, deadline));
        if (typeof m === 'string' && m.trim() && !/[\r\n]/.test(m)) message = m;
      }
      out.push({ index, message, reason: v.reason });
    });
    const annotations: Record<string, string> = {};
    for (const a of p.auditAnnotations) {
      const v = fromCel(run(a.prog, 'valueExpression'));
      if (typeof v === 'string') annotations[a.key] = v;
    }
    return { failures: out, annotations };
  } catch (e) {
    return e as Error;
  }
}
