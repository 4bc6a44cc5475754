// Compiles CEL expressions once (parse, a static check of names and functions, cost instrumentation, plan)
// into programs evaluated under a cost meter. Shared by CRD validation rules and admission policies.
import { celEnv, celFunc, CelScalar, isCelError, parse, plan, type CelEnv } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { charge, COST_FUNCTION, CostLimitExceeded, CostMeter, instrument, LIMIT_MESSAGE, metered } from './cost.ts';
import { K8S_FUNCS } from './k8s-libs.ts';

/** Largest expression accepted (source characters, syntax-tree nodes). */
export const MAX_EXPRESSION_LENGTH = 16 * 1024;
export const MAX_EXPRESSION_NODES = 2000;

export class CelCompileError extends Error {}
/** An evaluation error; `costExceeded` when the meter stopped it. */
export class CelEvalError extends Error {
  constructor(message: string, readonly costExceeded = false) { super(message); }
}

export interface CelProgram {
  readonly source: string;
  /** Whether the expression mentions the variable (e.g. oldSelf makes a transition rule). */
  uses(variable: string): boolean;
  /** The value, or a CelEvalError; CEL maps come back as Map, lists as iterables, ints as bigint. */
  eval(bindings: Record<string, unknown>, meter: CostMeter): unknown;
}

const costFunc = celFunc(COST_FUNCTION, [CelScalar.DYN], CelScalar.DYN, (x) => { charge(1); return x; });
const envs = new Map<string, CelEnv>();

function envFor(variables: string[]): CelEnv {
  const key = variables.join(',');
  let env = envs.get(key);
  if (!env) {
    env = celEnv({ funcs: [...K8S_FUNCS, costFunc], variables: Object.fromEntries(variables.map((v) => [v, CelScalar.DYN])) });
    envs.set(key, env);
  }
  return env;
}

/** Compiles `source` with the given variables declared; throws CelCompileError with Kubernetes-like wording. */
export function compileCel(source: string, variables: string[]): CelProgram {
  if (source.length > MAX_EXPRESSION_LENGTH) throw new CelCompileError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  let parsed: ReturnType<typeof parse>;
  try { parsed = parse(source); } catch (e) {
    throw new CelCompileError(`ERROR: ${(e as Error).message.split('\n')[0]}`);
  }
  const env = envFor(variables);
  const used = new Set<string>();
  const where = (id: bigint): string => {
    const offset = parsed.sourceInfo?.positions[id.toString()] ?? 0;
    return `<input>:1:${offset + 1}`;
  };
  checkNames(parsed.expr, env, new Set(variables), used, where);
  let maxId = 0n;
  for (const id of Object.keys(parsed.sourceInfo?.positions ?? {})) if (BigInt(id) > maxId) maxId = BigInt(id);
  const nodes = instrument(parsed.expr, { v: maxId + 1_000_000n });
  if (nodes > MAX_EXPRESSION_NODES) throw new CelCompileError(`expression has more than ${MAX_EXPRESSION_NODES} nodes`);
  const run = plan(env, parsed) as (b: Record<string, unknown>) => unknown;
  return {
    source,
    uses: (v) => used.has(v),
    eval(bindings, meter) {
      try {
        const r = metered(meter, () => run(bindings));
        if (isCelError(r)) return new CelEvalError(errorText(r.message), r.message.includes(LIMIT_MESSAGE));
        return r;
      } catch (e) {
        if (e instanceof CostLimitExceeded) return new CelEvalError(LIMIT_MESSAGE, true);
        return new CelEvalError((e as Error).message);
      }
    },
  };
}

/** Error wording as cel-go reports it where the two differ. */
function errorText(m: string): string {
  return m.replace(/^field not found: /, 'no such key: ').replace(/^unbound function: /, 'no such overload: ');
}

/** Undeclared identifiers and unknown functions, found before anything runs. */
function checkNames(e: Expr | undefined, env: CelEnv, scope: Set<string>, used: Set<string>, where: (id: bigint) => string): void {
  if (!e) return;
  const k = e.exprKind;
  switch (k.case) {
    case 'identExpr':
      used.add(k.value.name);
      if (!scope.has(k.value.name)) throw new CelCompileError(`ERROR: ${where(e.id)}: undeclared reference to '${k.value.name}' (in container '')`);
      return;
    case 'selectExpr': {
      const qualified = qualifiedName(e);
      if (qualified && env.funcs.find(qualified)) return;
      checkNames(k.value.operand, env, scope, used, where);
      return;
    }
    case 'callExpr': {
      const name = k.value.function;
      const ns = k.value.target ? qualifiedName(k.value.target) : undefined;
      if (ns && env.funcs.find(`${ns}.${name}`)) {
        for (const a of k.value.args) checkNames(a, env, scope, used, where);
        return;
      }
      if (!env.funcs.find(name) && !['_&&_', '_||_', '_?_:_', '@not_strictly_false', '!_', '_[_]', '@in'].includes(name)) {
        throw new CelCompileError(`ERROR: ${where(e.id)}: undeclared reference to '${name}' (in container '')`);
      }
      checkNames(k.value.target, env, scope, used, where);
      for (const a of k.value.args) checkNames(a, env, scope, used, where);
      return;
    }
    case 'listExpr': for (const x of k.value.elements) checkNames(x, env, scope, used, where); return;
    case 'structExpr':
      for (const en of k.value.entries) {
        if (en.keyKind.case === 'mapKey') checkNames(en.keyKind.value, env, scope, used, where);
        checkNames(en.value, env, scope, used, where);
      }
      return;
    case 'comprehensionExpr': {
      const c = k.value;
      checkNames(c.iterRange, env, scope, used, where);
      checkNames(c.accuInit, env, scope, used, where);
      const inner = new Set([...scope, c.iterVar, c.accuVar]);
      checkNames(c.loopCondition, env, inner, used, where);
      checkNames(c.loopStep, env, inner, used, where);
      checkNames(c.result, env, new Set([...scope, c.accuVar]), used, where);
      return;
    }
    default:
  }
}

function qualifiedName(e: Expr): string | undefined {
  const k = e.exprKind;
  if (k.case === 'identExpr') return k.value.name;
  if (k.case === 'selectExpr' && !k.value.testOnly && k.value.operand) {
    const p = qualifiedName(k.value.operand);
    return p === undefined ? undefined : `${p}.${k.value.field}`;
  }
  return undefined;
}

export { CostMeter };
