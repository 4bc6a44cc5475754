// Pruning and defaulting of custom resources by their structural schema, as Kubernetes decodes them: unknown
// fields dropped (unless x-kubernetes-preserve-unknown-fields), defaults filled top-down, and nulls of
// non-nullable fields without a default removed. Compiled once per schema; changes objects in place.
import { isObject, type Props } from './json-schema.ts';

export type Canonicalize = (v: unknown) => void;

const ROOT_KEEP = new Set(['apiVersion', 'kind', 'metadata']);
const noop: Canonicalize = () => {};

interface Field { key: string; apply: Canonicalize; def: unknown; hasDefault: boolean; nullable: boolean }

/** Compiles pruning + defaulting for a schema; `root` keeps apiVersion/kind/metadata (custom resource roots). */
export function compileCanonicalizer(s: Props | undefined, opts: { root?: boolean; prune?: boolean } = {}): Canonicalize {
  if (!s) return noop;
  return compile(s, opts.root === true, opts.prune !== false);
}

function compile(s: Props, root: boolean, prune: boolean): Canonicalize {
  const items = s.items ? compile(s.items, false, prune) : undefined;
  const fields: Field[] = Object.entries(s.properties ?? {}).map(([key, p]) => ({
    key, apply: compile(p, false, prune), def: p.default, hasDefault: p.default !== undefined, nullable: p.nullable === true,
  }));
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  const extraApply = extra ? compile(extra, false, prune) : undefined;
  const extraNullable = extra?.nullable === true || extra?.default !== undefined;
  const keepUnknown = !prune || s['x-kubernetes-preserve-unknown-fields'] === true || s.additionalProperties === true;
  const keepMeta = root || s['x-kubernetes-embedded-resource'] === true;
  if (!items && fields.length === 0 && !extraApply && keepUnknown) return noop;

  return (v) => {
    if (Array.isArray(v)) {
      if (items) for (const x of v) items(x);
      return;
    }
    if (!isObject(v)) return;
    for (const f of fields) {
      const cur = v[f.key];
      if (f.hasDefault && (cur === undefined || (cur === null && !f.nullable))) v[f.key] = structuredClone(f.def);
      else if (cur === null && !f.nullable) delete v[f.key];
    }
    for (const key of Object.keys(v)) {
      const f = byKey.get(key);
      if (f) { f.apply(v[key]); continue; }
      if (keepMeta && ROOT_KEEP.has(key)) continue;
      if (extraApply) {
        if (v[key] === null && !extraNullable) delete v[key]; else extraApply(v[key]);
        continue;
      }
      if (!keepUnknown) delete v[key];
    }
  };
}
