// Tests of claim mapping: prefixes, reserved names, email rules, claim rules and required groups.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mapClaims } from './claims.ts';
import { settingsOf } from './schema.ts';

const corp = settingsOf('corp', 'u1', { oidc: {
  issuer: 'https://idp.example.com', clientID: 'portcullis', usernameClaim: 'email', usernamePrefix: 'corp:', groupsClaim: 'groups', groupsPrefix: 'corp:',
  requiredGroups: ['engineering'], allowedEmailDomains: ['example.com'], claimValidationRules: [{ claim: 'hd', requiredValue: 'example.com' }],
} });
const base = { iss: 'https://idp.example.com', sub: 'u-1', email: 'alice@example.com', email_verified: true,
  hd: 'example.com', groups: ['engineering', 'ops'] };

describe('claim mapping', () => {
  it('maps username and groups with their prefixes', () => {
    const r = mapClaims(corp, base);
    assert.ok(r.ok);
    assert.equal(r.identity.username, 'corp:alice@example.com');
    assert.deepEqual(r.identity.groups, ['corp:engineering', 'corp:ops']);
    assert.equal(r.identity.subject, 'u-1');
  });
  it('refuses a missing required group with 403 naming it', () => {
    const r = mapClaims(corp, { ...base, groups: ['ops'] });
    assert.deepEqual(r, { ok: false, code: 403,
      message: 'user "corp:alice@example.com" is not a member of group "engineering" required by identity provider "corp"' });
  });
  it('requires a verified email when the email is the username, and an allowed domain', () => {
    assert.match((mapClaims(corp, { ...base, email_verified: false }) as { message: string }).message, /not verified/);
    assert.match((mapClaims(corp, { ...base, email_verified: undefined }) as { message: string }).message, /not verified/);
    const other = mapClaims(corp, { ...base, email: 'mallory@evil.test' });
    assert.equal(other.ok, false);
    assert.match((other as { message: string }).message, /"evil.test"/);
  });
  it('applies claim validation rules', () => {
    assert.match((mapClaims(corp, { ...base, hd: 'evil.test' }) as { message: string }).message, /claim "hd" must be "example.com"/);
  });
  it('never produces system: or portcullis: names, whatever the IdP sends', () => {
    const bare = settingsOf('bare', 'u2', { oidc: { issuer: 'https://b.example.com', clientID: 'c',
      usernameClaim: 'preferred_username', groupsClaim: 'groups' } });
    const r = mapClaims(bare, { iss: 'https://b.example.com', sub: 's', preferred_username: 'system:admin' });
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /reserved prefix "system:"/);
    const g = mapClaims(bare, { iss: 'https://b.example.com', sub: 's', preferred_username: 'bob', groups: ['system:masters',
      'portcullis:team:admins', 'dev'] });
    assert.ok(g.ok);
    assert.deepEqual(g.identity.groups, ['dev']);
    assert.deepEqual(g.identity.dropped, ['system:masters', 'portcullis:team:admins']);
    assert.equal(mapClaims(bare, { iss: 'x', sub: 's', preferred_username: 'a/b' }).ok, false);
    assert.equal(mapClaims(bare, { iss: 'x', sub: 's', preferred_username: 'bob', groups: [1, 2] }).ok, false);
  });
});
