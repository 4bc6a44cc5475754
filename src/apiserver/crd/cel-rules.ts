// x-kubernetes-validations of a CRD version: compiled once into rule sites along the schema, evaluated on
// writes with self/oldSelf (transition rules only when an old value correlates), messageExpression, reason and
// fieldPath, within Kubernetes' per-rule cost limit, per-request budget and our wall-clock bound.
import { compileCel, CelEvalError, type CelProgram } from '../cel/program.ts';
import { CostMeter, MAX_REQUEST_EVAL_MS, PER_CALL_LIMIT, PER_REQUEST_BUDGET, LIMIT_MESSAGE } from '../cel/cost.ts';
import { fe, type FieldError } from './field-errors.ts';
import { child, index, isObject, type Props, type ValidationRule } from './json-schema.ts';
import { rootToCel, toCel } from './cel-values.ts';

interface Rule { def: ValidationRule; program?: CelProgram; message?: CelProgram; error?: string; oldSelf: boolean; text: string }
interface Site {
  schema: Props;
  rules: Rule[];
  props: Array<[string, Site]>;
  extra?: Site;
  items?: Site;
  mapKeys?: string[];
  allOf: Site[];
}

/** A compile problem of one rule, with its schema path (for CRD validation). */
export interface RuleProblem { path: string; field: 'rule' | 'messageExpression'; index: number; rule: ValidationRule; message: string }

const VARS = ['self', 'oldSelf'];

function compileRule(def: ValidationRule): Rule {
  const text = (def.rule ?? '').trim();
  const r: Rule = { def, oldSelf: false, text };
  try {
    r.program = compileCel(def.rule ?? '', VARS);
    r.oldSelf = r.program.uses('oldSelf');
  } catch (e) { r.error = (e as Error).message; }
  if (def.messageExpression?.trim()) {
    try { r.message = compileCel(def.messageExpression, VARS); } catch { r.message = undefined; }
  }
  return r;
}

/** Compiles the rule sites of a schema; undefined when it has no rules anywhere. */
function compileSite(s: Props | undefined): Site | undefined {
  if (!s) return undefined;
  const props = Object.entries(s.properties ?? {}).map(([k, p]) => [k, compileSite(p)] as const)
    .filter((e): e is [string, Site] => e[1] !== undefined);
  const extra = typeof s.additionalProperties === 'object' ? compileSite(s.additionalProperties) : undefined;
  const items = compileSite(s.items);
  const allOf = (s.allOf ?? []).map(compileSite).filter((x): x is Site => x !== undefined);
  const rules = (s['x-kubernetes-validations'] ?? []).map(compileRule);
  if (!rules.length && !props.length && !extra && !items && !allOf.length) return undefined;
  const mapKeys = s['x-kubernetes-list-type'] === 'map' ? s['x-kubernetes-list-map-keys'] : undefined;
  return { schema: s, rules, props, extra, items, mapKeys, allOf };
}

/** Every rule or messageExpression of the schema that does not compile, with the path Kubernetes reports. */
export function ruleProblems(s: Props | undefined, path: string): RuleProblem[] {
  const out: RuleProblem[] = [];
  const walk = (n: Props | undefined, p: string): void => {
    if (!n) return;
    (n['x-kubernetes-validations'] ?? []).forEach((def, i) => {
      try { compileCel(def.rule ?? '', VARS); } catch (e) { out.push({ path: p, field: 'rule', index: i, rule: def, message: `compilation failed: ${(e as Error).message}` }); }
      if (def.messageExpression?.trim()) {
        try { compileCel(def.messageExpression, VARS); } catch (e) { out.push({ path: p, field: 'messageExpression', index: i, rule: def, message: `messageExpression compilation failed: ${(e as Error).message}` }); }
      }
    });
    for (const [k, c] of Object.entries(n.properties ?? {})) walk(c, `${p}.properties[${k}]`);
    if (typeof n.additionalProperties === 'object') walk(n.additionalProperties, `${p}.additionalProperties`);
    walk(n.items, `${p}.items`);
    (n.allOf ?? []).forEach((c, i) => walk(c, `${p}.allOf[${i}]`));
  };
  walk(s, path);
  return out;
}

export interface RuleValidator {
  /** Appends the errors of every rule that fails; `old` is the stored object on update. */
  validate(obj: Record<string, unknown>, old: Record<string, unknown> | undefined, errs: FieldError[]): void;
}

class Run {
  remaining = PER_REQUEST_BUDGET;
  stopped = false;
  readonly deadline = Date.now() + MAX_REQUEST_EVAL_MS;
  readonly cache = new WeakMap<object, unknown>();
  readonly oldCache = new WeakMap<object, unknown>();
  constructor(readonly errs: FieldError[]) {}
}

export function compileRules(root: Props | undefined): RuleValidator | undefined {
  const site = compileSite(root);
  if (!site || !root) return undefined;
  return {
    validate(obj, old, errs) {
      const run = new Run(errs);
      visit(site, obj, old, '', run, true);
    },
  };
}

function visit(site: Site, v: unknown, old: unknown, path: string, run: Run, root = false): void {
  if (run.stopped || v === null || v === undefined) return;
  if (site.rules.length) evalRules(site, v, old, path, run, root);
  for (const a of site.allOf) visit(a, v, old, path, run, root);
  if (isObject(v)) {
    const o = isObject(old) ? old : undefined;
    for (const [k, c] of site.props) if (Object.hasOwn(v, k)) visit(c, v[k], o?.[k], child(path, k), run);
    if (site.extra) {
      const declared = new Set(Object.keys(site.schema.properties ?? {}));
      for (const k of Object.keys(v)) if (!declared.has(k)) visit(site.extra, v[k], o?.[k], child(path, k), run);
    }
  } else if (Array.isArray(v) && site.items) {
    // Only map lists correlate items with their old values (by key); other items have no oldSelf.
    const keys = site.mapKeys;
    const olds = keys && Array.isArray(old) ? new Map(old.filter(isObject).map((x) => [keyOf(x, keys), x])) : undefined;
    v.forEach((x, i) => visit(site.items!, x, olds && isObject(x) ? olds.get(keyOf(x, keys!)) : undefined, index(path, i), run));
  }
}

const keyOf = (x: Record<string, unknown>, keys: string[]): string => JSON.stringify(keys.map((k) => x[k] ?? null));

function evalRules(site: Site, v: unknown, old: unknown, path: string, run: Run, root: boolean): void {
  const type = site.schema.type ?? '';
  const at = path || '<nil>';
  if (run.remaining <= 0) {
    run.errs.push(fe.invalid(at, type, 'validation failed due to running out of cost budget, no further validation rules will be run'));
    run.stopped = true;
    return;
  }
  const self = root && isObject(v) ? rootToCel(v, site.schema, run.cache) : toCel(v, site.schema, run.cache);
  let oldSelf: unknown;
  const hasOld = old !== undefined && old !== null;
  if (hasOld) oldSelf = root && isObject(old) ? rootToCel(old, site.schema, run.oldCache) : toCel(old, site.schema, run.oldCache);
  for (const r of site.rules) {
    if (r.error || !r.program) { run.errs.push(fe.invalid(at, type, `rule compile error: ${r.error ?? 'no program'}`)); continue; }
    if (r.oldSelf && !hasOld) continue;
    const meter = new CostMeter(Math.min(PER_CALL_LIMIT, run.remaining), run.deadline);
    const bindings = { self, oldSelf: hasOld ? oldSelf : null };
    const result = r.program.eval(bindings, meter);
    run.remaining -= meter.used;
    if (result instanceof CelEvalError) {
      if (result.costExceeded) {
        const msg = meter.pastDeadline || run.remaining <= 0
          ? 'validation failed due to running out of cost budget, no further validation rules will be run'
          : `'${LIMIT_MESSAGE}': no further validation rules will be run due to call cost exceeds limit for rule: ${r.text}`;
        run.errs.push(fe.invalid(at, type, msg));
        run.stopped = true;
        return;
      }
      run.errs.push(fe.invalid(at, type, `${result.message} evaluating rule: ${r.text}`));
      continue;
    }
    if (result === true) continue;
    const fieldPath = r.def.fieldPath?.trim();
    const errPath = fieldPath ? joinFieldPath(path, fieldPath) : at;
    const detail = messageFor(r, bindings, run) ?? defaultMessage(r);
    run.errs.push(errorForReason(r.def.reason, errPath, type, detail));
  }
}

function messageFor(r: Rule, bindings: Record<string, unknown>, run: Run): string | undefined {
  if (!r.message) return undefined;
  const meter = new CostMeter(Math.min(PER_CALL_LIMIT, Math.max(run.remaining, 0)), run.deadline);
  const m = r.message.eval(bindings, meter);
  run.remaining -= meter.used;
  if (typeof m !== 'string' || !m.trim() || /[\n\r]/.test(m)) return undefined;
  return m;
}

function defaultMessage(r: Rule): string {
  return r.def.message?.trim() ? r.def.message : `failed rule: ${r.text}`;
}

function errorForReason(reason: ValidationRule['reason'], path: string, type: string, detail: string): FieldError {
  switch (reason) {
    case 'FieldValueForbidden': return fe.forbidden(path, detail);
    case 'FieldValueRequired': return fe.required(path, detail);
    case 'FieldValueDuplicate': return fe.duplicate(path, type);
    default: return fe.invalid(path, type, detail);
  }
}

/** `spec` + `.foo.bar` / `['a.b']` → `spec.foo.bar`. */
function joinFieldPath(base: string, fieldPath: string): string {
  const rel = fieldPath.replace(/^\./, '').replace(/\['([^']*)'\]/g, '[$1]');
  return base ? `${base}.${rel}` : rel;
}
