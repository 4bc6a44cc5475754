// Derived credentials die with their source across replicas (issue 12): a source ended through replica A (key deleted,
// token revoked, owner deleted) ends what it minted on replica B within a stated bound; the measured delays are printed.
import assert from 'node:assert/strict';
import { eventually, type Replica } from './replicas.ts';

/** Stated bound for a revocation through one replica to be enforced by the other (the store's change feed). */
const BOUND_MS = 5000;
const G = '/clusters/root/apis/management.portcullis.io/v1';

async function status(r: Replica, token: string): Promise<number> {
  return (await r.request('POST', '/clusters/root/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, { token })).status;
}

/** Runs `end` on A and measures until B refuses `derived` (polling every 5 ms). */
async function measure(what: string, b: Replica, derived: string, end: () => Promise<void>): Promise<number> {
  assert.equal(await status(b, derived), 201, `${what}: B accepts the derived token before`);
  const t0 = performance.now();
  await end();
  for (;;) {
    const s = await status(b, derived);
    const ms = performance.now() - t0;
    if (s === 401) {
      console.log(`replica revocation bound: ${what}: refused by the other replica after ${ms.toFixed(0)} ms (bound ${BOUND_MS} ms)`);
      return ms;
    }
    assert.equal(s, 201, `${what}: unexpected HTTP ${s}`);
    if (ms > BOUND_MS * 4) assert.fail(`${what}: still accepted by B after ${ms.toFixed(0)} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function checkChainRevocationAcrossReplicas(a: Replica, b: Replica): Promise<void> {
  const key = async (user: string): Promise<{ name: string; token: string }> => {
    const r = await a.request('POST', `${G}/accesskeys`, { apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey',
      metadata: { generateName: `${user}-` }, spec: { user, displayName: 'chain replica test' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return { name: (r.body.metadata as { name: string }).name, token: (r.body.status as { key: string }).key };
  };
  const mint = async (on: Replica, token: string): Promise<{ token: string; jti: string }> => {
    const r = await on.request('POST', '/clusters/root/platform/v1/tokens', { cluster: 'root' }, { token });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.status as { token: string; jti: string };
  };
  for (const u of ['rep-a', 'rep-b', 'rep-c']) {
    const r = await a.request('POST', `${G}/users`, { apiVersion: 'management.portcullis.io/v1', kind: 'User', metadata: { name: u }, spec: {} });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const k1 = await key('rep-a');
  const k2 = await key('rep-b');
  const k3 = await key('rep-c');
  // minted through B once B has seen the keys; the derived tokens are then used on B
  await eventually(async () => (await status(b, k3.token)) === 201, 'B sees the keys');
  const [t1, t2, t3] = [await mint(b, k1.token), await mint(b, k2.token), await mint(b, k3.token)];
  const delays = [
    await measure('key deleted through A', b, t1.token, async () => {
      assert.equal((await a.request('DELETE', `${G}/accesskeys/${k1.name}`)).status, 200);
    }),
    await measure('token revoked through A', b, t2.token, async () => {
      assert.equal((await a.request('POST', `/clusters/root/platform/v1/credentials/platformtoken:${t2.jti}/revoke`)).status, 200);
    }),
    await measure('owner deleted through A', b, t3.token, async () => {
      assert.equal((await a.request('DELETE', `${G}/users/rep-c`)).status, 200);
    }),
  ];
  for (const ms of delays) assert.ok(ms <= BOUND_MS, `enforced on the other replica within ${BOUND_MS} ms (took ${ms.toFixed(0)} ms)`);
}
