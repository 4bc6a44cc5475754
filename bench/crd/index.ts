// bench/crd: create (POST) of a custom resource whose CRD has a 30-field schema and two CEL rules, beside create
// of a ConfigMap, through the whole Portcullis chain in the same run (generateName: every request a new object).
// Run: node --import tsx bench/crd/index.ts [--seconds 5] [--rounds 3]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChildServer } from '../../test/support/child-server.ts';
import { load, machine, printTable, type LoadResult } from '../support/load.ts';
import { adminTls } from '../support/reference.ts';

const arg = (flag: string, dflt: number) => (process.argv.includes(flag) ? Number(process.argv[process.argv.indexOf(flag) + 1]) : dflt);
const seconds = arg('--seconds', 5);
const rounds = arg('--rounds', 3);

/** 30 fields of every kind the validator handles: strings with patterns/enums/formats, bounded numbers, lists, maps. */
function fields(): { props: Record<string, unknown>; value: Record<string, unknown> } {
  const props: Record<string, unknown> = {};
  const value: Record<string, unknown> = {};
  for (let i = 0; i < 30; i++) {
    const k = `field${String(i).padStart(2, '0')}`;
    switch (i % 6) {
      case 0: props[k] = { type: 'string', maxLength: 64, pattern: '^[a-z0-9-]+$' }; value[k] = `value-${i}`; break;
      case 1: props[k] = { type: 'integer', minimum: 0, maximum: 1000, default: 1 }; value[k] = i; break;
      case 2: props[k] = { type: 'string', enum: ['small', 'medium', 'large'] }; value[k] = 'medium'; break;
      case 3: props[k] = { type: 'array', maxItems: 8, items: { type: 'string', maxLength: 16 } }; value[k] = ['a', 'b', 'c']; break;
      case 4: props[k] = { type: 'object', maxProperties: 8, additionalProperties: { type: 'string', maxLength: 32 } }; value[k] = { x: '1', y: '2' }; break;
      default: props[k] = { type: 'boolean' }; value[k] = true;
    }
  }
  return { props, value };
}

const { props, value } = fields();
const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
  metadata: { name: 'benches.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'benches', singular: 'bench', kind: 'Bench' },
    versions: [{
      name: 'v1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: {
        type: 'object', required: ['field00', 'field01'], properties: props,
        'x-kubernetes-validations': [
          { rule: 'self.field01 <= self.field07 + 1000', message: 'field01 must not exceed field07 by more than 1000' },
          { rule: "self.field00.startsWith('value-') && size(self.field03) <= 8", message: 'field00 must start with value-' },
        ],
      } } } },
    }],
  },
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-crd-'));
const server = await startChildServer(['--data-dir', path.join(dir, 'data'), '--listen', '127.0.0.1:0']);
try {
  const created = await server.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', CRD);
  if (created.status !== 201) throw new Error(`creating the CRD: ${created.status} ${created.body}`);
  const crPath = '/apis/example.com/v1/namespaces/default/benches';
  const cmPath = '/api/v1/namespaces/default/configmaps';
  const crBody = JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Bench', metadata: { generateName: 'b-' }, spec: value });
  const cmBody = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'c-' }, data: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, JSON.stringify(v)])) });
  // The CRD's types appear once the controller has seen it.
  for (let i = 0; i < 100; i++) {
    const r = await server.request('POST', crPath, JSON.parse(crBody));
    if (r.status === 201) break;
    if (i === 99) throw new Error(`custom resource create: ${r.status} ${r.body}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  const tls = adminTls(server.kubeconfig);
  const headers = { 'content-type': 'application/json' };
  const median = (rs: LoadResult[]) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)];
  const sides: Array<[string, string, string]> = [['custom resource (30 fields, 2 CEL rules)', crPath, crBody], ['ConfigMap', cmPath, cmBody]];
  const runs = new Map<string, LoadResult[]>(sides.map(([n]) => [n, []]));
  for (const [name, p, body] of sides) await load(name, `${server.url}${p}`, tls, { seconds: 2, method: 'POST', body, headers });
  for (let round = 0; round < rounds; round++) {
    for (const [name, p, body] of sides) runs.get(name)!.push(await load(name, `${server.url}${p}`, tls, { seconds, method: 'POST', body, headers }));
  }
  const cm = median(runs.get('ConfigMap')!);
  printTable(`bench/crd — ${new Date().toISOString().slice(0, 10)} — ${machine()} — ${os.cpus().length} cores, median of ${rounds} alternating ${seconds}s runs, 10 connections, mTLS, POST with generateName`,
    sides.map(([name]) => {
      const r = median(runs.get(name)!);
      return { create: name, 'req/s': r.rps.toFixed(0), 'p50 ms': r.p50, 'p99 ms': r.p99, 'vs ConfigMap': `${((r.rps / cm.rps) * 100).toFixed(0)}%`, errors: r.errors + r.non2xx };
    }));
  console.log('\nTarget: custom resource create >= 70% of ConfigMap create.');
} finally {
  await server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
