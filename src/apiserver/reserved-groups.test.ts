// Reserved API groups: Kubernetes' and Portcullis' domains, refused to tenants; platform groups refused everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isReservedGroup, reservedGroupProblem } from './reserved-groups.ts';

test('reserves k8s.io, kubernetes.io, portcullis.io and their subdomains, not look-alikes', () => {
  for (const g of ['k8s.io', 'apps.k8s.io', 'kubernetes.io', 'x.kubernetes.io', 'portcullis.io', 'tenancy.portcullis.io']) assert.ok(isReservedGroup(g), g);
  for (const g of ['example.com', 'notk8s.io', 'k8s.io.example.com', 'myportcullis.io']) assert.ok(!isReservedGroup(g), g);
});

test('tenants may use no reserved group; root may define Kubernetes-domain APIs but never platform groups', () => {
  assert.match(reservedGroupProblem('team-a', 'gateway.networking.k8s.io') ?? '', /reserved for Kubernetes APIs/);
  assert.match(reservedGroupProblem('team-a', 'management.portcullis.io') ?? '', /reserved for Portcullis/);
  assert.match(reservedGroupProblem('root', 'tenancy.portcullis.io') ?? '', /reserved for Portcullis/);
  assert.equal(reservedGroupProblem('root', 'gateway.networking.k8s.io'), undefined);
  assert.equal(reservedGroupProblem('team-a', 'widgets.example.com'), undefined);
});
