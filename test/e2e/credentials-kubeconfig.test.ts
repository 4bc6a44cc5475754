// End-to-end: a Kubeconfig object (seed 004) → certificate → Secret with a ready kubeconfig that kubectl uses →
// ClusterRoleBindings for group kubeconfig:<ns>:<name>:<uid> → renewal at 2/3 of the validity (moved clock) → delete →
// bindings and Secret gone, every issued certificate rejected at once and listed in the CRL; and the policy cap.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { x509 } from '../../src/pki/x509-lib.ts';
import { setupPlatform, startCredHarness, type CredHarness } from './credentials-harness.ts';

const KUBECONFIG = `
apiVersion: management.portcullis.io/v1
kind: Kubeconfig
metadata: {name: susan, namespace: default}
spec:
  username: susan
  groups: [payments-readers]
  secretRef: {name: susan-kubeconfig}
  target: {tenantCluster: payments-dev}
  validity: 8766h
  authorization:
    clusterRoleBindings:
      cluster: payments-dev
      clusterRoles: [view]
`;

describe('credentials: Kubeconfig objects', () => {
  let h: CredHarness;
  const secretKubeconfig = async () => {
    const s = JSON.parse((await h.kubectl(['-n', 'default', 'get', 'secret', 'susan-kubeconfig', '-o', 'json'])).stdout);
    return { text: Buffer.from(s.data.kubeconfig, 'base64').toString(), serial: s.metadata.annotations['credentials.portcullis.io/serial'] as string };
  };
  const status = async () => {
    const o = JSON.parse((await h.kubectl(['-n', 'default', 'get', 'kubeconfig', 'susan', '-o', 'json'])).stdout);
    return { ...o.status, uid: o.metadata.uid as string };
  };
  let first = { text: '', serial: '' };
  let second = { text: '', serial: '' };

  before(async () => {
    h = await startCredHarness();
    await setupPlatform(h);
    await h.kubectl(['apply', '-f', '-'], { input: KUBECONFIG });
    await h.server.settle();
  });
  after(async () => { await h?.close(); });

  it('issues a certificate and writes a ready kubeconfig that kubectl uses with the bound ClusterRole', async () => {
    const st = await status();
    assert.equal(st.phase, 'Ready');
    assert.equal(st.conditions[0].type, 'Ready');
    assert.equal(st.conditions[0].status, 'True');
    first = await secretKubeconfig();
    assert.equal(first.serial, st.serial);
    const kc = h.writeFile('susan-1.kubeconfig', first.text);
    const cert = new x509.X509Certificate(Buffer.from((first.text.match(/client-certificate-data: (\S+)/) ?? [])[1], 'base64').toString());
    assert.match(cert.subject, /CN=susan/);
    assert.match(cert.subject, /O=payments-readers/);
    assert.ok(cert.subject.includes(`O=kubeconfig:default:susan:${st.uid}`), cert.subject);
    assert.equal(new Date(st.notAfter).getTime(), cert.notAfter.getTime());
    assert.match((await h.kubectl(['-n', 'app', 'get', 'configmaps'], { kubeconfig: kc })).stdout, /cfg/);
    const write = await h.kubectl(['-n', 'app', 'create', 'configmap', 'nope'], { kubeconfig: kc, allowFail: true });
    assert.notEqual(write.code, 0, 'view only');
    const crb = JSON.parse((await h.kubectl(['--context', 'payments-dev', 'get', 'clusterrolebinding', 'kubeconfig:default:susan:view', '-o', 'json'])).stdout);
    assert.deepEqual(crb.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: `kubeconfig:default:susan:${st.uid}` }]);
    const inv = JSON.parse((await h.request('GET', '/platform/v1/credentials?user=susan', { admin: true })).body).items;
    assert.deepEqual(inv.map((i: { id: string; kind: string }) => [i.id, i.kind]), [['kubeconfig:default.susan', 'Kubeconfig']]);
  });

  it('renews at two thirds of the validity: new certificate and Secret, the old one still works', async () => {
    h.clock.advance(6000 * 3_600_000);
    h.mod.api!.kubeconfigs.resync();
    await h.server.settle();
    second = await secretKubeconfig();
    assert.notEqual(second.serial, first.serial);
    const st = await status();
    assert.equal(st.serial, second.serial);
    assert.deepEqual(st.serials.map((s: { serial: string }) => s.serial), [first.serial, second.serial]);
    for (const [i, k] of [first, second].entries()) {
      const r = await h.kubectl(['-n', 'app', 'get', 'configmaps'], { kubeconfig: h.writeFile(`renew-${i}.kubeconfig`, k.text) });
      assert.match(r.stdout, /cfg/);
    }
  });

  it('refuses a validity beyond the project policy', async () => {
    await h.kubectl(['patch', 'project', 'payments', '--type=merge', '-p', '{"spec":{"credentialPolicy":{"maxCertificateValidity":"720h"}}}']);
    await h.server.settle();
    const other = KUBECONFIG.replace('name: susan,', 'name: long,').replace('susan-kubeconfig', 'long-kubeconfig');
    const r = await h.kubectl(['apply', '-f', '-'], { input: other, allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /certificate validity 8766h exceeds the maximum of 720h set by project payments \(credentialPolicy.maxCertificateValidity\)/);
  });

  it('on delete removes the bindings and the Secret, and revokes every certificate it issued', async () => {
    await h.kubectl(['-n', 'default', 'delete', 'kubeconfig', 'susan', '--wait=false']);
    await h.server.settle();
    const gone = await h.kubectl(['-n', 'default', 'get', 'kubeconfig', 'susan'], { allowFail: true });
    assert.match(gone.stderr, /NotFound/);
    const crb = await h.kubectl(['--context', 'payments-dev', 'get', 'clusterrolebinding', 'kubeconfig:default:susan:view'], { allowFail: true });
    assert.match(crb.stderr, /NotFound/);
    assert.match((await h.kubectl(['-n', 'default', 'get', 'secret', 'susan-kubeconfig'], { allowFail: true })).stderr, /NotFound/);
    for (const [i, k] of [first, second].entries()) {
      const r = await h.kubectl(['-n', 'app', 'get', 'configmaps'], { kubeconfig: h.writeFile(`revoked-${i}.kubeconfig`, k.text), allowFail: true });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Unauthorized|must be logged in/);
    }
    const crl = await h.request('GET', '/platform/v1/crl?format=pem');
    assert.equal(crl.status, 200);
    const parsed = new x509.X509Crl(crl.body);
    assert.ok(await parsed.verify({ publicKey: new x509.X509Certificate(h.server.pki.caCertPem).publicKey }));
    const listed = parsed.entries.map((e) => e.serialNumber.toLowerCase().replace(/^0+/, ''));
    assert.ok(listed.includes(first.serial) && listed.includes(second.serial));
  });
});
