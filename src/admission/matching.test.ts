// Rule, object-selector and namespace-selector matching of admission policies and webhooks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defineType } from '../apiserver/registry/builtins.ts';
import { exemptFromWebhooks, matchResources, namespaceSelected, objectSelected, ruleMatches, type Attrs } from './matching.ts';

const deployments = defineType('apps', 'v1', 'deployments', 'Deployment');
const namespaces = defineType('', 'v1', 'namespaces', 'Namespace', { cluster: true });
const attrs = (over: Partial<Attrs> = {}): Attrs => ({
  op: 'create', t: deployments, subresource: '', namespace: 'ns', name: 'web',
  obj: { metadata: { name: 'web', namespace: 'ns', labels: { tier: 'front' } } }, ...over,
});

describe('admission matching', () => {
  it('matches rules by operation, group, version, resource, subresource, scope and name', () => {
    const rule = { operations: ['CREATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] };
    assert.equal(ruleMatches(rule, attrs()), true);
    assert.equal(ruleMatches(rule, attrs({ op: 'update' })), false);
    assert.equal(ruleMatches({ ...rule, operations: ['*'], apiGroups: ['*'] }, attrs({ op: 'delete' })), true);
    assert.equal(ruleMatches(rule, attrs({ subresource: 'status' })), false, 'a plain resource does not match its subresources');
    assert.equal(ruleMatches({ ...rule, resources: ['deployments/*'] }, attrs({ subresource: 'scale' })), true);
    assert.equal(ruleMatches({ ...rule, resources: ['*/scale'] }, attrs({ subresource: 'scale' })), true);
    assert.equal(ruleMatches({ ...rule, scope: 'Cluster' }, attrs()), false);
    assert.equal(ruleMatches({ ...rule, resourceNames: ['other'] }, attrs()), false);
  });
  it('selects objects by labels (the old object too on update)', () => {
    assert.equal(objectSelected({ matchLabels: { tier: 'front' } }, attrs()), true);
    assert.equal(objectSelected({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, attrs()), false);
    assert.equal(objectSelected({ matchLabels: { tier: 'back' } }, attrs({ op: 'update', old: { metadata: { labels: { tier: 'back' } } } })), true);
  });
  it('selects namespaces by their labels, namespaces by their own, cluster-scoped objects always', async () => {
    const labels = async () => ({ env: 'prod' });
    assert.equal(await namespaceSelected({ matchLabels: { env: 'prod' } }, attrs(), labels), true);
    assert.equal(await namespaceSelected({ matchLabels: { env: 'dev' } }, attrs(), labels), false);
    assert.equal(await namespaceSelected({ matchLabels: { env: 'dev' } }, attrs({ t: namespaces, obj: { metadata: { labels: { env: 'dev' } } } }), labels), true);
    assert.equal(await matchResources({ resourceRules: [{ operations: ['CREATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }],
      excludeResourceRules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], resourceNames: ['web'] }] }, attrs(), labels), false);
  });
  it("never sends admission configuration or Portcullis' own objects to webhooks", () => {
    assert.equal(exemptFromWebhooks(defineType('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', { cluster: true })), true);
    assert.equal(exemptFromWebhooks(defineType('credentials.portcullis.io', 'v1alpha1', 'accesskeys', 'AccessKey', { cluster: true })), true);
    assert.equal(exemptFromWebhooks(deployments), false);
  });
});
