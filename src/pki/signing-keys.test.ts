// Tests for ServiceAccount signing-key management: creation, persistence, JWKS, rotation and retirement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateSigningKeys, SIGNING_KEYS_FILE } from './signing-keys.ts';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sa-keys-'));
  try { await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

test('keys are created once, stored 0600, and reloaded with the same kid', () => withDir(async (dir) => {
  const keys = await loadOrCreateSigningKeys(dir);
  assert.match(keys.activeKid, /^[A-Za-z0-9_-]{43}$/);
  const path = join(dir, SIGNING_KEYS_FILE);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  const again = await loadOrCreateSigningKeys(dir);
  assert.equal(again.activeKid, keys.activeKid);
  assert.deepEqual(again.jwks(), keys.jwks());
}));

test('JWKS is public only and lists every verification key', () => withDir(async (dir) => {
  const keys = await loadOrCreateSigningKeys(dir);
  const [jwk] = keys.jwks().keys;
  assert.deepEqual(Object.keys(jwk).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  assert.equal(jwk.alg, 'ES256');
  assert.equal(jwk.kid, keys.activeKid);
  assert.equal(keys.jwks().keys.some((k) => 'd' in k), false);
}));

test('rotate adds a new active key and keeps the old one for verification; retire drops it', () => withDir(async (dir) => {
  const keys = await loadOrCreateSigningKeys(dir);
  const oldKid = keys.activeKid;
  const newKid = await keys.rotate();
  assert.notEqual(newKid, oldKid);
  assert.equal(keys.activeKid, newKid);
  assert.equal(keys.signingKey().kid, newKid);
  assert.ok(keys.verificationKey(oldKid));
  assert.deepEqual(keys.jwks().keys.map((k) => k.kid).sort(), [oldKid, newKid].sort());

  const reloaded = await loadOrCreateSigningKeys(dir);
  assert.equal(reloaded.activeKid, newKid);
  assert.ok(reloaded.verificationKey(oldKid));

  await assert.rejects(keys.retire(newKid), /active/);
  await keys.retire(oldKid);
  assert.equal(keys.verificationKey(oldKid), undefined);
  const stored = JSON.parse(await readFile(join(dir, SIGNING_KEYS_FILE), 'utf8'));
  assert.deepEqual(stored.keys.map((k: { kid: string }) => k.kid), [newKid]);
}));
