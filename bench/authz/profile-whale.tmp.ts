import { RbacIndex } from '../../src/auth/authz/rbac/index.ts';
import { balancedRequests, generateCluster, randomRequest } from './policy-gen.ts';
const idx = new RbacIndex();
const ordinary = { namespaces: 10, clusterBindings: 11, roleBindingsPerNs: 7, users: 30, groups: 5, customRoles: 4 };
for (let i = 0; i < 1000; i++) idx.load(`tenant-${i}`, generateCluster(`tenant-${i}`, i + 1, ordinary).snapshot);
const w = generateCluster('whale', 999, { namespaces: 500, clusterBindings: 10_000, roleBindingsPerNs: 100, users: 20_000, groups: 300, customRoles: 50 });
idx.load('whale', w.snapshot);
const allow = (a: any) => idx.authorize(a).decision === 'allow';
const reqs = balancedRequests(100_000, 7, (r) => randomRequest(r, 'whale', w), allow);
console.log(idx.viewStats());
let n = 0; const t = performance.now();
while (performance.now() - t < 4000) { for (const a of reqs) allow(a); n += reqs.length; }
console.log((n / ((performance.now() - t) / 1000)).toFixed(0), '/s', idx.viewStats());
// distinct users / groups per request
const u = new Set(reqs.map((a) => a.user.username)); console.log('users', u.size, 'groups/user', reqs.reduce((s, a) => s + a.user.groups.length, 0) / reqs.length);
