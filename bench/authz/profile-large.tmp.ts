import { RbacIndex } from '../../src/auth/authz/rbac/index.ts';
import { balancedRequests, generateCluster, randomRequest } from './policy-gen.ts';
const idx = new RbacIndex();
const ordinary = { namespaces: 10, clusterBindings: 11, roleBindingsPerNs: 7, users: 30, groups: 5, customRoles: 4 };
const N = Number(process.argv[2] ?? 10000);
for (let i = 0; i < N; i++) idx.load(`tenant-${i}`, generateCluster(`tenant-${i}`, i + 1, ordinary).snapshot);
const wide = Array.from({ length: 1000 }, (_, k) => { const i = Math.floor(k * N / 1000); return [`tenant-${i}`, generateCluster(`tenant-${i}`, i + 1, ordinary)] as const; });
const allow = (a: any) => idx.authorize(a).decision === 'allow';
const reqs = balancedRequests(100_000, 7, (r) => { const [n, g] = wide[Math.floor(r() * wide.length)]!; return randomRequest(r, n, g); }, allow);
console.log(idx.viewStats());
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const sess = new Session(); sess.connect(); await sess.post('Profiler.enable'); await sess.post('Profiler.start');
for (let k = 0; k < 3; k++) {
let n = 0; const t = performance.now();
while (performance.now() - t < 2000) { for (const a of reqs) allow(a); n += reqs.length; }
console.log((n / ((performance.now() - t) / 1000)).toFixed(0), '/s', idx.viewStats());
}
const { profile } = await sess.post('Profiler.stop'); writeFileSync('/tmp/prof/loop.cpuprofile', JSON.stringify(profile));
