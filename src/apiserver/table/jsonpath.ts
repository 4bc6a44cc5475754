// The JSONPath subset used by CRD additionalPrinterColumns: `.a.b`, `['a.b']`, `[0]`, `[-1]`, `[1:3]`, `[*]`, `.*`,
// and filters `[?(@.type=="Ready")]` (==, !=, <, <=, >, >=, or existence). Optional `{...}` and leading `$`.

type Literal = string | number | boolean | null;
type Step =
  | { t: 'field'; name: string }
  | { t: 'index'; index: number }
  | { t: 'slice'; start?: number; end?: number }
  | { t: 'wildcard' }
  | { t: 'filter'; path: Step[]; op?: string; value?: Literal };

export class JsonPathError extends Error {}

/** Parses a JSONPath expression; throws JsonPathError on syntax it does not support. */
export function parseJsonPath(expr: string): Step[] {
  let src = expr.trim();
  if (src.startsWith('{') && src.endsWith('}')) src = src.slice(1, -1).trim();
  if (src.startsWith('$')) src = src.slice(1);
  const p = new Parser(src);
  const steps = p.steps(false);
  if (!p.done()) throw new JsonPathError(`unexpected "${src.slice(p.i)}" in ${expr}`);
  return steps;
}

class Parser {
  i = 0;
  constructor(readonly s: string) {}
  done(): boolean { return this.i >= this.s.length; }
  private peek(): string { return this.s[this.i] ?? ''; }
  private skipSpaces(): void { while (this.peek() === ' ') this.i++; }

  steps(inFilter: boolean): Step[] {
    const out: Step[] = [];
    for (;;) {
      const c = this.peek();
      if (c === '.') {
        this.i++;
        if (this.peek() === '.') throw new JsonPathError('recursive descent is not supported');
        if (this.peek() === '*') { this.i++; out.push({ t: 'wildcard' }); continue; }
        const m = /^[^.[\]\s=!<>)]+/.exec(this.s.slice(this.i));
        if (!m) throw new JsonPathError(`missing field name at ${this.i}`);
        this.i += m[0].length;
        out.push({ t: 'field', name: m[0] });
      } else if (c === '[') {
        this.i++;
        out.push(this.bracket());
      } else if (inFilter || this.done()) {
        return out;
      } else {
        throw new JsonPathError(`unexpected "${c}" at ${this.i}`);
      }
    }
  }

  private bracket(): Step {
    const rest = this.s.slice(this.i);
    const close = (len: number): void => { this.i += len; };
    let m: RegExpExecArray | null;
    if ((m = /^\s*\*\s*\]/.exec(rest))) { close(m[0].length); return { t: 'wildcard' }; }
    if ((m = /^\s*(-?\d+)\s*\]/.exec(rest))) { close(m[0].length); return { t: 'index', index: Number(m[1]) }; }
    if ((m = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*\]/.exec(rest))) {
      close(m[0].length);
      return { t: 'slice', start: m[1] === undefined ? undefined : Number(m[1]), end: m[2] === undefined ? undefined : Number(m[2]) };
    }
    if ((m = /^\s*'([^']*)'\s*\]/.exec(rest)) || (m = /^\s*"([^"]*)"\s*\]/.exec(rest))) {
      close(m[0].length);
      return { t: 'field', name: m[1] };
    }
    if ((m = /^\s*\?\(\s*@/.exec(rest))) {
      close(m[0].length);
      const path = this.steps(true);
      this.skipSpaces();
      const op = /^(==|!=|<=|>=|<|>)/.exec(this.s.slice(this.i))?.[1];
      let value: Literal | undefined;
      if (op) { this.i += op.length; this.skipSpaces(); value = this.literal(); this.skipSpaces(); }
      const end = /^\)\s*\]/.exec(this.s.slice(this.i));
      if (!end) throw new JsonPathError(`unterminated filter at ${this.i}`);
      this.i += end[0].length;
      return { t: 'filter', path, op, value };
    }
    throw new JsonPathError(`unsupported subscript at ${this.i}`);
  }

  private literal(): Literal {
    const rest = this.s.slice(this.i);
    const m = /^"([^"]*)"/.exec(rest) ?? /^'([^']*)'/.exec(rest);
    if (m) { this.i += m[0].length; return m[1]; }
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    if (num) { this.i += num[0].length; return Number(num[0]); }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (rest.startsWith(word)) { this.i += word.length; return v; }
    }
    throw new JsonPathError(`bad literal at ${this.i}`);
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function apply(values: unknown[], step: Step): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    switch (step.t) {
      case 'field':
        if (isObj(v) && Object.hasOwn(v, step.name)) out.push(v[step.name]);
        break;
      case 'index':
        if (Array.isArray(v)) {
          const i = step.index < 0 ? v.length + step.index : step.index;
          if (i >= 0 && i < v.length) out.push(v[i]);
        }
        break;
      case 'slice':
        if (Array.isArray(v)) out.push(...v.slice(step.start, step.end));
        break;
      case 'wildcard':
        if (Array.isArray(v)) out.push(...v);
        else if (isObj(v)) out.push(...Object.values(v));
        break;
      case 'filter': {
        const items = Array.isArray(v) ? v : isObj(v) ? Object.values(v) : [];
        out.push(...items.filter((item) => matches(item, step)));
        break;
      }
    }
  }
  return out;
}

function matches(item: unknown, f: Extract<Step, { t: 'filter' }>): boolean {
  const found = f.path.reduce<unknown[]>((vals, st) => apply(vals, st), [item]);
  if (!f.op) return found.length > 0;
  return found.some((x) => {
    const y = f.value;
    switch (f.op) {
      case '==': return x === y;
      case '!=': return x !== y;
      case '<': return typeof x === typeof y && (x as number) < (y as number);
      case '<=': return typeof x === typeof y && (x as number) <= (y as number);
      case '>': return typeof x === typeof y && (x as number) > (y as number);
      case '>=': return typeof x === typeof y && (x as number) >= (y as number);
      default: return false;
    }
  });
}

/** All values the path selects in `root` (empty when nothing matches). */
export function evaluateJsonPath(steps: Step[], root: unknown): unknown[] {
  return steps.reduce<unknown[]>((vals, st) => apply(vals, st), [root]);
}
