// Bounded YAML decoding, in plain JavaScript so that it also runs as a worker thread without a TypeScript loader:
// linear duplicate-key detection (the library's own check is quadratic), capped aliases, capped nesting depth.
// As a worker it answers { id, text } messages with { id, value } or { id, error }.
import { isMainThread, parentPort } from 'node:worker_threads';
import { parseDocument, visit, isScalar } from 'yaml';

/** Alias expansions allowed per document (the library's measure), against "billion laughs" bodies. */
export const MAX_YAML_ALIASES = 100;

/** Parses one YAML document into plain values; throws an Error with a one-line message when it is not acceptable. */
export function parseYamlText(text, maxDepth) {
  let doc;
  try {
    doc = parseDocument(text, { strict: true, uniqueKeys: false, prettyErrors: false });
  } catch (e) {
    throw new Error(e instanceof RangeError ? `nested more than ${maxDepth} levels deep` : firstLine(e));
  }
  if (doc.errors.length > 0) {
    const message = firstLine(doc.errors[0]);
    // The library reports its own stack overflow on deep input as a parse error.
    throw new Error(/call stack/i.test(message) ? `nested more than ${maxDepth} levels deep` : message);
  }
  let duplicate;
  visit(doc, {
    Map(_, map) {
      const seen = new Set();
      for (const pair of map.items) {
        const k = isScalar(pair.key) ? `s:${String(pair.key.value)}` : `n:${String(pair.key)}`;
        if (seen.has(k)) { duplicate = String(isScalar(pair.key) ? pair.key.value : pair.key); return visit.BREAK; }
        seen.add(k);
      }
      return undefined;
    },
  });
  if (duplicate !== undefined) throw new Error(`Map keys must be unique; "${duplicate}" is repeated`);
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    throw new Error(e instanceof RangeError ? `nested more than ${maxDepth} levels deep` : firstLine(e));
  }
}

function firstLine(e) {
  return String(e && e.message ? e.message : e).split('\n')[0];
}

/** The nesting depth of `value` if it is at most `max`, else max + 1 (iterative: deep input cannot overflow the stack). */
export function depthOf(value, max) {
  const stack = [[value, 1]];
  let deepest = 0;
  while (stack.length > 0) {
    const [v, d] = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (d > deepest) { deepest = d; if (deepest > max) return max + 1; }
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
    }
  }
  return deepest;
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', ({ id, text, maxDepth }) => {
    try {
      const value = parseYamlText(text, maxDepth);
      // Checked here: posting a value deeper than this could itself overflow the stack.
      if (depthOf(value, maxDepth) > maxDepth) throw new Error(`nested more than ${maxDepth} levels deep`);
      port.postMessage({ id, value });
    } catch (e) {
      port.postMessage({ id, error: firstLine(e) });
    }
  });
}
