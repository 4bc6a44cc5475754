// One served version of a CRD compiled once (per CRD generation) into the strategy of its custom resources:
// pruning and defaulting on every write, defaults on read, schema validation with Kubernetes' messages, then
// x-kubernetes-validations rules (skipped when type errors make them meaningless), status reset on create.
import type { KObject } from '../storage/interface.ts';
import type { StatusCause } from '../errors.ts';
import type { Strategy } from '../registry/types.ts';
import { defaultStrategy } from '../registry/strategies/default.ts';
import { deepFreeze } from '../storage/cache-index.ts';
import { fe, toCauses, type FieldError } from './field-errors.ts';
import type { Props } from './json-schema.ts';
import { compileSchema, type Check } from './schema-validator.ts';
import { compileCanonicalizer, type Canonicalize } from './prune-default.ts';
import { compileRules, type RuleValidator } from './cel-rules.ts';

export interface VersionOptions {
  group: string;
  /** This served version. */
  version: string;
  /** The version objects are stored in (conversion None: only apiVersion changes). */
  storageVersion: string;
  statusSubresource: boolean;
}

export class CompiledVersion {
  readonly check: Check;
  readonly canonicalize: Canonicalize;
  readonly readDefaults: Canonicalize;
  readonly rules?: RuleValidator;
  constructor(readonly schema: Props | undefined) {
    const root: Props = schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    this.check = compileSchema(withoutMeta(root));
    this.canonicalize = compileCanonicalizer(root, { root: true });
    this.readDefaults = compileCanonicalizer(root, { root: true, prune: false });
    this.rules = compileRules(schema);
  }

  /** Schema errors, then rule errors (unless a type error or unsupported value blocks them). */
  validate(obj: KObject, old: KObject | undefined): FieldError[] {
    const errs: FieldError[] = [];
    const body = obj as unknown as Record<string, unknown>;
    this.check(body, '', errs);
    if (!this.rules) return errs;
    if (errs.some((e) => e.type === 'TypeInvalid' || e.type === 'NotSupported')) {
      errs.push(fe.invalid('<nil>', null, 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation'));
      return errs;
    }
    this.rules.validate(body, old as unknown as Record<string, unknown> | undefined, errs);
    return errs;
  }
}

/** The root schema without metadata/apiVersion/kind (ObjectMeta is validated by the generic store). */
function withoutMeta(s: Props): Props {
  if (!s.properties) return s;
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = s.properties;
  return { ...s, properties: rest };
}

const gv = (group: string, version: string): string => `${group}/${version}`;

/** The strategy of one served version's custom resources. */
export function customResourceStrategy(cv: CompiledVersion, o: VersionOptions): Strategy {
  const stored = gv(o.group, o.storageVersion);
  const served = gv(o.group, o.version);
  const presented = new WeakMap<object, KObject>();
  const decode = (obj: Readonly<KObject>): KObject => {
    const out = structuredClone(obj) as KObject;
    out.apiVersion = served;
    cv.readDefaults(out);
    return out;
  };
  const causes = (errs: FieldError[]): StatusCause[] => toCauses(errs);
  return {
    canonicalize(obj) {
      cv.canonicalize(obj);
      obj.apiVersion = stored;
    },
    prepareForCreate(obj) {
      defaultStrategy.prepareForCreate!(obj);
      if (o.statusSubresource) delete obj.status;
    },
    prepareForUpdate(obj, old) {
      defaultStrategy.prepareForUpdate!(obj, old);
    },
    validate: (obj) => [...defaultStrategy.validate!(obj), ...causes(cv.validate(obj, undefined))],
    validateUpdate: (obj, old) => [...defaultStrategy.validate!(obj), ...causes(cv.validate(obj, old))],
    validateName: defaultStrategy.validateName,
    decode,
    present(obj) {
      if (!Object.isFrozen(obj)) return decode(obj);
      // Shared like the stored object it comes from: frozen, so its JSON is cached too (respond.ts).
      let p = presented.get(obj);
      if (!p) { p = deepFreeze(decode(obj)); presented.set(obj, p); }
      return p;
    },
  };
}

/** Kubernetes' default deprecation warning for a served, deprecated version. */
export function deprecationWarning(group: string, kind: string, version: string, all: Array<{ name: string; served?: boolean; deprecated?: boolean }>): string {
  const msg = `${group}/${version} ${kind} is deprecated`;
  const newer = all.filter((v) => v.served !== false && !v.deprecated && compareKubeVersions(version, v.name) < 0)
    .map((v) => v.name).sort((a, b) => compareKubeVersions(b, a));
  return newer.length ? `${msg}; use ${group}/${newer[0]} ${kind}` : msg;
}

/** version.CompareKubeAwareVersionStrings: v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > anything else (by name). */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number, string] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return [Number(m[1]), m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2, Number(m[3] ?? 0), v];
  };
  const x = parse(a); const y = parse(b);
  if (!x && !y) return a < b ? 1 : a > b ? -1 : 0;
  if (!x) return -1;
  if (!y) return 1;
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return 0;
}
