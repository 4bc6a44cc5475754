// The access-key form's logic: scope building, validation and the AccessKey object sent to the API.
import { describe, expect, it } from 'vitest';
import { accessKeyObject, describeScope, emptySelection, toScope, type KeyForm } from './access-keys.ts';

const form = (over: Partial<KeyForm> = {}): KeyForm => ({ displayName: 'ci', limitScope: false, scope: emptySelection(), expiry: '720h', idleTimeout: '', ...over });

describe('access-key form', () => {
  it('builds an unscoped key when the scope section is closed, whatever was picked in it', () => {
    const r = accessKeyObject('alice', form({ scope: { ...emptySelection(), projects: ['p'] } }));
    expect(r).toEqual({ ok: true, body: expect.objectContaining({ kind: 'AccessKey', spec: { user: 'alice', displayName: 'ci', ttl: '720h' } }) });
  });
  it('keeps only complete, distinct scope entries', () => {
    expect(toScope({
      projects: ['p', 'p', ''], tenantClusters: ['c'], hostClusters: [],
      namespaces: [{ cluster: 'c', namespace: 'app' }, { cluster: 'c', namespace: 'app' }, { cluster: '', namespace: '' }],
    })).toEqual({ projects: ['p'], tenantClusters: ['c'], namespaces: [{ cluster: 'c', namespace: 'app' }] });
    expect(toScope(emptySelection())).toBeUndefined();
  });
  it('refuses an empty name, an open but empty scope, and half a namespace', () => {
    expect(accessKeyObject('a', form({ displayName: '  ' }))).toEqual({ ok: false, errors: { displayName: 'Enter a display name for this access key' } });
    const empty = accessKeyObject('a', form({ limitScope: true }));
    expect(empty.ok).toBe(false);
    expect(!empty.ok && empty.errors.scope).toMatch(/at least one/);
    const half = accessKeyObject('a', form({ limitScope: true, scope: { ...emptySelection(), namespaces: [{ cluster: 'c', namespace: '' }] } }));
    expect(!half.ok && half.errors.namespaces).toMatch(/both/);
  });
  it('sends scope, expiry and idle timeout', () => {
    const r = accessKeyObject('bob', form({ limitScope: true, expiry: '', idleTimeout: '1h', scope: { ...emptySelection(), tenantClusters: ['payments-dev'] } }));
    expect(r.ok && r.body.spec).toEqual({ user: 'bob', displayName: 'ci', scope: { tenantClusters: ['payments-dev'] }, idleTimeout: '1h' });
    expect(describeScope({ tenantClusters: ['payments-dev'], namespaces: [{ cluster: 'c', namespace: 'n' }] })).toBe('clusters: payments-dev; namespaces: c/n');
  });
});
