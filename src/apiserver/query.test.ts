// Query parameters decode as Kubernetes' Go server decodes them: booleans in every spelling, strconv.ParseInt
// integers with Go's error text, option validation on the options kind, watch timeouts, pretty printing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from './errors.ts';
import { fieldManagerCauses, goParseBool, goParseInt64, goQueryBool, listOptions, writeOptions } from './query.ts';
import { parseRequestInfo } from './filters/request-info.ts';
import { watchTimeoutMs } from './handlers/watch.ts';
import { discoveryForm } from './handlers/discovery.ts';

const q = (s: string): URLSearchParams => new URLSearchParams(s);
const status = (f: () => unknown): StatusError => {
  try { f(); } catch (e) { if (e instanceof StatusError) return e; throw e; }
  assert.fail('expected a StatusError');
};

test('query booleans: only "0" and "false" in any case are false; every other value, even empty, is true', () => {
  for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True', 'yes', '', 'f', 'F']) assert.equal(goQueryBool(v), true, v);
  for (const v of ['0', 'false', 'False', 'FALSE', 'fAlSe']) assert.equal(goQueryBool(v), false, v);
  assert.equal(goQueryBool(null), undefined);
});

test('?watch= in every spelling decides between list and watch, as RequestInfoFactory does', () => {
  const verb = (query: string) => parseRequestInfo('GET', '/api/v1/namespaces/a/pods', q(query)).verb;
  for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(verb(`watch=${v}`), 'watch', v);
  for (const v of ['0', 'false', 'False', 'FALSE']) assert.equal(verb(`watch=${v}`), 'list', v);
  assert.equal(verb(''), 'list');
  assert.equal(verb('watch'), 'watch', 'a bare ?watch is a watch');
  assert.equal(parseRequestInfo('GET', '/api/v1/namespaces/a/pods/p', q('watch=true')).verb, 'get', 'named GETs are gets');
});

test('strconv.ParseBool (pretty): the six true and six false spellings, nothing else', () => {
  for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(goParseBool(v), true);
  for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(goParseBool(v), false);
  for (const v of ['yes', 'tRuE', '', '2']) assert.equal(goParseBool(v), undefined);
});

test('integers parse as strconv.ParseInt(v, 10, 64); anything else is a 400 with Go\'s text', () => {
  assert.equal(goParseInt64('42'), 42);
  assert.equal(goParseInt64('+7'), 7);
  assert.equal(goParseInt64('-3'), -3);
  assert.equal(goParseInt64('007'), 7);
  assert.equal(goParseInt64('9223372036854775807'), 9223372036854775807);
  for (const [v, why] of [['abc', 'invalid syntax'], ['', 'invalid syntax'], ['1.5', 'invalid syntax'], ['0x10', 'invalid syntax'],
    ['1_000', 'invalid syntax'], [' 1', 'invalid syntax'], ['9223372036854775808', 'value out of range']]) {
    const e = status(() => goParseInt64(v));
    assert.equal(e.code, 400);
    assert.equal(e.message, `strconv.ParseInt: parsing ${JSON.stringify(v)}: ${why}`);
  }
});

test('list options: limit <= 0 means no limit, timeoutSeconds 0 means the default, bad integers are 400', () => {
  assert.equal(listOptions(q('limit=0')).limit, undefined);
  assert.equal(listOptions(q('limit=-5')).limit, undefined);
  assert.equal(listOptions(q('limit=500')).limit, 500);
  assert.equal(listOptions(q('timeoutSeconds=0')).timeoutSeconds, undefined);
  assert.equal(listOptions(q('allowWatchBookmarks=True')).allowWatchBookmarks, true);
  assert.equal(status(() => listOptions(q('limit=ten'))).message, 'strconv.ParseInt: parsing "ten": invalid syntax');
  assert.equal(status(() => listOptions(q('timeoutSeconds=1e3'))).code, 400);
  assert.equal(listOptions(q('labelSelector=&fieldSelector=')).labelSelector, undefined, 'empty is unset');
});

test('watch timeouts: explicit seconds, a random 30-60 minutes by default, no timer for huge values', () => {
  assert.equal(watchTimeoutMs(5), 5000);
  assert.equal(watchTimeoutMs(undefined, () => 0), 1_800_000);
  assert.equal(watchTimeoutMs(undefined, () => 0.5), 2_700_000);
  assert.equal(watchTimeoutMs(-1), 0, 'a negative timeout ends the watch at once');
  // Beyond a Node timer's range (24.8 days) a timer would fire at once; Kubernetes keeps such a watch open.
  assert.equal(watchTimeoutMs(2_147_484), undefined);
  assert.equal(watchTimeoutMs(9_223_372_036_854), undefined);
  assert.equal(watchTimeoutMs(2_147_483), 2_147_483_000);
});

test('write options: dryRun must be All, fieldManager printable and at most 128 bytes, force a query bool', () => {
  assert.deepEqual(writeOptions(q('dryRun=All&fieldManager=me&force=1'), 'PatchOptions'),
    { dryRun: true, fieldManager: 'me', fieldValidation: undefined, force: true });
  assert.deepEqual(writeOptions(q('fieldManager='), 'CreateOptions'),
    { dryRun: false, fieldManager: undefined, fieldValidation: undefined, force: false }, 'empty manager is unset');
  const dry = status(() => writeOptions(q('dryRun=All&dryRun=Partial'), 'CreateOptions'));
  assert.equal(dry.code, 422);
  assert.equal(dry.message, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"All", "Partial"}: supported values: "All"');
  const long = status(() => writeOptions(q(`fieldManager=${'m'.repeat(129)}`), 'UpdateOptions'));
  assert.equal(long.code, 422);
  assert.match(long.message, /^UpdateOptions\.meta\.k8s\.io "" is invalid: fieldManager: Too long/);
  assert.deepEqual(fieldManagerCauses('ok manager'), []);
  assert.match(fieldManagerCauses('bad\u0007')[0].message, /invalid character U\+0007 \(at position 3\)/);
});

test('discovery form follows the Accept header: v2, v2beta1 (kubectl 1.27-1.29), or the legacy lists', () => {
  const v2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
  const beta = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
  assert.equal(discoveryForm(`${v2},${beta},application/json`), 'v2');
  assert.equal(discoveryForm(`${beta},application/json`), 'v2beta1');
  assert.equal(discoveryForm(`${v2};q=0.5,${beta}`), 'v2beta1', 'q values order the choice');
  assert.equal(discoveryForm('application/json'), 'legacy');
  assert.equal(discoveryForm(undefined), 'legacy');
  assert.equal(discoveryForm('application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json'), 'legacy');
  assert.equal(discoveryForm('application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList'), 'legacy');
});
