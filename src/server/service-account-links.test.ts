// A token requested with a ServiceAccount token carries "sa-token:<jti>#<cluster>/<ns>/<name>#<uid>": its kept verdict
// ends when that ServiceAccount is deleted, being deleted, or re-created under its name (another uid), from the
// change feed; changes to other ServiceAccounts keep it.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { CredentialChains } from '../apiserver/auth/credential-chain.ts';
import type { AuthnResult } from '../apiserver/auth/types.ts';
import type { Informer, InformerEvent } from '../apiserver/controllers/informer.ts';
import type { KObject } from '../apiserver/storage/interface.ts';
import { StatusError } from '../apiserver/errors.ts';
import { ServiceAccountLinks } from './service-account-links.ts';

it('a token minted with a ServiceAccount token ends with that ServiceAccount, kept verdict or not', () => {
  let handler: ((ev: InformerEvent) => void) | undefined;
  const informer = { on: (g: string, r: string, h: (ev: InformerEvent) => void) => { if (g === '' && r === 'serviceaccounts') handler = h; } } as unknown as Informer;
  const chains = new CredentialChains(() => 0);
  chains.register('sa-token', (ref, at) => (at.self ? {} : { parents: [`serviceaccount:${ref.slice(ref.indexOf('#') + 1)}`] }));
  new ServiceAccountLinks(chains).register(informer);
  const sa = (type: InformerEvent['type'], name: string, uid: string, deleting = false) => {
    const object: KObject = { metadata: { name, namespace: 'app', uid, ...(deleting ? { deletionTimestamp: '2030-01-01T00:00:00Z' } : {}) } };
    handler!({ type, key: '', rv: 1, object, cluster: 'c1', group: '', resource: 'serviceaccounts', namespace: 'app', name });
  };
  const token: AuthnResult = { user: { username: 'system:serviceaccount:app:bot', groups: [] }, reason: 't', credentialId: 'sa-token:j2',
    chain: ['sa-token:j1#c1/app/minter#uid-m'] };
  const check = () => chains.check(token, { req: {} as IncomingMessage, cluster: 'c1' });
  const refused = (what: string) => assert.throws(check, (e) => e instanceof StatusError && e.code === 401
    && /minted from serviceaccount:c1\/app\/minter, and serviceaccount app\/minter no longer exists/.test(e.message), what);
  sa('ADDED', 'minter', 'uid-m'); sa('ADDED', 'other', 'uid-o');
  check(); check();
  sa('MODIFIED', 'other', 'uid-o'); sa('DELETED', 'other', 'uid-o');
  check();
  sa('MODIFIED', 'minter', 'uid-m', true);
  refused('being deleted');
  sa('DELETED', 'minter', 'uid-m');
  refused('deleted');
  sa('ADDED', 'minter', 'uid-m2');
  refused('re-created under its name');
});
