// RFC 6902 JSON Patch (application/json-patch+json) on a stored object, via fast-json-patch.
// Malformed operations are a 400; operations that cannot apply (a failed test, a missing path) a 422, as in Kubernetes.
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { badRequest, StatusError } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';

/** Kubernetes refuses patches with more operations than this. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;
const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Checks the shape of every operation; throws a 400 StatusError on the first bad one. */
export function validateJsonPatch(ops: unknown): asserts ops is Operation[] {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(413, 'RequestEntityTooLarge',
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  ops.forEach((op, i) => {
    if (!op || typeof op !== 'object' || Array.isArray(op)) throw badRequest(`json patch operation ${i} is not an object`);
    const o = op as Record<string, unknown>;
    if (typeof o.op !== 'string' || !OPS.has(o.op)) throw badRequest(`json patch operation ${i}: unexpected kind of operation ${JSON.stringify(o.op ?? null)}`);
    if (typeof o.path !== 'string' || (o.path !== '' && !o.path.startsWith('/'))) throw badRequest(`json patch operation ${i}: invalid path ${JSON.stringify(o.path ?? null)}`);
    if ((o.op === 'move' || o.op === 'copy') && (typeof o.from !== 'string' || (o.from !== '' && !o.from.startsWith('/')))) {
      throw badRequest(`json patch operation ${i}: ${o.op} operation requires a valid "from"`);
    }
    if ((o.op === 'add' || o.op === 'replace' || o.op === 'test') && !('value' in o)) {
      throw badRequest(`json patch operation ${i}: ${o.op} operation requires a "value"`);
    }
  });
}

function cannotApply(message: string): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request',
    { causes: [{ reason: 'UnexpectedServerResponse', message }] });
}

function describe(err: InstanceType<typeof jsonPatch.JsonPatchError>): string {
  const op = err.operation as { op?: string; path?: string; from?: string } | undefined;
  switch (err.name) {
    case 'TEST_OPERATION_FAILED': return `testing value ${op?.path} failed: test failed`;
    case 'OPERATION_PATH_UNRESOLVABLE': return `${op?.op} operation does not apply: doc is missing path: "${op?.path}": missing value`;
    case 'OPERATION_FROM_UNRESOLVABLE': return `${op?.op} operation does not apply: doc is missing from path: "${op?.from}": missing value`;
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
    case 'OPERATION_VALUE_OUT_OF_BOUNDS': return `${op?.op} operation does not apply: invalid index in path "${op?.path}"`;
    default: return err.message.split('\n')[0];
  }
}

/** Applies RFC 6902 operations to a copy of `current`; the result must still be an object. */
export function applyJsonPatch(current: KObject, ops: unknown): KObject {
  validateJsonPatch(ops);
  let result: unknown;
  try {
    result = jsonPatch.applyPatch(structuredClone(current), ops, true, true, true).newDocument;
  } catch (err) {
    if (err instanceof jsonPatch.JsonPatchError) throw cannotApply(describe(err));
    throw cannotApply(err instanceof Error ? err.message : String(err));
  }
  if (!result || typeof result !== 'object' || Array.isArray(result)) throw cannotApply('the patched document is not an object');
  const obj = result as KObject;
  if (!obj.metadata || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw cannotApply('the patched object has no metadata');
  return obj;
}

