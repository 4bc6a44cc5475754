// The start-up warning about a data directory other users can read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from './config.ts';
import { sharedDirectoryWarnings } from './preflight.ts';

test('warns when the data directory is readable by others, and not when it is private', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preflight-'));
  try {
    chmodSync(dir, 0o755);
    const [w] = sharedDirectoryWarnings(loadConfig({ dataDir: dir }));
    assert.match(w ?? '', /accessible to other users \(mode 0755\).*chmod 700/);
    chmodSync(dir, 0o700);
    assert.deepEqual(sharedDirectoryWarnings(loadConfig({ dataDir: dir })), []);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
