// Audit policy: parsing/validation and rule matching as Kubernetes' policy checker, plus the clusters extension.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY, parsePolicy, PolicyEvaluator, ruleMatches, type PolicyAttributes } from './policy.ts';

const base: PolicyAttributes = {
  username: 'alice', groups: ['devs', 'system:authenticated'], verb: 'get', cluster: 'team-a',
  isResourceRequest: true, path: '/api/v1/namespaces/ns1/pods/p1', apiGroup: '', resource: 'pods',
  subresource: '', namespace: 'ns1', name: 'p1',
};
const attrs = (o: Partial<PolicyAttributes>): PolicyAttributes => ({ ...base, ...o });
const rule = (r: Record<string, unknown>) => parsePolicy(JSON.stringify({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Metadata', ...r }] })).rules[0];

describe('audit policy parsing', () => {
  it('parses YAML with defaults and rejects unknown fields, levels and kinds', () => {
    const p = parsePolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: RequestResponse
  resources: [{group: "", resources: ["secrets"]}]
- level: Metadata
`);
    assert.equal(p.rules.length, 2);
    assert.deepEqual(p.rules[0].resources[0].resourceNames, []);
    assert.deepEqual(p.omitStages, ['RequestReceived']);
    assert.throws(() => parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Loud}]'), /rules\.0\.level/);
    assert.throws(() => parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None, user: [x]}]'), /user/);
    assert.throws(() => parsePolicy('apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: None}]'), /apiVersion/);
    assert.throws(() => parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []'), /at least one rule/);
    assert.throws(() => parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None, nonResourceURLs: ["/a"], namespaces: [x]}]'), /both/);
    assert.throws(() => parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None, nonResourceURLs: ["/a*b"]}]'), /last character/);
    assert.throws(() => parsePolicy('{'), /not valid YAML/);
  });

  it('defaults to Metadata for everything', () => {
    const e = new PolicyEvaluator(DEFAULT_POLICY);
    assert.equal(e.evaluate(base).level, 'Metadata');
    assert.equal(e.evaluate(attrs({ isResourceRequest: false, path: '/healthz', verb: 'get' })).level, 'Metadata');
  });
});

describe('audit rule matching', () => {
  it('matches users, groups, verbs and clusters', () => {
    assert.ok(ruleMatches(rule({ users: ['alice'] }), base));
    assert.ok(!ruleMatches(rule({ users: ['bob'] }), base));
    assert.ok(ruleMatches(rule({ userGroups: ['x', 'devs'] }), base));
    assert.ok(!ruleMatches(rule({ userGroups: ['ops'] }), base));
    assert.ok(ruleMatches(rule({ verbs: ['get', 'list'] }), base));
    assert.ok(!ruleMatches(rule({ verbs: ['watch'] }), base));
    assert.ok(ruleMatches(rule({ clusters: ['team-a'] }), base));
    assert.ok(!ruleMatches(rule({ clusters: ['root'] }), base));
  });

  it('matches resources with group, subresource forms and resourceNames', () => {
    const log = attrs({ subresource: 'log' });
    assert.ok(ruleMatches(rule({ resources: [{ resources: ['pods'] }] }), base));
    assert.ok(!ruleMatches(rule({ resources: [{ resources: ['pods'] }] }), log));
    assert.ok(ruleMatches(rule({ resources: [{ resources: ['pods/log'] }] }), log));
    assert.ok(ruleMatches(rule({ resources: [{ resources: ['*/log'] }] }), log));
    assert.ok(!ruleMatches(rule({ resources: [{ resources: ['*/status'] }] }), log));
    assert.ok(!ruleMatches(rule({ resources: [{ resources: ['*/log'] }] }), base));
    assert.ok(ruleMatches(rule({ resources: [{ resources: ['pods/*'] }] }), log));
    assert.ok(ruleMatches(rule({ resources: [{ resources: ['*'] }] }), log));
    assert.ok(ruleMatches(rule({ resources: [{}] }), log), 'a group without resources matches all of it');
    assert.ok(!ruleMatches(rule({ resources: [{ group: 'apps', resources: ['pods'] }] }), base));
    assert.ok(ruleMatches(rule({ resources: [{ group: 'apps' }] }), attrs({ apiGroup: 'apps', resource: 'deployments' })));
    assert.ok(ruleMatches(rule({ resources: [{ resources: ['pods'], resourceNames: ['p1'] }] }), base));
    assert.ok(!ruleMatches(rule({ resources: [{ resources: ['pods'], resourceNames: ['p2'] }] }), base));
    assert.ok(!ruleMatches(rule({ resources: [{ resources: ['pods'] }] }), attrs({ isResourceRequest: false })));
  });

  it('matches namespaces ("" is cluster scope) only for resource requests', () => {
    assert.ok(ruleMatches(rule({ namespaces: ['ns1'] }), base));
    assert.ok(!ruleMatches(rule({ namespaces: ['ns2'] }), base));
    assert.ok(ruleMatches(rule({ namespaces: [''] }), attrs({ namespace: '', resource: 'nodes' })));
    assert.ok(!ruleMatches(rule({ namespaces: ['ns1'] }), attrs({ isResourceRequest: false })));
    assert.ok(!ruleMatches(rule({ namespaces: ['ns1'], resources: [{ resources: ['secrets'] }] }), base));
  });

  it('matches non-resource URLs exactly, by prefix with a trailing *, and never resource requests', () => {
    const nr = attrs({ isResourceRequest: false, path: '/healthz/etcd' });
    assert.ok(ruleMatches(rule({ nonResourceURLs: ['/healthz*'] }), nr));
    assert.ok(ruleMatches(rule({ nonResourceURLs: ['/healthz/etcd'] }), nr));
    assert.ok(!ruleMatches(rule({ nonResourceURLs: ['/healthz'] }), nr));
    assert.ok(ruleMatches(rule({ nonResourceURLs: ['*'] }), nr));
    assert.ok(!ruleMatches(rule({ nonResourceURLs: ['*'] }), base));
  });

  it('takes the first matching rule, None when none match, and unions omitStages', () => {
    const p = parsePolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  users: [system:kube-proxy]
- level: RequestResponse
  resources: [{group: "", resources: [secrets]}]
  omitStages: [ResponseStarted]
  omitManagedFields: true
- level: Request
  userGroups: [devs]
  clusters: [team-a]
`);
    const e = new PolicyEvaluator(p);
    assert.equal(e.evaluate(attrs({ username: 'system:kube-proxy', resource: 'secrets' })).level, 'None');
    const s = e.evaluate(attrs({ resource: 'secrets' }));
    assert.equal(s.level, 'RequestResponse');
    assert.deepEqual([...s.omitStages].sort(), ['RequestReceived', 'ResponseStarted']);
    assert.equal(s.omitManagedFields, true);
    assert.equal(e.evaluate(base).level, 'Request');
    assert.equal(e.evaluate(base).omitManagedFields, false);
    assert.equal(e.evaluate(attrs({ cluster: 'root' })).level, 'None');
    assert.equal(e.evaluate(attrs({ groups: [] })).level, 'None');
  });
});
