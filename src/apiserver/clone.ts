// A deep copy of a stored object's JSON-shaped value: plain objects, arrays and primitives copied in place of
// structuredClone, which costs ~10× more on Node 20 (it goes through a message port) and runs several times per write.
// Anything else (a Date, a Map, a class instance) is copied by structuredClone, so the result is the same; values are
// assumed acyclic, as JSON is.

/** Copies `v` as structuredClone would (own enumerable string-keyed properties; undefined values kept). */
export function cloneObject<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = cloneObject(v[i] as unknown);
    return out as T;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) setOwn(out, k, cloneObject((v as Record<string, unknown>)[k]));
  return out as T;
}

/**
 * `o[k] = v` as a data property even for '__proto__' (an own key JSON.parse makes from a hostile body), which
 * assigned would set `o`'s prototype instead: the key lost, or the attacker's properties inherited.
 */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}
