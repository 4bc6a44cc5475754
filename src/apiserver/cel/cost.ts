// Runtime bounds for CEL evaluation: a cost meter charged per comprehension step and by the size of values that
// string/list functions build, plus a wall-clock guard, so a hostile rule or object cannot hold the event loop.
import { create } from '@bufbuild/protobuf';
import { ExprSchema, type Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';

/** Kubernetes' per-expression runtime cost limit (celconfig.PerCallLimit). */
export const PER_CALL_LIMIT = 1_000_000;
/** Kubernetes' budget for all rules of one custom resource write (celconfig.RuntimeCELCostBudget). */
export const PER_REQUEST_BUDGET = 10_000_000;
/** Longest time the rules of one request may run together, whatever their cost says. */
export const MAX_REQUEST_EVAL_MS = 100;
export const COST_FUNCTION = '@portcullis_cost';
export const LIMIT_MESSAGE = 'operation cancelled: actual cost limit exceeded';

export class CostLimitExceeded extends Error {
  constructor() { super(LIMIT_MESSAGE); }
}

/**
 * Charged while one expression evaluates; throws CostLimitExceeded past its limit or the deadline (a time shared
 * by every expression of one request), and keeps throwing once stopped, so enclosing loops end at once.
 */
export class CostMeter {
  used = 0;
  stopped = false;
  private ticks = 0;
  constructor(readonly limit: number, readonly deadline = Date.now() + MAX_REQUEST_EVAL_MS) {}

  charge(n: number): void {
    this.used += n;
    if (this.stopped || this.used > this.limit || (++this.ticks % 128 === 0 && Date.now() > this.deadline)) {
      this.stopped = true;
      throw new CostLimitExceeded();
    }
  }

  get pastDeadline(): boolean { return Date.now() > this.deadline; }
}

let current: CostMeter | undefined;

/** Runs `f` with `meter` charged by everything the expression does. */
export function metered<T>(meter: CostMeter, f: () => T): T {
  const previous = current;
  current = meter;
  try { return f(); } finally { current = previous; }
}

/** Charges the meter of the running evaluation (no-op outside one). */
export function charge(n: number): void {
  current?.charge(n);
}

/**
 * Rewrites the parsed expression so every comprehension step (loop condition) first calls the cost function:
 * nested macros over large lists are then bounded by the meter. Returns the number of nodes (a size bound).
 */
export function instrument(e: Expr | undefined, nextId: { v: bigint }): number {
  if (!e) return 0;
  const k = e.exprKind;
  switch (k.case) {
    case 'selectExpr': return 1 + instrument(k.value.operand, nextId);
    case 'callExpr': return 1 + instrument(k.value.target, nextId) + k.value.args.reduce((n, a) => n + instrument(a, nextId), 0);
    case 'listExpr': return 1 + k.value.elements.reduce((n, a) => n + instrument(a, nextId), 0);
    case 'structExpr': return 1 + k.value.entries.reduce((n, en) => n + instrument(en.keyKind.case === 'mapKey' ? en.keyKind.value : undefined, nextId) + instrument(en.value, nextId), 0);
    case 'comprehensionExpr': {
      const c = k.value;
      const n = 1 + instrument(c.iterRange, nextId) + instrument(c.accuInit, nextId) + instrument(c.loopCondition, nextId)
        + instrument(c.loopStep, nextId) + instrument(c.result, nextId);
      if (c.loopCondition) {
        c.loopCondition = create(ExprSchema, {
          id: nextId.v++,
          exprKind: { case: 'callExpr', value: { function: COST_FUNCTION, args: [c.loopCondition] } },
        });
      }
      return n;
    }
    default: return 1;
  }
}
